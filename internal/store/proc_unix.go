//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// processAlive reports whether pid runs; known is false when the OS cannot
// say. Signal 0 checks existence without sending anything; EPERM means it
// exists but belongs to someone else.
func processAlive(pid int) (alive, known bool) {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false, true
	}
	err = p.Signal(syscall.Signal(0))
	if err == nil || errors.Is(err, syscall.EPERM) {
		return true, true
	}
	return false, true
}
