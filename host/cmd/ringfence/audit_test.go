package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/audit/audittest"
	"github.com/ringfence/ringfence/internal/protocol"
	"github.com/ringfence/ringfence/internal/spec"
)

// runAuditOverPort runs one audit through the real binary the way the
// extension does: audit.begin, an audit-trigger snapshot per captured page,
// audit.step for each, audit.finish.
func runAuditOverPort(t *testing.T, h *hostProc, pages []audittest.Page) spec.AuditSummary {
	t.Helper()
	var b spec.AuditBeginReply
	if err := h.Must("audit.begin", map[string]any{"audit_page": "chrome-extension://abcdefghijklmnopabcdefghijklmnop/audit.html"}, &b); err != nil {
		t.Fatalf("audit.begin: %v\n%s", err, h.stderr)
	}
	for _, p := range pages {
		url := "https://platform.openai.com/x"
		step := map[string]any{"step_id": p.StepID, "title": p.StepID, "url": url, "status": "captured",
			"at": "2026-11-30T10:02:03.456Z"}
		if p.Project != "" {
			step["project"] = p.Project
		}
		if p.Status != "" {
			step["status"], step["reason"], step["final_url"] = p.Status, p.Reason, "https://auth.openai.com/log-in"
		} else {
			meta := testMeta(p.StepID)
			meta["trigger"] = "audit"
			res, err := h.UploadSnapshot(context.Background(), meta, []protocol.Artifact{
				{Name: "settings.json", MIME: "application/json", Data: []byte(p.Settings)}}, 0)
			if err != nil {
				t.Fatalf("upload %s: %v\n%s", p.StepID, err, h.stderr)
			}
			step["snapshot_id"] = res.SnapshotID
		}
		if err := h.Must("audit.step", map[string]any{"audit_id": b.AuditID, "step": step}, nil); err != nil {
			t.Fatalf("audit.step %s: %v", p.StepID, err)
		}
	}
	var f spec.AuditFinishReply
	if err := h.Must("audit.finish", map[string]any{"audit_id": b.AuditID}, &f); err != nil {
		t.Fatalf("audit.finish: %v", err)
	}
	return f.Audit
}

// TestAuditThroughTheBinary: two weekly audits over a real native port and
// a real store; the CLI then reads the summary the host stored.
func TestAuditThroughTheBinary(t *testing.T) {
	home := t.TempDir()
	h := startHost(t, home, chromeArgs()...)
	var hello struct {
		Capabilities []string `json:"capabilities"`
	}
	if err := h.Must("hello", map[string]any{"extension_version": "0.1.0"}, &hello); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(hello.Capabilities, "audit") {
		t.Errorf("capabilities %v lack audit", hello.Capabilities)
	}
	first := runAuditOverPort(t, h, audittest.Week1)
	second := runAuditOverPort(t, h, audittest.Week2)
	if second.Changes == nil || second.Changes.PreviousID != first.AuditID || len(second.Changes.KeysAdded) != 1 ||
		len(second.Changes.Settings) != 2 || len(second.Changes.Failed) != 1 || len(second.Actions) != 5 {
		t.Fatalf("second audit: %+v", second)
	}
	if code := h.close(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, h.stderr)
	}
	out, code := runCLI(t, home, "audit", "show", "latest", "--json")
	var shown spec.AuditSummary
	if code != 0 || json.Unmarshal([]byte(out), &shown) != nil || shown.AuditID != second.AuditID || len(shown.Actions) != 5 {
		t.Fatalf("audit show latest --json: %d %s", code, out)
	}
	out, code = runCLI(t, home, "audits")
	if code != 0 || strings.Count(out, "completed") != 2 {
		t.Errorf("audits: %d %s", code, out)
	}
	if out, code := runCLI(t, home, "audit", "show", "a-nope"); code != 3 {
		t.Errorf("audit show a-nope: %d %s", code, out)
	}
	events, _ := runCLI(t, home, "events", "--json")
	if strings.Count(events, `"audit.started"`) != 2 || strings.Count(events, `"audit.completed"`) != 2 {
		t.Errorf("events: %s", events)
	}
	// (doctor exits 1 here for the browser registrations a test does not make.)
	if out, _ := runCLI(t, home, "doctor"); !strings.Contains(out, "[ok  ] event log: hash chain intact") || !strings.Contains(out, "schema 5") {
		t.Errorf("doctor after audits: %s", out)
	}
}
