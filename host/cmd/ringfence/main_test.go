package main

// Tests of the real binary, started the way browsers start it. They use
// bin/ringfence from $RINGFENCE_BIN (scripts/test-go.sh sets it after
// `make host`), or build it once here.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/config"
	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/nativemsg"
	"github.com/ringfence/ringfence/internal/platform"
	"github.com/ringfence/ringfence/internal/protocol"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

var binPath string

func TestMain(m *testing.M) {
	binPath = os.Getenv("RINGFENCE_BIN")
	var tmp string
	if binPath == "" {
		var err error
		tmp, err = os.MkdirTemp("", "ringfence-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		binPath = filepath.Join(tmp, "ringfence")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "building the host: %v\n%s", err, out)
			os.Exit(1)
		}
	} else if abs, err := filepath.Abs(binPath); err == nil {
		binPath = abs
	}
	code := m.Run()
	if tmp != "" {
		os.RemoveAll(tmp)
	}
	os.Exit(code)
}

// hostEnv is the environment a browser would pass: the user's, plus the
// test's RINGFENCE_HOME. Outside scripts/test-go.sh the session bus is
// pointed nowhere so a developer's real keyring is never touched.
func hostEnv(home string) []string {
	env := append(os.Environ(), "RINGFENCE_HOME="+home)
	if os.Getenv("RINGFENCE_TEST_SECRET_SERVICE") != "1" {
		env = append(env, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	}
	return env
}

type hostProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	stderr *bytes.Buffer
	*protocol.Client
}

// startHost starts the binary with exactly args as argv[1:], from the
// binary's directory (Chromium and Firefox both do that).
func startHost(t testing.TB, home string, args ...string) *hostProc {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = filepath.Dir(binPath)
	cmd.Env = hostEnv(home)
	h := &hostProc{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = h.stderr
	var err error
	if h.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if h.stdout, err = cmd.StdoutPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h.Client = protocol.NewClient(h.stdin, h.stdout)
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return h
}

// close ends the port the way a browser does and returns the exit code.
func (h *hostProc) close(t testing.TB) int {
	t.Helper()
	h.stdin.Close()
	io.Copy(io.Discard, h.stdout)
	err := h.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

func chromeArgs() []string { return []string{"chrome-extension://" + config.DevChromeID + "/"} }

// firefoxArgs writes the host manifest Firefox would read and returns the
// argv Firefox passes: manifest path, extension id.
func firefoxArgs(t testing.TB) []string {
	dir := filepath.Join(t.TempDir(), ".mozilla", "native-messaging-hosts")
	os.MkdirAll(dir, 0o755)
	manifest := filepath.Join(dir, "io.ringfence.host.json")
	b, _ := json.Marshal(map[string]any{"name": "io.ringfence.host", "description": "Ringfence", "path": binPath,
		"type": "stdio", "allowed_extensions": []string{config.DevFirefoxID}})
	os.WriteFile(manifest, b, 0o644)
	return []string{manifest, config.DevFirefoxID}
}

func testMeta(title string) map[string]any {
	return map[string]any{"url": "https://chatgpt.com/#settings/Account", "captured_at": time.Now().UTC().Format(time.RFC3339Nano),
		"tz_offset_minutes": 0, "trigger": "button", "browser": "Chromium", "browser_version": "156.0",
		"extension_version": "0.1.0", "viewport": map[string]int{"width": 1280, "height": 800}, "device_pixel_ratio": 1,
		"language": "en-US", "category": "account_status", "title": title}
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func sha(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// runCLI runs a verb of the binary against home.
func runCLI(t testing.TB, home string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = hostEnv(home)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		return out.String() + errb.String(), code
	}
	return out.String(), code
}

// openStore opens home's store the way the host does.
func openStore(t testing.TB, home string) *store.Store {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ring.DataKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, platform.DB(home), key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestBrowsersEndToEnd(t *testing.T) {
	for _, browser := range []string{"chromium", "firefox"} {
		t.Run(browser, func(t *testing.T) {
			home := t.TempDir()
			args := chromeArgs()
			if browser == "firefox" {
				args = firefoxArgs(t)
			}
			h := startHost(t, home, args...)
			var hello struct {
				ProtocolVersion int         `json:"protocol_version"`
				Keyring         keys.Status `json:"keyring"`
			}
			if err := h.Must("hello", map[string]any{"extension_version": "0.1.0", "browser": browser}, &hello); err != nil {
				t.Fatalf("hello: %v\n%s", err, h.stderr)
			}
			wantBackend := keys.BackendFile
			if os.Getenv("RINGFENCE_TEST_SECRET_SERVICE") == "1" {
				wantBackend = keys.BackendSecretService
			}
			if hello.ProtocolVersion != 1 || hello.Keyring.Backend != wantBackend {
				t.Errorf("hello: %+v, want keyring %s", hello, wantBackend)
			}
			shot := randBytes(20 << 20) // 20 MB, incompressible like a real PNG
			dom := []byte(strings.Repeat("<label>Improve the model for everyone <input type=checkbox checked></label>\n", 2000))
			settings := []byte(`{"api_keys":[{"name":"prod","created":"2025-01-01"},{"name":"ci"}],"toggles":[]}`)
			res, err := h.UploadSnapshot(context.Background(), testMeta(browser), []protocol.Artifact{
				{Name: "screenshot.png", MIME: "image/png", Data: shot},
				{Name: "dom.html", MIME: "text/html", Data: dom},
				{Name: "settings.json", MIME: "application/json", Data: settings}}, 0)
			if err != nil {
				t.Fatalf("upload: %v\n%s", err, h.stderr)
			}
			if err := h.Must("event.log", map[string]any{"type": "warning.shown", "rule_id": "chatgpt.delete-account",
				"url": "https://chatgpt.com/#settings/Account", "detail": map[string]any{"lang": "en"}}, nil); err != nil {
				t.Fatal(err)
			}
			var id store.Identity
			if err := h.Must("identity.summary", nil, &id); err != nil {
				t.Fatal(err)
			}
			if id.APIKeys == nil || id.APIKeys.Count != 2 || id.APIKeys.SnapshotID != res.SnapshotID {
				t.Errorf("identity: %+v", id)
			}
			if code := h.close(t); code != 0 {
				t.Fatalf("exit %d after the port closed\n%s", code, h.stderr)
			}

			// The CLI reads back what the host stored, byte for byte.
			out := filepath.Join(t.TempDir(), "shot.png")
			if msg, code := runCLI(t, home, "show", res.SnapshotID, "--artifact", "screenshot.png", "--out", out); code != 0 {
				t.Fatalf("show: %d %s", code, msg)
			}
			got, _ := os.ReadFile(out)
			if !bytes.Equal(got, shot) {
				t.Error("the 20 MB screenshot did not come back byte-identical")
			}
			list, code := runCLI(t, home, "list", "--json")
			var snaps []store.Snapshot
			if code != 0 || json.Unmarshal([]byte(list), &snaps) != nil || len(snaps) != 1 || len(snaps[0].Artifacts) != 3 {
				t.Errorf("list --json: %d %s", code, list)
			}
			events, _ := runCLI(t, home, "events", "--json")
			var ev store.Event
			if json.Unmarshal([]byte(events), &ev) != nil || ev.Type != "warning.shown" || store.ChainHash(store.GenesisHash, ev) != ev.Hash {
				t.Errorf("events --json: %s", events)
			}
		})
	}
}

func TestForbiddenCaller(t *testing.T) {
	home := t.TempDir()
	for _, args := range [][]string{{"chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"}, {"/tmp/m.json", "evil@example.com"}} {
		h := startHost(t, home, args...)
		rep, err := protocol.NewClient(io.Discard, h.stdout).ReadReply()
		if err != nil || rep.OK || rep.Error.Code != spec.CodeForbiddenCaller {
			t.Errorf("%v: %+v %v", args, rep, err)
		}
		if code := h.close(t); code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
	}
	// An id added to config.json is served.
	os.WriteFile(platform.Config(home), []byte(`{"allowed_extension_ids":["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]}`), 0o600)
	h := startHost(t, home, "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/")
	if err := h.Must("hello", nil, nil); err != nil {
		t.Errorf("allowlisted id: %v", err)
	}
	h.close(t)
}

func TestStartedByHandPrintsHelp(t *testing.T) {
	cmd := exec.Command(binPath)
	cmd.Env = hostEnv(t.TempDir())
	stdin, _ := cmd.StdinPipe() // never closed: the binary must not wait on it
	defer stdin.Close()
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Start()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("ringfence with no arguments waited on stdin")
	}
	if !strings.Contains(out.String(), "native messaging host") || !strings.Contains(out.String(), "doctor") {
		t.Errorf("help: %s", out.String())
	}
}

// While idle, SIGTERM (how a browser or the OS stops the host) and SIGINT
// (Ctrl-C on a terminal) each end the host at once with status 0.
func TestSignalWhileIdle(t *testing.T) {
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		t.Run(sig.String(), func(t *testing.T) {
			h := startHost(t, t.TempDir(), chromeArgs()...)
			if err := h.Must("hello", nil, nil); err != nil {
				t.Fatal(err)
			}
			if err := h.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- h.cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("exit after %v while idle: %v\n%s", sig, err, h.stderr)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("the host did not exit on %v", sig)
			}
		})
	}
}

// TestSIGTERMDuringCommit sends SIGTERM right after a commit request: the
// host must exit 0, and answer the commit exactly when it stored the
// snapshot (an answered commit is stored; an unanswered one left nothing).
func TestSIGTERMDuringCommit(t *testing.T) {
	home := t.TempDir()
	answered := 0
	for round := 0; round < 5; round++ {
		h := startHost(t, home, chromeArgs()...)
		data := randBytes(8 << 20)
		var begun struct {
			UploadID string `json:"upload_id"`
		}
		title := fmt.Sprintf("term-%d", round)
		if err := h.Must("snapshot.begin", map[string]any{"meta": testMeta(title), "artifacts": []map[string]any{
			{"name": "shot.png", "mime": "image/png", "size": len(data), "sha256": sha(data)}}}, &begun); err != nil {
			t.Fatal(err)
		}
		for off := 0; off < len(data); off += 1 << 20 {
			if err := h.Must("snapshot.chunk", map[string]any{"upload_id": begun.UploadID, "artifact": "shot.png",
				"offset": off, "data": data[off : off+1<<20]}, nil); err != nil {
				t.Fatal(err)
			}
		}
		frame, _ := json.Marshal(map[string]any{"id": "c", "type": "snapshot.commit", "body": map[string]string{"upload_id": begun.UploadID}})
		if err := nativemsgWrite(h.stdin, frame); err != nil {
			t.Fatal(err)
		}
		// SIGTERM once the host has read the whole commit (so it is in flight),
		// at a slightly later point of its work each round.
		waitPipeDrained(t, h.stdin)
		time.Sleep(time.Duration(round) * 2 * time.Millisecond)
		h.cmd.Process.Signal(syscall.SIGTERM)
		rep, replyErr := protocol.NewClient(io.Discard, h.stdout).ReadReply()
		err := h.cmd.Wait()
		if err != nil {
			t.Fatalf("round %d: exit after SIGTERM: %v\n%s", round, err, h.stderr)
		}
		st := openStore(t, home)
		snaps, _ := st.ListSnapshots(context.Background(), store.Filter{})
		stored := false
		for _, s := range snaps {
			stored = stored || s.Title == title
		}
		st.Close()
		if replyErr != nil || !rep.OK {
			t.Errorf("round %d: the commit in flight at SIGTERM was not answered (%v %+v)\n%s", round, replyErr, rep.Error, h.stderr)
			continue
		}
		answered++
		if !stored {
			t.Errorf("round %d: commit answered but the snapshot is missing", round)
		}
	}
	t.Logf("%d of 5 commits were in flight when SIGTERM arrived and were finished", answered)
}

func nativemsgWrite(w io.Writer, b []byte) error {
	return nativemsg.WriteLimit(w, b, nativemsg.MaxIncoming)
}
