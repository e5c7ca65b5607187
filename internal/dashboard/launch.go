package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Record is dashboard.json in the data folder: the running `serve` process,
// so the extension's "Open evidence dashboard" reuses it instead of starting
// a second one. It holds no token (that stays in the key store).
type Record struct {
	PID       int       `json:"pid"`
	Addr      string    `json:"addr"`
	StartedAt time.Time `json:"started_at"`
}

// RecordPath is where the record lives.
func RecordPath(home string) string { return filepath.Join(home, "dashboard.json") }

// WriteRecord saves rec (0600, temp file + rename).
func WriteRecord(home string, rec Record) error {
	b, _ := json.Marshal(rec)
	tmp, err := os.CreateTemp(home, "dashboard-*.tmp")
	if err != nil {
		return fmt.Errorf("dashboard record: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("dashboard record: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("dashboard record: %w", err)
	}
	if err := os.Rename(tmp.Name(), RecordPath(home)); err != nil {
		return fmt.Errorf("dashboard record: %w", err)
	}
	return nil
}

// RemoveRecord deletes the record if it is still pid's.
func RemoveRecord(home string, pid int) {
	if rec, err := ReadRecord(home); err == nil && rec.PID == pid {
		os.Remove(RecordPath(home))
	}
}

// ReadRecord reads the record.
func ReadRecord(home string) (Record, error) {
	var rec Record
	b, err := os.ReadFile(RecordPath(home))
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, fmt.Errorf("dashboard record: %w", err)
	}
	return rec, nil
}

// Running returns the URL of the dashboard the record names when it answers
// its health check with this token (a stale record, a reused PID or another
// install's server all fail it).
func Running(ctx context.Context, home, token string) (string, bool) {
	rec, err := ReadRecord(home)
	if err != nil || !IsLoopback(rec.Addr) {
		return "", false
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+rec.Addr+"/api/health", nil)
	if err != nil {
		return "", false
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", false
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", false
	}
	addr, err := net.ResolveTCPAddr("tcp", rec.Addr)
	if err != nil {
		return "", false
	}
	return URL(addr, token), true
}

// Ensure returns the URL of a running dashboard for home, starting a
// detached `exe serve` when none answers. The new process outlives the
// caller (the native host exits when its browser port closes); its output
// goes to dashboard.log in the data folder.
//
// Two callers at once (two browsers, or a double click) start one server:
// the first takes dashboard.start.lock, the other waits for the server it
// starts.
func Ensure(ctx context.Context, home, token, exe string) (string, error) {
	if u, ok := Running(ctx, home, token); ok {
		return u, nil
	}
	release, err := startLock(ctx, home, func() bool { _, ok := Running(ctx, home, token); return ok })
	if err != nil {
		return "", err
	}
	defer release()
	// The holder before us may have started it.
	if u, ok := Running(ctx, home, token); ok {
		return u, nil
	}
	return startServe(ctx, home, token, exe)
}

// startLockStale: a lock older than this is left over from a killed caller
// (a start takes at most 15 s).
const startLockStale = 30 * time.Second

// startLock takes dashboard.start.lock (O_EXCL: any OS, any filesystem), or
// waits until up() says another caller's server answers, or its lock goes
// away or gets stale.
func startLock(ctx context.Context, home string, up func() bool) (release func(), err error) {
	path := filepath.Join(home, "dashboard.start.lock")
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("dashboard: start lock: %w", err)
		}
		if st, err := os.Stat(path); err == nil && time.Since(st.ModTime()) > startLockStale {
			os.Remove(path)
			continue
		}
		if up() {
			return func() {}, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

func startServe(ctx context.Context, home, token, exe string) (string, error) {
	logf, err := os.OpenFile(filepath.Join(home, "dashboard.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return "", fmt.Errorf("dashboard: log file: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(exe, "serve", "--addr", "127.0.0.1:0")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "RINGFENCE_HOME="+home)
	cmd.SysProcAttr = detached()
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("dashboard: start %s serve: %w", exe, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case err := <-exited:
			return "", fmt.Errorf("dashboard: serve exited at start (%v); see %s", err, filepath.Join(home, "dashboard.log"))
		case <-deadline.C:
			return "", errors.New("dashboard: serve did not start within 15 s; see " + filepath.Join(home, "dashboard.log"))
		case <-tick.C:
			if u, ok := Running(ctx, home, token); ok {
				return u, nil
			}
		}
	}
}
