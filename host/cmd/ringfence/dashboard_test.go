package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ringfence/ringfence/internal/protocol"
)

// startServe runs the real `ringfence serve` and returns its URL (first
// stdout line) and token.
func startServe(t *testing.T, home string) (*exec.Cmd, *url.URL, string) {
	t.Helper()
	cmd := exec.Command(binPath, "serve")
	cmd.Env = hostEnv(home)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed no URL: %v", err)
	}
	u, err := url.Parse(strings.TrimSpace(line))
	if err != nil || u.Scheme != "http" || u.Query().Get("token") == "" || !strings.HasPrefix(u.Host, "127.0.0.1:") {
		t.Fatalf("first line %q is not the dashboard URL with a token", line)
	}
	return cmd, u, u.Query().Get("token")
}

// TestLiveUpdateAcrossProcesses: a snapshot committed by a second host
// process (the real binary speaking native messaging, as the browser starts
// it) reaches an open websocket of the real `ringfence serve` within 1 s.
func TestLiveUpdateAcrossProcesses(t *testing.T) {
	home := t.TempDir()
	serve, u, token := startServe(t, home)
	h := http.Header{"Authorization": {"Bearer " + token}}
	ws, res, err := websocket.DefaultDialer.Dial("ws://"+u.Host+"/api/live", h)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, res)
	}
	defer ws.Close()
	var hello map[string]any
	if err := ws.ReadJSON(&hello); err != nil || hello["type"] != "hello" {
		t.Fatalf("first message %v, %v", hello, err)
	}
	host := startHost(t, home, chromeArgs()...)
	if err := host.Must("hello", map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		data := []byte(`{"api_keys":[{"name":"prod","prefix":"sk-...abcd"}]}`)
		res, err := host.UploadSnapshot(context.Background(), testMeta("live"), []protocol.Artifact{{Name: "settings.json", MIME: "application/json", Data: data}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		committed := time.Now()
		ws.SetReadDeadline(committed.Add(time.Second))
		for {
			var m map[string]any
			if err := ws.ReadJSON(&m); err != nil {
				t.Fatalf("snapshot %s not pushed within 1 s: %v", res.SnapshotID, err)
			}
			if m["type"] == "snapshot.added" && m["id"] == res.SnapshotID {
				t.Logf("snapshot %d pushed %v after its commit was acknowledged", i, time.Since(committed))
				break
			}
		}
	}
	host.close(t)
	// SIGTERM: the server says goodbye to the socket and exits 0.
	serve.Process.Signal(syscall.SIGTERM)
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
				t.Errorf("socket ended with %v, want a going-away close", err)
			}
			break
		}
	}
	if err := serve.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
}

// TestDashboardOpenStartsAndReusesServe: the native message the popup sends
// starts a detached `serve`, and a second call reuses it.
func TestDashboardOpenStartsAndReusesServe(t *testing.T) {
	home := t.TempDir()
	host := startHost(t, home, chromeArgs()...)
	var hello struct {
		Capabilities []string `json:"capabilities"`
	}
	if err := host.Must("hello", map[string]any{}, &hello); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(hello.Capabilities, ","), "dashboard") {
		t.Fatalf("capabilities %v lack dashboard", hello.Capabilities)
	}
	var first, second struct{ URL string }
	if err := host.Must("dashboard.open", map[string]any{}, &first); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(first.URL)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("url %q", first.URL)
	}
	var rec struct{ PID int }
	b, err := os.ReadFile(filepath.Join(home, "dashboard.json"))
	if err != nil || json.Unmarshal(b, &rec) != nil || rec.PID == 0 {
		t.Fatalf("dashboard.json: %s, %v", b, err)
	}
	t.Cleanup(func() { syscall.Kill(rec.PID, syscall.SIGTERM) })
	// The token in the URL becomes a cookie on the redirect to /.
	jar, _ := cookiejar.New(nil)
	res, err := (&http.Client{Jar: jar}).Get(first.URL)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %v %v", first.URL, err, res)
	}
	res.Body.Close()
	// The host process ending (the browser closed the port) leaves the
	// dashboard running; a new port gets the same server.
	host.close(t)
	host2 := startHost(t, home, chromeArgs()...)
	if err := host2.Must("dashboard.open", map[string]any{"snapshot_id": "20261130T100203Z-2fbb8bd1"}, &second); err != nil {
		t.Fatal(err)
	}
	if second.URL != first.URL+"#snapshot/20261130T100203Z-2fbb8bd1" {
		t.Errorf("second open %q, want the same server as %q", second.URL, first.URL)
	}
	host2.close(t)
}
