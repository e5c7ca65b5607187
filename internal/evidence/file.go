package evidence

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Formats an export can write (and FormatPDF, pdf.go). Each is also the
// file name's extension.
const (
	FormatZip  = "zip"
	FormatWACZ = "wacz"
)

// datedName is the i-th candidate name for a new kit in dir:
// ringfence-evidence-2026-11-30.zip, then …-2.zip, …-3.zip.
func datedName(dir, format string, now time.Time, i int) string {
	name := "ringfence-evidence-" + now.Format("2006-01-02")
	if i > 1 {
		name += fmt.Sprintf("-%d", i)
	}
	return filepath.Join(dir, name+"."+format)
}

// ExportFile writes a kit (FormatZip) or a WACZ to path, replacing any file
// there. The bytes go to a temporary file beside path first, so a failed or
// cancelled export never leaves a half-written kit.
func ExportFile(ctx context.Context, src Source, path, format string, o Options) (Result, error) {
	tmp, release, res, err := writeTemp(ctx, src, filepath.Dir(path), filepath.Base(path), format, o)
	if err != nil {
		return Result{}, err
	}
	defer release()
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return Result{}, fmt.Errorf("write %s: %w", path, err)
	}
	return res, nil
}

// ExportNew writes a new dated kit or WACZ into dir and returns its path. It
// never replaces a file: the name is claimed with a hard link, which fails
// if the name exists, so two exports on the same day get …-2, …-3.
func ExportNew(ctx context.Context, src Source, dir, format string, now time.Time, o Options) (string, Result, error) {
	tmp, release, res, err := writeTemp(ctx, src, dir, "ringfence-evidence."+format, format, o)
	if err != nil {
		return "", Result{}, err
	}
	defer release()
	defer os.Remove(tmp)
	for i := 1; i < 10000; i++ {
		path := datedName(dir, format, now, i)
		err := os.Link(tmp, path)
		if err == nil {
			return path, res, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		// No hard links here (some removable-disk file systems): check, then rename.
		if _, serr := os.Lstat(path); errors.Is(serr, fs.ErrNotExist) {
			if err := os.Rename(tmp, path); err != nil {
				return "", Result{}, fmt.Errorf("write %s: %w", path, err)
			}
			return path, res, nil
		}
	}
	return "", Result{}, fmt.Errorf("write %s: no free name", datedName(dir, format, now, 1))
}

// writeTemp writes the export to a complete, synced temporary file in dir
// (hidden, ".<base>.partial-*", tracked through o.Track). The caller renames
// or removes it, then calls release.
func writeTemp(ctx context.Context, src Source, dir, base, format string, o Options) (string, func(), Result, error) {
	write := WriteKit
	switch format {
	case FormatZip:
	case FormatWACZ:
		write = WriteWACZ
	case FormatPDF:
		write = WritePDF
	default:
		return "", nil, Result{}, fmt.Errorf("unknown format %q (want zip, wacz or pdf)", format)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".partial-*")
	if err != nil {
		return "", nil, Result{}, fmt.Errorf("create a file in %s: %w", dir, err)
	}
	release := func() {}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
			release()
		}
	}()
	if o.Track != nil {
		if release, err = o.Track(tmp.Name()); err != nil {
			return "", nil, Result{}, err
		}
	}
	bw := bufio.NewWriterSize(tmp, 256<<10)
	res, err := write(ctx, src, bw, o)
	if err != nil {
		return "", nil, Result{}, err
	}
	// The kit holds decrypted screenshots, page text and account details: it
	// stays readable by its owner only (CreateTemp's 0600) until they share it.
	for _, step := range []func() error{bw.Flush, tmp.Sync, tmp.Close} {
		if err := step(); err != nil {
			return "", nil, Result{}, fmt.Errorf("write %s: %w", tmp.Name(), err)
		}
	}
	ok = true
	return tmp.Name(), release, res, nil
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
