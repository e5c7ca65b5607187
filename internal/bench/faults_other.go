//go:build !unix

package main

import (
	"errors"
	"os"
	"time"
)

func minorFaults(*os.ProcessState) int64 { return -1 }

func pageFaultCost() (time.Duration, error) {
	return 0, errors.New("page faults are measured on unix only")
}
