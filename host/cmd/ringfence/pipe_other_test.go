//go:build !linux

package main

import (
	"io"
	"testing"
	"time"
)

// waitPipeDrained cannot look into the pipe here: give the host time to
// read the frame.
func waitPipeDrained(t testing.TB, w io.Writer) { time.Sleep(200 * time.Millisecond) }
