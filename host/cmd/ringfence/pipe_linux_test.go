package main

import (
	"io"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// waitPipeDrained returns once the host has read every byte written to w,
// so a request written there is in flight from then on. FIONREAD (TIOCINQ) on either
// end of a Linux pipe counts the unread bytes.
func waitPipeDrained(t testing.TB, w io.Writer) {
	t.Helper()
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		t.Fatalf("%T has no file descriptor", w)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCINQ) // FIONREAD
		if err != nil {
			t.Fatalf("FIONREAD: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the host left %d bytes unread for 10 s", n)
		}
		time.Sleep(100 * time.Microsecond)
	}
}
