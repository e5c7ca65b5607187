//go:build !linux

package nativemsg

// GrowPipe is a no-op where pipe buffers cannot be resized.
func GrowPipe(r any) {}
