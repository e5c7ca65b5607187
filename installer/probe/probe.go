// Package probe starts a native messaging host the way a browser does and
// exchanges one `hello` with it. `ringfence doctor` uses it as its last step,
// so it carries its own small frame reader and writer (4-byte little-endian
// length + JSON) rather than depending on the host's packages.
package probe

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// MaxReply is the largest reply a browser accepts from a host (1 MB).
const MaxReply = 1_000_000

// WriteFrame writes one message: its length as 4 little-endian bytes, then
// the JSON.
func WriteFrame(w io.Writer, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode frame: %w", err)
	}
	buf := make([]byte, 4+len(body))
	binary.LittleEndian.PutUint32(buf, uint32(len(body)))
	copy(buf[4:], body)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	return nil
}

// ReadFrame reads one message of at most max bytes; the size is checked
// before anything is allocated.
func ReadFrame(r io.Reader, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("read frame header: %w", err)
	}
	n := binary.LittleEndian.Uint32(hdr[:])
	if n == 0 {
		return nil, errors.New("zero-length frame")
	}
	if uint64(n) > uint64(max) {
		return nil, fmt.Errorf("frame of %d bytes exceeds the %d-byte limit", n, max)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("read frame body (%d bytes): %w", n, err)
	}
	return body, nil
}

// Reply is the host's answer envelope (docs/protocol.md).
type Reply struct {
	ID    string          `json:"id"`
	OK    bool            `json:"ok"`
	Body  json.RawMessage `json:"body,omitempty"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// Request is the hello doctor sends.
var Request = map[string]any{"id": "doctor", "type": "hello", "body": map[string]any{}}

// Launch describes how the browser starts the host.
type Launch struct {
	Argv []string // argv[0] is the host path
	Dir  string   // working directory (browsers use the host's folder)
	Env  []string // environment; nil means the current one
}

// Hello starts the host, sends one hello and waits at most timeout for a
// reply with "ok": true. It closes the host's stdin afterwards (the browser
// closing the port) and reaps the process.
func Hello(ctx context.Context, l Launch, timeout time.Duration) (*Reply, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.Command(l.Argv[0], l.Argv[1:]...)
	cmd.Dir = l.Dir
	cmd.Env = l.Env
	// A host that leaves a child holding stderr must not hang doctor.
	cmd.WaitDelay = time.Second
	var stderr tailBuffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start host: %w", err)
	}
	exited := make(chan error, 1)
	type result struct {
		body []byte
		err  error
	}
	got := make(chan result, 1)
	go func() {
		// A host that refuses the caller replies and exits without reading
		// its stdin, so a failed write is not the end: read the reply anyway.
		werr := WriteFrame(stdin, Request)
		b, err := ReadFrame(stdout, MaxReply)
		if err != nil && werr != nil {
			err = werr
		}
		got <- result{b, err}
	}()
	var res result
	select {
	case res = <-got:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-got
		_ = cmd.Wait()
		return nil, fmt.Errorf("no reply within %s%s", timeout, stderr.suffix())
	}
	// Let the host see EOF and exit as it does when the browser closes the
	// port; kill it if it lingers.
	stdin.Close()
	go func() { exited <- cmd.Wait() }()
	var waitErr error
	select {
	case waitErr = <-exited:
	case <-time.After(2 * time.Second):
		_ = cmd.Process.Kill()
		waitErr = <-exited
	}
	if res.err != nil {
		if waitErr != nil {
			return nil, fmt.Errorf("host exited before replying (%v)%s", waitErr, stderr.suffix())
		}
		return nil, fmt.Errorf("no reply: %v%s", res.err, stderr.suffix())
	}
	var r Reply
	if err := json.Unmarshal(res.body, &r); err != nil {
		return nil, fmt.Errorf("reply is not JSON: %w", err)
	}
	if !r.OK {
		if r.Error != nil {
			return &r, fmt.Errorf("host answered %s: %s", r.Error.Code, r.Error.Message)
		}
		return &r, errors.New("host answered ok=false")
	}
	if r.ID != "doctor" {
		return &r, fmt.Errorf("reply id %q does not match the request id \"doctor\"", r.ID)
	}
	return &r, nil
}

// tailBuffer keeps the last few KB of the host's stderr for the report.
type tailBuffer struct{ b bytes.Buffer }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b.Write(p)
	if t.b.Len() > 4096 {
		keep := t.b.Bytes()[t.b.Len()-4096:]
		t.b = *bytes.NewBuffer(append([]byte(nil), keep...))
	}
	return len(p), nil
}

func (t *tailBuffer) suffix() string {
	s := strings.TrimSpace(t.b.String())
	if s == "" {
		return ""
	}
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "; its last error line: " + s
}
