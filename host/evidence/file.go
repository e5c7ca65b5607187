package evidence

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Formats an export can write.
const (
	FormatZip  = "zip"
	FormatWACZ = "wacz"
)

// DefaultName is the file name an export gets when none is given, e.g.
// ringfence-evidence-2026-11-30.zip; dir is searched so an earlier kit of
// the same day is never overwritten (…-2.zip, …-3.zip).
func DefaultName(dir, format string, now time.Time) string {
	base := "ringfence-evidence-" + now.Format("2006-01-02")
	for i := 1; ; i++ {
		name := base + "." + format
		if i > 1 {
			name = fmt.Sprintf("%s-%d.%s", base, i, format)
		}
		p := filepath.Join(dir, name)
		if _, err := os.Lstat(p); os.IsNotExist(err) {
			return p
		}
	}
}

// ExportFile writes a kit (FormatZip) or a WACZ to path. It writes a
// temporary file beside path and renames it into place only when complete, so
// a failed or cancelled export never leaves a half-written kit.
func ExportFile(ctx context.Context, src Source, path, format string, o Options) (Result, error) {
	write := WriteKit
	switch format {
	case FormatZip:
	case FormatWACZ:
		write = WriteWACZ
	default:
		return Result{}, fmt.Errorf("unknown format %q (want zip or wacz)", format)
	}
	dir := filepath.Dir(path)
	if o.TempDir == "" {
		o.TempDir = dir
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return Result{}, fmt.Errorf("create %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	res, err := write(ctx, src, bw, o)
	if err != nil {
		return Result{}, err
	}
	if err := bw.Flush(); err != nil {
		return Result{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return Result{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return Result{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return Result{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return Result{}, fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	return res, nil
}

// VerifyFile verifies the kit or WACZ at path.
func VerifyFile(ctx context.Context, path string) (*Verification, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", err
	}
	return Verify(ctx, f, st.Size())
}
