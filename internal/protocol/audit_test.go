package protocol

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// auditSnapshot stores one settings.json as an audit capture of url.
func auditSnapshot(t *testing.T, s *Server, url string, settings string) string {
	t.Helper()
	meta := metaJSON()
	meta["trigger"], meta["url"], meta["title"] = "audit", url, "audit page"
	return upload(t, s, meta, []byte(settings)).SnapshotID
}

func mustOK(t *testing.T, r ReplyOf, what string) json.RawMessage {
	t.Helper()
	if !r.OK {
		t.Fatalf("%s: %+v", what, r.Error)
	}
	return r.Body
}

func beginAudit(t *testing.T, s *Server, body map[string]any) spec.AuditBeginReply {
	t.Helper()
	var b spec.AuditBeginReply
	json.Unmarshal(mustOK(t, call(t, s, "audit.begin", body), "audit.begin"), &b)
	if !strings.HasPrefix(b.AuditID, "a-") {
		t.Fatalf("audit id %q", b.AuditID)
	}
	return b
}

func step(id, project, status, snap string) map[string]any {
	m := map[string]any{"step_id": id, "title": "t", "url": "https://chatgpt.com/#settings/Account", "status": status,
		"at": "2026-11-30T10:02:03.456Z"}
	if project != "" {
		m["project"] = project
	}
	if snap != "" {
		m["snapshot_id"] = snap
	}
	return m
}

// TestAuditStepValidation: every bad step is refused with a stable code and
// stores nothing.
func TestAuditStepValidation(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	plain := upload(t, s, metaJSON(), []byte(`{"controls":[]}`)).SnapshotID // trigger button
	good := auditSnapshot(t, s, "https://chatgpt.com/#settings/Account", `{"controls":[]}`)
	old := beginAudit(t, s, nil).AuditID
	run := beginAudit(t, s, map[string]any{"scheduled": true}).AuditID // abandons old
	tests := []struct {
		name string
		body map[string]any
		code string
	}{
		{"no audit id", map[string]any{"step": step("chatgpt.account", "", "skipped", "")}, spec.CodeBadRequest},
		{"unknown audit", map[string]any{"audit_id": "a-nope", "step": step("chatgpt.account", "", "skipped", "")}, spec.CodeUnknownAudit},
		{"abandoned audit", map[string]any{"audit_id": old, "step": step("chatgpt.account", "", "skipped", "")}, spec.CodeAuditClosed},
		{"unknown step", map[string]any{"audit_id": run, "step": step("chatgpt.nope", "", "skipped", "")}, spec.CodeBadRequest},
		{"per-project without project", map[string]any{"audit_id": run, "step": step("platform.project-api-keys", "", "skipped", "")}, spec.CodeBadRequest},
		{"per-project bad project", map[string]any{"audit_id": run, "step": step("platform.project-api-keys", "default", "skipped", "")}, spec.CodeBadRequest},
		{"project on a plain step", map[string]any{"audit_id": run, "step": step("chatgpt.account", "proj_abc", "skipped", "")}, spec.CodeBadRequest},
		{"bad status", map[string]any{"audit_id": run, "step": step("chatgpt.account", "", "done", "")}, spec.CodeBadRequest},
		{"captured without snapshot", map[string]any{"audit_id": run, "step": step("chatgpt.account", "", "captured", "")}, spec.CodeBadRequest},
		{"skipped with snapshot", map[string]any{"audit_id": run, "step": step("chatgpt.account", "", "skipped", good)}, spec.CodeBadRequest},
		{"snapshot not stored", map[string]any{"audit_id": run, "step": step("chatgpt.account", "", "captured", "20261130T100203Z-deadbeef")}, spec.CodeBadRequest},
		{"snapshot not an audit capture", map[string]any{"audit_id": run, "step": step("chatgpt.account", "", "captured", plain)}, spec.CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, s, "audit.step", tt.body)
			if r.OK || r.Error == nil || r.Error.Code != tt.code {
				t.Fatalf("got ok=%v %+v, want %s", r.OK, r.Error, tt.code)
			}
		})
	}
	a, err := s.store.GetAudit(context.Background(), run)
	if err != nil || len(a.Steps) != 0 {
		t.Fatalf("refused steps were stored: %+v %v", a.Steps, err)
	}
	// The good ones, and a repeat that replaces.
	for i, st := range []map[string]any{step("chatgpt.account", "", "captured", good),
		step("platform.project-api-keys", "proj_abc123", "skipped", ""), step("chatgpt.account", "", "failed", "")} {
		var rep spec.AuditStepReply
		json.Unmarshal(mustOK(t, call(t, s, "audit.step", map[string]any{"audit_id": run, "step": st}), "step"), &rep)
		if want := min(i+1, 2); rep.Steps != want {
			t.Errorf("step %d: steps=%d, want %d", i, rep.Steps, want)
		}
	}
	if r := call(t, s, "audit.finish", map[string]any{"audit_id": old}); r.OK || r.Error.Code != spec.CodeAuditClosed {
		t.Errorf("finish abandoned: %+v", r.Error)
	}
	if r := call(t, s, "audit.finish", map[string]any{"audit_id": "a-none"}); r.OK || r.Error.Code != spec.CodeUnknownAudit {
		t.Errorf("finish unknown: %+v", r.Error)
	}
	if r := call(t, s, "audit.show", map[string]any{"audit_id": "a-none"}); r.OK || r.Error.Code != spec.CodeUnknownAudit {
		t.Errorf("show unknown: %+v", r.Error)
	}
	if r := call(t, s, "audit.begin", map[string]any{"audit_page": "https://evil.example/audit.html"}); r.OK || r.Error.Code != spec.CodeBadRequest {
		t.Errorf("begin with a foreign audit_page: %+v", r.Error)
	}
}

// TestAuditFlow: begin, steps, finish, show; the events are in the chain and
// the summary is sealed at rest.
func TestAuditFlow(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	if r := mustOK(t, call(t, s, "audit.show", nil), "show none"); string(r) != `{"audit":null}` {
		t.Fatalf("show with no audit: %s", r)
	}
	page := "chrome-extension://abcdefghijklmnopabcdefghijklmnop/audit.html"
	b := beginAudit(t, s, map[string]any{"audit_page": page})
	if b.PreviousID != nil {
		t.Fatalf("first audit has a previous one: %v", *b.PreviousID)
	}
	snap := auditSnapshot(t, s, "https://chatgpt.com/#settings/Account",
		`{"account":{"email":"jane@example.com"},"controls":[]}`)
	mustOK(t, call(t, s, "audit.step", map[string]any{"audit_id": b.AuditID, "step": step("chatgpt.account", "", "captured", snap)}), "step")
	mustOK(t, call(t, s, "audit.step", map[string]any{"audit_id": b.AuditID, "step": step("platform.billing", "", "skipped", "")}), "step")
	var fin spec.AuditFinishReply
	json.Unmarshal(mustOK(t, call(t, s, "audit.finish", map[string]any{"audit_id": b.AuditID}), "finish"), &fin)
	if fin.Audit.Status != "completed" || fin.Audit.FinishedAt == nil || len(fin.Audit.Steps) != 2 || fin.Audit.Changes != nil {
		t.Fatalf("finish: %+v", fin.Audit)
	}
	if len(fin.Audit.Actions) != 1 || fin.Audit.Actions[0].Severity != "medium" || fin.Audit.Actions[0].StepID != "platform.billing" {
		t.Errorf("actions: %+v", fin.Audit.Actions)
	}
	if r := call(t, s, "audit.step", map[string]any{"audit_id": b.AuditID, "step": step("chatgpt.account", "", "skipped", "")}); r.OK || r.Error.Code != spec.CodeAuditClosed {
		t.Errorf("step after finish: %+v", r.Error)
	}
	var show spec.AuditShowReply
	json.Unmarshal(mustOK(t, call(t, s, "audit.show", map[string]any{}), "show"), &show)
	if show.Audit == nil || show.Audit.AuditID != b.AuditID || show.Audit.Status != "completed" || len(show.Audit.Actions) != 1 {
		t.Fatalf("show: %+v", show.Audit)
	}
	b2 := beginAudit(t, s, nil)
	if b2.PreviousID == nil || *b2.PreviousID != b.AuditID {
		t.Errorf("second audit's previous: %v", b2.PreviousID)
	}
	var types []string
	s.store.Events(context.Background(), func(e store.Event) error {
		if strings.HasPrefix(e.Type, "audit.") {
			types = append(types, e.Type)
			if e.Type == "audit.completed" && !strings.Contains(string(e.Detail), `"summary_sha256":"`) {
				t.Errorf("completed detail: %s", e.Detail)
			}
		}
		return nil
	})
	if strings.Join(types, ",") != "audit.started,audit.completed,audit.started" {
		t.Errorf("events: %v", types)
	}
	if n, err := s.store.VerifyChain(context.Background()); err != nil || n != 0 {
		t.Errorf("chain: %d %v", n, err)
	}
	if p, _ := s.store.AuditPage(context.Background()); p != page {
		t.Errorf("audit page %q", p)
	}
}
