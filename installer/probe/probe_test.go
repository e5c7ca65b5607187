package probe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestFrameRoundTripOverPipeWithPartialReads(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 3; i++ {
			if err := WriteFrame(pw, map[string]any{"id": "r", "n": i, "s": strings.Repeat("x", 1000*i)}); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	r := iotest.OneByteReader(pr)
	for i := 0; i < 3; i++ {
		b, err := ReadFrame(r, MaxReply)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(`"n":`)) {
			t.Fatalf("frame %d: %s", i, b)
		}
	}
	if _, err := ReadFrame(r, MaxReply); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}

func TestReadFrameRejects(t *testing.T) {
	le := func(n uint32) []byte { b := make([]byte, 4); binary.LittleEndian.PutUint32(b, n); return b }
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"too large, refused before allocating", le(MaxReply + 1), "exceeds"},
		{"zero length", le(0), "zero-length"},
		{"truncated header", []byte{1, 0}, "header"},
		{"truncated body", append(le(10), []byte(`{"a":`)...), "body"},
	}
	for _, c := range cases {
		if _, err := ReadFrame(bytes.NewReader(c.in), MaxReply); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

func TestWriteFrameIsLittleEndian(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFrame(&b, Request); err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint32(b.Bytes()[:4])
	if int(n) != b.Len()-4 || !strings.HasPrefix(b.String()[4:], `{"body":{},"id":"doctor","type":"hello"}`) {
		t.Errorf("frame %q (length %d)", b.String(), n)
	}
}
