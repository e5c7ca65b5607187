package nativemsg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

func frame(n uint32, body string) []byte {
	b := make([]byte, 4, 4+len(body))
	binary.LittleEndian.PutUint32(b, n)
	return append(b, body...)
}

// oneByteWriter forwards each byte in its own Write, like a slow pipe.
type oneByteWriter struct{ w io.Writer }

func (o oneByteWriter) Write(p []byte) (int, error) {
	for i := range p {
		if _, err := o.w.Write(p[i : i+1]); err != nil {
			return i, err
		}
	}
	return len(p), nil
}

func TestRoundTripOverPipeOneByteAtATime(t *testing.T) {
	msgs := []string{`{"id":"1","type":"hello"}`, `{"x":"` + strings.Repeat("é", 70000) + `"}`, `{}`}
	pr, pw := io.Pipe()
	go func() {
		for _, m := range msgs {
			if err := Write(oneByteWriter{pw}, []byte(m)); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	r := iotest.OneByteReader(pr)
	for _, want := range msgs {
		got, err := Read(r)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Fatalf("got %d bytes, want %d", len(got), len(want))
		}
	}
	if _, err := Read(r); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  error
	}{
		{"clean EOF", nil, io.EOF},
		{"zero length", frame(0, ""), ErrEmpty},
		{"oversize", frame(MaxIncoming+1, "{}"), ErrTooLarge},
		{"max uint32", frame(0xFFFFFFFF, ""), ErrTooLarge},
		{"truncated header", []byte{5, 0}, ErrTruncated},
		{"truncated body", frame(10, `{"a"`), ErrTruncated},
		{"garbage length", []byte("GET / HTTP/1.1\r\n"), ErrTooLarge}, // "GET " is 0x20544547 > 64 MiB
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(iotest.OneByteReader(bytes.NewReader(tt.input)))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestGarbageBodyIsReturnedAsIs(t *testing.T) {
	// Framing does not parse JSON: the protocol layer answers bad_json.
	got, err := Read(bytes.NewReader(frame(5, "\xff\x00{[x")))
	if err != nil || string(got) != "\xff\x00{[x" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// headerOnly proves the oversize check happens before allocation: it
// fails the test if anything past the header is read.
type headerOnly struct {
	t *testing.T
	r io.Reader
}

func (h headerOnly) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if err == io.EOF {
		h.t.Error("Read went past the length header of an oversize frame")
	}
	return n, err
}

func TestOversizeAllocatesNothingBig(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < 10; i++ {
		if _, err := Read(headerOnly{t, bytes.NewReader(frame(MaxIncoming+1, ""))}); !errors.Is(err, ErrTooLarge) {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("refusing 10 oversize frames allocated %d bytes", grew)
	}
}

func TestWriteLimits(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, bytes.Repeat([]byte("a"), MaxOutgoing+1)); !errors.Is(err, ErrTooLarge) || buf.Len() != 0 {
		t.Fatalf("oversize write: %v, wrote %d bytes", err, buf.Len())
	}
	if err := Write(&buf, bytes.Repeat([]byte("a"), MaxOutgoing)); err != nil {
		t.Fatalf("write at the limit: %v", err)
	}
	if got := binary.LittleEndian.Uint32(buf.Bytes()); got != MaxOutgoing {
		t.Fatalf("header says %d", got)
	}
	buf.Reset()
	if err := WriteLimit(&buf, bytes.Repeat([]byte("a"), 2*MaxOutgoing), MaxIncoming); err != nil {
		t.Fatalf("a browser-side frame over 1 MB: %v", err)
	}
	if got, err := Read(&buf); err != nil || len(got) != 2*MaxOutgoing {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	if err := Write(&buf, nil); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty write: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(frame(2, "{}"))
	f.Add(frame(0, ""))
	f.Add([]byte{1})
	f.Add(frame(0xFFFFFFFF, "x"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		for {
			b, err := Read(r)
			if err != nil {
				return
			}
			if len(b) == 0 || len(b) > MaxIncoming {
				t.Fatalf("frame of %d bytes accepted", len(b))
			}
			// Anything read must write back identically.
			var out bytes.Buffer
			if len(b) <= MaxOutgoing {
				if err := Write(&out, b); err != nil {
					t.Fatal(err)
				}
				back, err := Read(&out)
				if err != nil || !bytes.Equal(back, b) {
					t.Fatalf("round trip: %v", err)
				}
			}
		}
	})
}

// TestReadIntoReusesBuffer: a frame that fits the buffer's capacity is read
// into it (same storage, exact length, none of the old bytes), a larger
// one into a fresh slice, and errors are the same as Read's.
func TestReadIntoReusesBuffer(t *testing.T) {
	buf := bytes.Repeat([]byte("x"), 64)
	var stream bytes.Buffer
	for _, m := range []string{`{"a":1}`, strings.Repeat("y", 100), `{}`} {
		if err := Write(&stream, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadInto(&stream, buf)
	if err != nil || string(got) != `{"a":1}` || &got[0] != &buf[0] {
		t.Fatalf("first frame %q, %v (reused: %v)", got, err, err == nil && &got[0] == &buf[0])
	}
	big, err := ReadInto(&stream, buf)
	if err != nil || string(big) != strings.Repeat("y", 100) || &big[0] == &buf[0] {
		t.Fatalf("larger frame %q, %v", big, err)
	}
	got, err = ReadInto(&stream, buf[:0])
	if err != nil || string(got) != `{}` || &got[0] != &buf[0] {
		t.Fatalf("third frame %q, %v", got, err)
	}
	if _, err := ReadInto(&stream, buf); !errors.Is(err, io.EOF) {
		t.Fatalf("end of stream: %v", err)
	}
	if _, err := ReadInto(bytes.NewReader(frame(10, "abc")), buf); !errors.Is(err, ErrTruncated) {
		t.Fatalf("truncated frame: %v", err)
	}
}
