package dashboard

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ringfence/ringfence/internal/evidence"
	"github.com/ringfence/ringfence/internal/store"
)

const testToken = "test-token-0123456789abcdefghij"

func testKey() []byte { return bytes.Repeat([]byte{7}, 32) }

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "ringfence.db"), testKey())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type running struct {
	base   string // http://127.0.0.1:PORT
	host   string // 127.0.0.1:PORT
	port   string
	srv    *Server
	st     *store.Store
	dir    string
	cancel context.CancelFunc
	done   chan error
}

// start runs a real server on a real loopback socket.
func start(t testing.TB, mod func(*Config)) *running {
	t.Helper()
	dir := t.TempDir()
	st := openStore(t, dir)
	_, sk, _ := ed25519.GenerateKey(nil)
	cfg := Config{Store: st, Token: testToken, ExportDir: filepath.Join(dir, "exports"), HostVersion: "test",
		SigningKey:   func(context.Context) (ed25519.PrivateKey, error) { return sk, nil },
		PollInterval: 50 * time.Millisecond, Logf: t.Logf}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{base: "http://" + ln.Addr().String(), host: ln.Addr().String(), srv: srv, st: st, dir: dir, cancel: cancel, done: make(chan error, 1)}
	_, r.port, _ = net.SplitHostPort(r.host)
	go func() { r.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after cancel")
		}
	})
	return r
}

type req struct {
	method, path string
	host         string // Host header; "" = the real one
	bearer       string
	cookie       string
	origin       string
	body         string
	ctype        string
}

func (r *running) do(t testing.TB, q req) *http.Response {
	t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	hr, err := http.NewRequest(q.method, r.base+q.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if q.host != "" {
		hr.Host = q.host
	}
	if q.bearer != "" {
		hr.Header.Set("Authorization", "Bearer "+q.bearer)
	}
	if q.cookie != "" {
		hr.AddCookie(&http.Cookie{Name: CookieName, Value: q.cookie})
	}
	if q.origin != "" {
		hr.Header.Set("Origin", q.origin)
	}
	if q.ctype != "" {
		hr.Header.Set("Content-Type", q.ctype)
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// TestSecurityChecks sends real requests to a real server.
func TestSecurityChecks(t *testing.T) {
	r := start(t, nil)
	own := "http://" + r.host
	note := `{"text":"ticket 1"}`
	cases := []struct {
		name string
		q    req
		want int
	}{
		{"no token", req{method: "GET", path: "/api/timeline"}, 401},
		{"no token on the page", req{method: "GET", path: "/"}, 401},
		{"no token on the websocket", req{method: "GET", path: "/api/live"}, 401},
		{"wrong token", req{method: "GET", path: "/api/timeline", bearer: "nope-nope-nope-nope"}, 401},
		{"wrong cookie", req{method: "GET", path: "/api/timeline", cookie: "nope"}, 401},
		{"bearer", req{method: "GET", path: "/api/timeline", bearer: testToken}, 200},
		{"cookie", req{method: "GET", path: "/api/timeline", cookie: testToken}, 200},
		{"rebinding Host", req{method: "GET", path: "/api/timeline", bearer: testToken, host: "evil.example:" + r.port}, 421},
		{"Host without port", req{method: "GET", path: "/api/timeline", bearer: testToken, host: "127.0.0.1"}, 421},
		{"Host with another port", req{method: "GET", path: "/api/timeline", bearer: testToken, host: "127.0.0.1:1"}, 421},
		{"Host localhost", req{method: "GET", path: "/api/timeline", bearer: testToken, host: "localhost:" + r.port}, 200},
		{"Host [::1]", req{method: "GET", path: "/api/timeline", bearer: testToken, host: "[::1]:" + r.port}, 200},
		{"token in the URL becomes a cookie", req{method: "GET", path: "/?token=" + testToken}, 303},
		{"token in the URL of a POST is not enough", req{method: "POST", path: "/api/notes?token=" + testToken, body: note, origin: own}, 401},
		{"state change, foreign Origin, cookie", req{method: "POST", path: "/api/notes", cookie: testToken, origin: "http://evil.example", body: note}, 403},
		{"state change, foreign Origin, bearer", req{method: "POST", path: "/api/notes", bearer: testToken, origin: "http://evil.example", body: note}, 403},
		{"state change, Origin of another local port", req{method: "POST", path: "/api/notes", cookie: testToken, origin: "http://127.0.0.1:1", body: note}, 403},
		{"state change, null Origin", req{method: "POST", path: "/api/notes", cookie: testToken, origin: "null", body: note}, 403},
		{"state change, cookie without Origin", req{method: "POST", path: "/api/notes", cookie: testToken, body: note}, 403},
		{"delete from a foreign Origin", req{method: "DELETE", path: "/api/snapshots/x", cookie: testToken, origin: "https://chatgpt.com"}, 403},
		{"state change, own Origin, cookie", req{method: "POST", path: "/api/notes", cookie: testToken, origin: own, body: note}, 201},
		{"state change, bearer without Origin (a script)", req{method: "POST", path: "/api/notes", bearer: testToken, body: note}, 201},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := r.do(t, c.q)
			if res.StatusCode != c.want {
				b, _ := io.ReadAll(res.Body)
				t.Fatalf("%s %s: status %d, want %d (%s)", c.q.method, c.q.path, res.StatusCode, c.want, b)
			}
			if c.want == 303 {
				ck := res.Header.Get("Set-Cookie")
				for _, want := range []string{CookieName + "=" + testToken, "HttpOnly", "SameSite=Strict", "Path=/"} {
					if !strings.Contains(ck, want) {
						t.Errorf("Set-Cookie %q lacks %q", ck, want)
					}
				}
				if loc := res.Header.Get("Location"); strings.Contains(loc, "token") {
					t.Errorf("redirect %q keeps the token", loc)
				}
			}
		})
	}
	// Exactly the two accepted notes were written.
	if n, _ := r.st.Notes(context.Background()); len(n) != 2 {
		t.Errorf("%d notes stored, want 2", len(n))
	}

	// The page: strict CSP, no inline script.
	res := r.do(t, req{method: "GET", path: "/", cookie: testToken})
	pol := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "connect-src 'self' ws://" + r.host} {
		if !strings.Contains(pol, want) {
			t.Errorf("CSP %q lacks %q", pol, want)
		}
	}
	if strings.Contains(pol, "unsafe") {
		t.Errorf("page CSP allows something unsafe: %q", pol)
	}
	page, _ := io.ReadAll(res.Body)
	if bytes.Contains(page, []byte("<script>")) || bytes.Contains(page, []byte(" style=")) || bytes.Contains(page, []byte("onclick")) {
		t.Error("index.html has inline script or style")
	}
}

func wsDial(t testing.TB, r *running, h http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	c, res, err := d.Dial("ws://"+r.host+"/api/live", h)
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, res, err
}

// TestWebsocketOrigin: the upgrade with a foreign Origin is refused (cross-
// site websocket hijacking), whatever credentials ride along.
func TestWebsocketOrigin(t *testing.T) {
	r := start(t, nil)
	cookie := CookieName + "=" + testToken
	cases := []struct {
		name   string
		header http.Header
		want   int // 101 = accepted
	}{
		{"no token", http.Header{"Origin": {"http://" + r.host}}, 401},
		{"foreign origin with cookie", http.Header{"Origin": {"http://evil.example"}, "Cookie": {cookie}}, 403},
		{"foreign origin with bearer", http.Header{"Origin": {"https://chatgpt.com"}, "Authorization": {"Bearer " + testToken}}, 403},
		{"cookie without origin", http.Header{"Cookie": {cookie}}, 403},
		{"rebinding Host", http.Header{"Host": {"evil.example:" + r.port}, "Authorization": {"Bearer " + testToken}}, 421},
		{"own origin with cookie", http.Header{"Origin": {"http://" + r.host}, "Cookie": {cookie}}, 101},
		{"localhost origin and host", http.Header{"Origin": {"http://localhost:" + r.port}, "Host": {"localhost:" + r.port}, "Cookie": {cookie}}, 101},
		{"bearer without origin (a script)", http.Header{"Authorization": {"Bearer " + testToken}}, 101},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.header.Clone()
			d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
			u := "ws://" + r.host + "/api/live"
			if host := h.Get("Host"); host != "" {
				// gorilla takes Host from the URL; dial the real address.
				h.Del("Host")
				d.NetDial = func(network, _ string) (net.Conn, error) { return net.Dial(network, r.host) }
				u = "ws://" + host + "/api/live"
			}
			conn, res, err := d.Dial(u, h)
			if c.want == 101 {
				if err != nil {
					t.Fatalf("refused: %v %v", err, res)
				}
				var hello map[string]any
				conn.SetReadDeadline(time.Now().Add(2 * time.Second))
				if err := conn.ReadJSON(&hello); err != nil || hello["type"] != "hello" {
					t.Errorf("hello %v, %v", hello, err)
				}
				conn.Close()
				return
			}
			if err == nil {
				conn.Close()
				t.Fatal("upgrade accepted")
			}
			if res == nil || res.StatusCode != c.want {
				t.Fatalf("status %v, want %d (%v)", res, c.want, err)
			}
		})
	}
}

func settings(checked bool, keys ...string) string {
	var ks []string
	for _, k := range keys {
		ks = append(ks, `{"name":"`+k+`","prefix":"sk-...`+k+`","project":"Default","created":"Mar 3, 2025"}`)
	}
	return `{"controls":[{"label":"Improve the model for everyone","kind":"switch","checked":` + map[bool]string{true: "true", false: "false"}[checked] + `}],` +
		`"account":{"email":"jane@example.com"},"api_keys":[` + strings.Join(ks, ",") + `]}`
}

func saveSnap(t testing.TB, st *store.Store, at time.Time, url, settingsJSON, text string) store.Snapshot {
	t.Helper()
	meta := store.Snapshot{URL: url, Title: "Settings", CapturedAt: at, Trigger: "button", Category: "consent_training",
		Artifacts: []store.ArtifactInfo{{Name: "settings.json", MIME: "application/json"}, {Name: "text.txt", MIME: "text/plain"},
			{Name: "dom.html", MIME: "text/html"}}}
	snap, err := st.SaveSnapshot(context.Background(), meta, map[string]io.Reader{
		"settings.json": strings.NewReader(settingsJSON), "text.txt": strings.NewReader(text),
		"dom.html": strings.NewReader("<html><body><p>page</p><script>alert(1)</script></body></html>")})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func getJSON(t testing.TB, r *running, path string, v any) {
	t.Helper()
	res := r.do(t, req{method: "GET", path: path, bearer: testToken})
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, b)
	}
}

// TestSnapshotViewIsInert: the DOM renders only under a sandbox CSP, and
// no artifact is ever served as HTML by another route.
func TestSnapshotViewIsInert(t *testing.T) {
	r := start(t, nil)
	s := saveSnap(t, r.st, time.Now(), "https://chatgpt.com/#settings", settings(true), "x")
	res := r.do(t, req{method: "GET", path: "/api/snapshots/" + s.ID + "/view", bearer: testToken})
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Security-Policy"), "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'") {
		t.Errorf("view: %d CSP %q", res.StatusCode, res.Header.Get("Content-Security-Policy"))
	}
	res = r.do(t, req{method: "GET", path: "/api/snapshots/" + s.ID + "/artifacts/dom.html", bearer: testToken})
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" || !strings.HasPrefix(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("dom.html as artifact: %q", ct)
	}
	res = r.do(t, req{method: "GET", path: "/api/snapshots/" + s.ID + "/artifacts/dom.html?download=1", bearer: testToken})
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("download: %q", cd)
	}
	if res := r.do(t, req{method: "GET", path: "/api/snapshots/" + s.ID + "/artifacts/nope", bearer: testToken}); res.StatusCode != 404 {
		t.Errorf("missing artifact: %d", res.StatusCode)
	}
}

// readUntil reads messages until one satisfies ok.
func readUntil(t testing.TB, c *websocket.Conn, d time.Duration, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	for {
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("no matching message within %v: %v", d, err)
		}
		if ok(m) {
			return m
		}
	}
}

// TestCaseWorkflow walks the workspace through HTTP and the live feed:
// diff with a planted change, notes, an .eml import, key dependents,
// deletion, export with progress over the websocket, and verify.
func TestCaseWorkflow(t *testing.T) {
	r := start(t, nil)
	ws, _, err := wsDial(t, r, http.Header{"Authorization": {"Bearer " + testToken}})
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool { return m["type"] == "hello" })
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	a := saveSnap(t, r.st, t0, "https://chatgpt.com/#settings/DataControls", settings(true, "aaaa", "bbbb"), "Data controls\nImprove the model: on\n")
	b := saveSnap(t, r.st, t0.Add(time.Hour), "https://chatgpt.com/#settings/DataControls", settings(false, "aaaa", "cccc"), "Data controls\nImprove the model: off\n")
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool { return m["type"] == "snapshot.added" && m["id"] == b.ID })

	// Diff, defaulting to the previous snapshot of the page.
	var d struct {
		A, B        string
		Settings    []struct{ Label, From, To string }
		Added       []struct{ Name string } `json:"keys_added"`
		Removed     []struct{ Name string } `json:"keys_removed"`
		TextChanged bool                    `json:"text_changed"`
	}
	getJSON(t, r, "/api/diff?b="+b.ID, &d)
	if d.A != a.ID || len(d.Settings) != 1 || d.Settings[0].From != "On" || d.Settings[0].To != "Off" ||
		len(d.Added) != 1 || d.Added[0].Name != "cccc" || len(d.Removed) != 1 || d.Removed[0].Name != "bbbb" || !d.TextChanged {
		t.Errorf("diff %+v", d)
	}

	// A note with a secret in it: stored redacted, pushed live.
	res := r.do(t, req{method: "POST", path: "/api/notes", bearer: testToken, body: `{"text":"Ticket 4711, pasted sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD by mistake","about":"2026-11-30"}`})
	if res.StatusCode != 201 {
		t.Fatalf("note: %d", res.StatusCode)
	}
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool { return m["type"] == "note.added" })
	notes, _ := r.st.Notes(context.Background())
	if len(notes) != 1 || strings.Contains(notes[0].Text, "abcdefghijklmnop") || !strings.Contains(notes[0].Text, "Ticket 4711") {
		t.Errorf("notes %+v", notes)
	}

	// Import an email by multipart upload (the drag-and-drop).
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "appeal.eml")
	fw.Write([]byte("From: OpenAI <support@openai.com>\r\nTo: jane@example.com\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nSubject: Your appeal\r\n" +
		"Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nYour account was deactivated. Appeal id 99.\r\n" +
		"--zz\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"shot.png\"\r\n\r\nPNGDATA\r\n--zz--\r\n"))
	mw.Close()
	res = r.do(t, req{method: "POST", path: "/api/import", bearer: testToken, body: body.String(), ctype: mw.FormDataContentType()})
	rb, _ := io.ReadAll(res.Body)
	if res.StatusCode != 201 {
		t.Fatalf("import: %d %s", res.StatusCode, rb)
	}
	var imp struct {
		Imported []struct {
			ID       string
			Category string
			Info     struct {
				Email struct {
					From, Subject string
					Attachments   []struct{ Name string }
				}
			}
		}
	}
	json.Unmarshal(rb, &imp)
	if len(imp.Imported) != 1 || imp.Imported[0].Category != "moderation" || imp.Imported[0].Info.Email.Subject != "Your appeal" ||
		len(imp.Imported[0].Info.Email.Attachments) != 1 || imp.Imported[0].Info.Email.Attachments[0].Name != "shot.png" {
		t.Errorf("import %s", rb)
	}
	impID := imp.Imported[0].ID
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool { return m["type"] == "import.added" && m["id"] == impID })

	// Key inventory: dependents and rotation, then the summary.
	var keys struct {
		Keys []store.APIKey
	}
	getJSON(t, r, "/api/keys", &keys)
	if len(keys.Keys) != 3 {
		t.Fatalf("keys %+v", keys.Keys)
	}
	res = r.do(t, req{method: "PUT", path: "/api/keys", bearer: testToken, body: `{"key":"sk-...aaaa","dependents":["billing-worker"," support-bot",""],"rotation":"not_rotated"}`})
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("update key: %d %s", res.StatusCode, b)
	}
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool { return m["type"] == "key.updated" && m["key"] == "sk-...aaaa" })
	var id store.Identity
	getJSON(t, r, "/api/identity", &id)
	if id.KeyInventory == nil || id.KeyInventory.Keys != 3 || strings.Join(id.KeyInventory.UsedBy, ",") != "billing-worker,support-bot" || id.KeyInventory.NotRotated != 3 {
		t.Errorf("key inventory %+v", id.KeyInventory)
	}
	if res := r.do(t, req{method: "PUT", path: "/api/keys", bearer: testToken, body: `{"key":"sk-...aaaa","rotation":"whenever"}`}); res.StatusCode != 400 {
		t.Errorf("bad rotation: %d", res.StatusCode)
	}

	// Delete the first snapshot: tombstone pushed, chain intact.
	res = r.do(t, req{method: "DELETE", path: "/api/snapshots/" + a.ID, bearer: testToken})
	if res.StatusCode != 200 {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool { return m["type"] == "snapshot.deleted" && m["id"] == a.ID })
	if res := r.do(t, req{method: "GET", path: "/api/snapshots/" + a.ID, bearer: testToken}); res.StatusCode != 404 {
		t.Errorf("deleted snapshot still served: %d", res.StatusCode)
	}
	if bad, err := r.st.VerifyChain(context.Background()); bad != 0 || err != nil {
		t.Errorf("chain broken at %d: %v", bad, err)
	}

	// Export with progress over the websocket, then verify the kit.
	res = r.do(t, req{method: "POST", path: "/api/export", bearer: testToken, body: `{"format":"zip"}`})
	if res.StatusCode != 202 {
		t.Fatalf("export: %d", res.StatusCode)
	}
	var job struct{ Job string }
	json.NewDecoder(res.Body).Decode(&job)
	sawProgress := false
	done := readUntil(t, ws, 20*time.Second, func(m map[string]any) bool {
		if m["type"] == "export.progress" && m["job"] == job.Job {
			sawProgress = true
		}
		if m["type"] == "export.failed" {
			t.Fatalf("export failed: %v", m)
		}
		return m["type"] == "export.done" && m["job"] == job.Job
	})
	if !sawProgress || done["snapshots"].(float64) != 2 {
		t.Errorf("progress %v, done %v", sawProgress, done)
	}
	res = r.do(t, req{method: "GET", path: "/api/exports/" + url.PathEscape(done["file"].(string)), bearer: testToken})
	kit, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || len(kit) < 1000 {
		t.Fatalf("download kit: %d, %d bytes", res.StatusCode, len(kit))
	}
	var v struct {
		OK    bool
		Files []FileResult
	}
	res = r.do(t, req{method: "POST", path: "/api/verify", bearer: testToken, body: string(kit), ctype: "application/zip"})
	json.NewDecoder(res.Body).Decode(&v)
	if !v.OK || len(v.Files) < 5 {
		t.Fatalf("verify %+v", v)
	}
	// One changed byte inside one file is reported against that file.
	bad := rewriteZip(t, kit, "events.jsonl", func(b []byte) []byte { return bytes.Replace(b, []byte("Ticket 4711"), []byte("Ticket 4712"), 1) })
	res = r.do(t, req{method: "POST", path: "/api/verify", bearer: testToken, body: string(bad), ctype: "application/zip"})
	v = struct {
		OK    bool
		Files []FileResult
	}{}
	json.NewDecoder(res.Body).Decode(&v)
	if v.OK {
		t.Error("a tampered kit verified")
	}
	for _, f := range v.Files {
		if f.Path == "events.jsonl" && f.OK {
			t.Errorf("the changed events.jsonl is reported ok: %+v", f)
		}
		if f.Path == "index.html" && !f.OK {
			t.Errorf("an unchanged file is reported bad: %+v", f)
		}
	}
	if res := r.do(t, req{method: "GET", path: "/api/exports/..%2Fringfence.db", bearer: testToken}); res.StatusCode != 404 {
		t.Errorf("path traversal on downloads: %d", res.StatusCode)
	}
}

// TestLoad: 50 websocket clients while 200 snapshots are committed through
// a second store handle (another connection pool on the same file, as a
// second host process has): every client receives every snapshot, and the
// server's heap stays bounded.
func TestLoad(t *testing.T) {
	r := start(t, nil)
	const clients, snaps = 50, 200
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		c, _, err := wsDial(t, r, http.Header{"Authorization": {"Bearer " + testToken}})
		if err != nil {
			t.Fatal(err)
		}
		readUntil(t, c, 2*time.Second, func(m map[string]any) bool { return m["type"] == "hello" })
		conns[i] = c
	}
	other := openStore(t, r.dir) // the "other process"
	heap := func() uint64 {
		var ms runtimeMemStats
		readMem(&ms)
		return ms.HeapInuse
	}
	before := heap()
	want := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	got := make([]int, clients)
	for i, c := range conns {
		wg.Add(1)
		go func(i int, c *websocket.Conn) {
			defer wg.Done()
			seen := map[string]bool{}
			c.SetReadDeadline(time.Now().Add(60 * time.Second))
			for len(seen) < snaps {
				var m map[string]any
				if err := c.ReadJSON(&m); err != nil {
					break
				}
				if m["type"] == "snapshot.added" {
					seen[m["id"].(string)] = true
				}
			}
			mu.Lock()
			got[i] = len(seen)
			mu.Unlock()
		}(i, c)
	}
	start := time.Now()
	for i := 0; i < snaps; i++ {
		s := saveSnap(t, other, start.Add(time.Duration(i)*time.Second), "https://platform.openai.com/api-keys", settings(i%2 == 0, "k"), strings.Repeat("line\n", 50))
		mu.Lock()
		want[s.ID] = true
		mu.Unlock()
	}
	wg.Wait()
	t.Logf("%d snapshots to %d clients in %v", snaps, clients, time.Since(start))
	for i, n := range got {
		if n != snaps {
			t.Errorf("client %d received %d of %d snapshots", i, n, snaps)
		}
	}
	after := heap()
	t.Logf("heap in use: %d KiB before, %d KiB after", before>>10, after>>10)
	if after > before+16<<20 {
		t.Errorf("heap grew by %d MiB serving %d clients", (after-before)>>20, clients)
	}
	if n := r.srv.hub.count(); n != clients {
		t.Errorf("%d clients connected after the run, want %d", n, clients)
	}
}

// TestSlowClientIsDropped: a client that never reads is dropped once its
// buffer is full; the others keep receiving.
func TestSlowClientIsDropped(t *testing.T) {
	r := start(t, func(c *Config) { c.ClientBuffer = 4 })
	slow, _, err := wsDial(t, r, http.Header{"Authorization": {"Bearer " + testToken}})
	if err != nil {
		t.Fatal(err)
	}
	_ = slow // never read
	fast, _, err := wsDial(t, r, http.Header{"Authorization": {"Bearer " + testToken}})
	if err != nil {
		t.Fatal(err)
	}
	// The upgrade answers before the handler joins the client to the hub:
	// flooding earlier would miss a client (the fast one's hello is queued
	// after it joined).
	readUntil(t, fast, 5*time.Second, func(m map[string]any) bool { return m["type"] == "hello" })
	for wait := time.Now().Add(5 * time.Second); r.srv.hub.count() != 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatalf("%d clients joined, want 2", r.srv.hub.count())
		}
	}
	// Fill the slow client's socket buffers and queue with big messages.
	big := strings.Repeat("x", 200<<10)
	var last string
	deadline := time.Now().Add(20 * time.Second)
	for r.srv.hub.count() == 2 && time.Now().Before(deadline) {
		for i := 0; i < 3; i++ { // within the fast client's buffer of 4
			last = big[:10] + time.Now().String()
			r.srv.send(map[string]any{"type": "test", "pad": big, "mark": last})
		}
		fast.SetReadDeadline(time.Now().Add(5 * time.Second))
		readUntil(t, fast, 5*time.Second, func(m map[string]any) bool { return m["mark"] == last })
	}
	if n := r.srv.hub.count(); n != 1 {
		t.Fatalf("%d clients after flooding, want the slow one dropped", n)
	}
	r.srv.send(map[string]any{"type": "test", "mark": "after"})
	readUntil(t, fast, 2*time.Second, func(m map[string]any) bool { return m["mark"] == "after" })
}

// TestOversizedClientMessageClosesSocket: the read limit holds.
func TestOversizedClientMessageClosesSocket(t *testing.T) {
	r := start(t, nil)
	c, _, err := wsDial(t, r, http.Header{"Authorization": {"Bearer " + testToken}})
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, c, 2*time.Second, func(m map[string]any) bool { return m["type"] == "hello" })
	c.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("a"), maxClientMessage+1))
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) && !strings.Contains(err.Error(), "close") && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
				t.Errorf("socket ended with %v", err)
			}
			break
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for r.srv.hub.count() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := r.srv.hub.count(); n != 0 {
		t.Errorf("%d clients left", n)
	}
}

// TestKitCarriesKeyInventory: a kit exported from a store with keys holds
// api-keys.json with the recorded dependents, and still verifies.
func TestKitCarriesKeyInventory(t *testing.T) {
	r := start(t, nil)
	saveSnap(t, r.st, time.Now(), "https://platform.openai.com/api-keys", settings(true, "aaaa"), "keys")
	if _, err := r.st.UpdateAPIKey(context.Background(), "sk-...aaaa", []string{"billing-worker"}, "rotated"); err != nil {
		t.Fatal(err)
	}
	_, sk, _ := ed25519.GenerateKey(nil)
	var buf bytes.Buffer
	if _, err := evidence.WriteKit(context.Background(), evidence.StoreSource{Store: r.st}, &buf, evidence.Options{SigningKey: sk}); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range zr.File {
		if f.Name == evidence.FileAPIKeys {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			found = strings.Contains(string(b), "billing-worker") && strings.Contains(string(b), `"rotation": "rotated"`)
		}
	}
	if !found {
		t.Error("the kit has no api-keys.json with the dependents")
	}
	v, err := evidence.VerifyKit(context.Background(), zr)
	if err != nil || !v.OK() {
		t.Errorf("verify: %v %+v", err, v)
	}
}

// rewriteZip copies a zip, passing one entry's bytes through edit.
func rewriteZip(t *testing.T, kit []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(kit), int64(len(kit)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	changed := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			nb := edit(b)
			changed = !bytes.Equal(nb, b)
			b = nb
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	if !changed {
		t.Fatalf("%s was not changed", name)
	}
	return out.Bytes()
}
