//go:build unix

package main

import (
	"os"
	"syscall"
	"time"
)

// minorFaults is how many minor page faults the exited process took (-1
// when the OS does not say).
func minorFaults(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Minflt)
	}
	return -1
}

// pageFaultCost is what one fault on a fresh anonymous page costs on this
// machine: the start of a Go process is mostly such faults (runtime heap,
// stacks, package data), so this prices every row of the start section.
func pageFaultCost() (time.Duration, error) {
	const pages = 4096
	size := pages * os.Getpagesize()
	var best time.Duration
	for range 5 {
		mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			return 0, err
		}
		start := time.Now()
		for i := 0; i < size; i += os.Getpagesize() {
			mem[i] = 1
		}
		d := time.Since(start) / pages
		syscall.Munmap(mem)
		if best == 0 || d < best {
			best = d
		}
	}
	return best, nil
}
