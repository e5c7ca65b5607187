// Package nativemsg is the browser native-messaging framing: each message is
// a 4-byte little-endian length followed by that many bytes of UTF-8 JSON.
package nativemsg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/ringfence/ringfence/internal/spec"
)

// Limits. Chromium and Firefox send at most 64 MiB to a host and kill a host
// that sends them more than 1 MB.
const (
	MaxIncoming = spec.MaxFrame // 64 MiB
	MaxOutgoing = spec.MaxReply // 1 MB
)

var (
	// ErrTooLarge: a declared length over MaxIncoming (nothing was allocated),
	// or an outgoing message over MaxOutgoing (nothing was written).
	ErrTooLarge = errors.New("frame too large")
	// ErrEmpty: a zero-length frame, which no browser sends.
	ErrEmpty = errors.New("zero-length frame")
	// ErrTruncated: the stream ended inside a frame.
	ErrTruncated = errors.New("truncated frame")
)

// Read reads one frame. At a clean end of stream (no byte of a new frame) it
// returns io.EOF. The declared length is checked against MaxIncoming before
// the buffer is allocated.
func Read(r io.Reader) ([]byte, error) {
	return ReadInto(r, nil)
}

// ReadInto is Read reusing buf's storage when the frame fits in its
// capacity (a fresh slice otherwise). The frame is only valid until buf is
// reused. A host reading a snapshot's chunk frames (~700 KB each) into one
// buffer keeps the same memory hot instead of faulting in fresh pages, and
// giving them back to the OS, for every chunk.
func ReadInto(r io.Reader, buf []byte) ([]byte, error) {
	var hdr [4]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: %d of 4 length bytes", ErrTruncated, n)
		}
		return nil, fmt.Errorf("read frame length: %w", err)
	}
	size := binary.LittleEndian.Uint32(hdr[:])
	if size == 0 {
		return nil, ErrEmpty
	}
	if size > MaxIncoming {
		return nil, fmt.Errorf("%w: declared %d bytes, limit %d", ErrTooLarge, size, MaxIncoming)
	}
	if uint32(cap(buf)) >= size {
		buf = buf[:size]
	} else {
		buf = make([]byte, size)
	}
	if n, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: %d of %d bytes", ErrTruncated, n, size)
		}
		return nil, fmt.Errorf("read frame body: %w", err)
	}
	return buf, nil
}

// Write writes msg as one frame with a single Write call, so concurrent
// writers serialised by the caller never interleave partial frames.
func Write(w io.Writer, msg []byte) error {
	return WriteLimit(w, msg, MaxOutgoing)
}

// WriteLimit is Write with another size limit: the browser's side of the
// port (tests, benchmarks) may send up to MaxIncoming.
func WriteLimit(w io.Writer, msg []byte, limit int) error {
	if len(msg) > limit {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(msg), limit)
	}
	if len(msg) == 0 {
		return ErrEmpty
	}
	buf := make([]byte, 4+len(msg))
	binary.LittleEndian.PutUint32(buf, uint32(len(msg)))
	copy(buf[4:], msg)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	return nil
}
