package dashboard

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/audit/audittest"
	"github.com/ringfence/ringfence/internal/spec"
)

// TestAuditsAPI: the Audits view's API over a real server, behind the same
// token and Host checks as the rest, live-updated over the websocket.
func TestAuditsAPI(t *testing.T) {
	r := start(t, nil)
	ctx := context.Background()
	var list struct {
		Audits []struct {
			ID       string `json:"id"`
			Status   string `json:"status"`
			Captured int    `json:"captured"`
			Skipped  int    `json:"skipped"`
			Actions  int    `json:"actions"`
			High     int    `json:"high"`
			Shared   bool   `json:"identity_shared"`
		} `json:"audits"`
		AuditPage string `json:"audit_page"`
		RunHelp   string `json:"run_help"`
	}
	getJSON(t, r, "/api/audits", &list)
	if len(list.Audits) != 0 || list.AuditPage != "" || !strings.Contains(list.RunHelp, "toolbar button → Run audit") {
		t.Fatalf("empty list: %+v", list)
	}
	if res := r.do(t, req{method: "GET", path: "/api/audits/latest", bearer: testToken}); res.StatusCode != http.StatusNotFound {
		t.Errorf("latest with no audit: %d", res.StatusCode)
	}

	ws, _, err := wsDial(t, r, http.Header{"Authorization": {"Bearer " + testToken}})
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool { return m["type"] == "hello" })
	first, err := audittest.Run(ctx, r.st, audittest.Week1)
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool {
		return m["type"] == "audit.updated" && m["id"] == first.AuditID && m["info"] == "completed"
	})
	// A running audit started by the extension, with its page: pushed live too.
	page := "moz-extension://0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/audit.html"
	running, err := r.st.BeginAudit(ctx, true, page, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool { return m["type"] == "audit.updated" && m["id"] == running.ID })
	if err := audittest.Step(ctx, r.st, running.ID, audittest.Week2[0]); err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, 2*time.Second, func(m map[string]any) bool {
		return m["type"] == "audit.updated" && m["id"] == running.ID && m["info"] == "chatgpt.account"
	})
	// Finishing the extension's audit makes it the newest completed one.
	second, err := audittest.Run(ctx, r.st, audittest.Week2) // abandons running
	if err != nil {
		t.Fatal(err)
	}

	getJSON(t, r, "/api/audits", &list)
	if len(list.Audits) != 3 || list.Audits[0].ID != second.AuditID || list.Audits[1].Status != "abandoned" ||
		list.Audits[2].ID != first.AuditID || list.AuditPage != page {
		t.Fatalf("list: %+v", list)
	}
	if a := list.Audits[0]; a.Captured != 5 || a.Skipped != 1 || a.Actions != 5 || a.High != 3 || !a.Shared {
		t.Errorf("second audit's row: %+v", a)
	}
	var sum spec.AuditSummary
	getJSON(t, r, "/api/audits/latest", &sum)
	if sum.AuditID != second.AuditID || sum.Changes == nil || len(sum.Changes.KeysAdded) != 1 || !sum.Changes.KeysAdded[0].Unowned {
		t.Errorf("latest: %+v", sum)
	}
	getJSON(t, r, "/api/audits/"+running.ID, &sum)
	if sum.Status != "abandoned" || len(sum.Steps) != 1 || sum.Changes != nil {
		t.Errorf("abandoned audit: %+v", sum)
	}

	tests := []struct {
		name string
		q    req
		code int
	}{
		{"no token", req{method: "GET", path: "/api/audits"}, http.StatusUnauthorized},
		{"wrong token", req{method: "GET", path: "/api/audits/latest", bearer: "nope-nope-nope-nope"}, http.StatusUnauthorized},
		{"rebound host", req{method: "GET", path: "/api/audits", bearer: testToken, host: "evil.example:" + r.port}, http.StatusMisdirectedRequest},
		{"unknown audit", req{method: "GET", path: "/api/audits/a-20990101T000000Z-00000000", bearer: testToken}, http.StatusNotFound},
		{"not writable", req{method: "POST", path: "/api/audits", bearer: testToken, origin: r.base}, http.StatusMethodNotAllowed},
		{"cross-origin write", req{method: "POST", path: "/api/audits", cookie: testToken, origin: "https://evil.example"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res := r.do(t, tt.q); res.StatusCode != tt.code {
				t.Errorf("%s %s: %d, want %d", tt.q.method, tt.q.path, res.StatusCode, tt.code)
			}
		})
	}
}

// TestRunAuditLinksOnlyToTheExtension: a stored audit page that is not the
// extension's own (a database edited by hand) is never offered as a link.
func TestRunAuditLinksOnlyToTheExtension(t *testing.T) {
	r := start(t, nil)
	if err := r.st.SetAuditPage(context.Background(), "https://evil.example/audit.html"); err != nil {
		t.Fatal(err)
	}
	var list struct {
		AuditPage string `json:"audit_page"`
	}
	getJSON(t, r, "/api/audits", &list)
	if list.AuditPage != "" {
		t.Errorf("audit_page %q offered", list.AuditPage)
	}
}

// TestAuditsPageIsServed: the page has the Audits tab and the script has
// the view's documented hooks (docs/dashboard.md).
func TestAuditsPageIsServed(t *testing.T) {
	r := start(t, nil)
	res := r.do(t, req{method: "GET", path: "/", bearer: testToken})
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(b), `id="nav-audits"`) || !strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("index: %d %s", res.StatusCode, b)
	}
	res = r.do(t, req{method: "GET", path: "/app.js", bearer: testToken})
	js, _ := io.ReadAll(res.Body)
	for _, hook := range []string{"data-audits", "data-run-audit", "data-audit-page-known", "data-audit-actions", "data-action-severity",
		"data-audit-changes", "data-change-kind", "data-key-unowned", "data-audit-steps", "data-step-status", "data-step-snapshot",
		"data-audit-identity", "data-identity-shared", `"#audit/"`} {
		if !strings.Contains(string(js), hook) {
			t.Errorf("app.js lacks %s", hook)
		}
	}
}
