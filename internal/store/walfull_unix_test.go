//go:build linux

package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestWALShrinksAfterDiskFull runs the store in a child process whose file
// size limit (RLIMIT_FSIZE, which applies to root too and needs no
// privileges) is 6 MiB: the WAL fills up first, with committed frames that no
// automatic checkpoint ever moves because every following write fails. The
// database file still has room, so a write of the same size must succeed at
// once, and afterwards the WAL must be back under journal_size_limit.
func TestWALShrinksAfterDiskFull(t *testing.T) {
	if dir := os.Getenv("RINGFENCE_WALFULL_CHILD"); dir != "" {
		walFullChild(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWALShrinksAfterDiskFull$", "-test.v")
	cmd.Env = append(os.Environ(), "RINGFENCE_WALFULL_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("CHILD OK")) {
		t.Fatalf("child: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

func walFullChild(dir string) {
	fail := func(format string, a ...any) {
		fmt.Printf("CHILD FAIL: "+format+"\n", a...)
		os.Exit(1)
	}
	const limit = 6 << 20
	ctx := context.Background()
	path := filepath.Join(dir, "ringfence.db")
	s, err := Open(ctx, path, testKey(1))
	if err != nil {
		fail("open: %v", err)
	}
	// Go ignores SIGXFSZ, so a write past the limit returns EFBIG.
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		fail("setrlimit: %v", err)
	}
	save := func(i int) error {
		_, err := s.SaveSnapshot(ctx, meta(fmt.Sprint("s", i), time.Now()),
			map[string]io.Reader{"shot.png": bytes.NewReader(randBytes(900 << 10))})
		return err
	}
	full := false
	for i := 0; i < 40; i++ {
		if err := save(i); err != nil {
			if !errors.Is(err, ErrStorageFull) {
				fail("save %d: %v, want ErrStorageFull", i, err)
			}
			full = true
			break
		}
	}
	if !full {
		fail("never ran out of room")
	}
	if err := save(100); err != nil {
		fail("a write of the same size after the failure: %v (the WAL kept its space)", err)
	}
	if _, err := s.AppendEvent(ctx, Event{Type: "after.full"}); err != nil {
		fail("event after recovery: %v", err)
	}
	st, err := os.Stat(path + "-wal")
	if err != nil {
		fail("stat wal: %v", err)
	}
	if st.Size() > walSizeLimit {
		fail("WAL is %d bytes after recovery, over journal_size_limit %d", st.Size(), walSizeLimit)
	}
	if res, _ := s.IntegrityCheck(ctx); res != "ok" {
		fail("integrity: %s", res)
	}
	fmt.Printf("CHILD OK: WAL %d bytes after recovery\n", st.Size())
	s.Close()
}
