package nativemsg

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestGrowPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	GrowPipe(r)
	const fGetPipeSz = 1032
	size, _, errno := syscall.Syscall(syscall.SYS_FCNTL, r.Fd(), fGetPipeSz, 0)
	if errno != 0 {
		t.Fatal(errno)
	}
	b, err := os.ReadFile("/proc/sys/fs/pipe-max-size")
	if err != nil {
		t.Fatal(err)
	}
	limit, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if want := min(limit, 1<<20); int(size) < want {
		t.Errorf("pipe buffer %d bytes after GrowPipe, want %d", size, want)
	}
	GrowPipe(struct{}{}) // not a file: no effect, no panic
}
