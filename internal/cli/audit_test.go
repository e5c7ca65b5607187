package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/audit/audittest"
	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/spec"
)

// plantAudits runs the two planted weekly audits in home's store and
// returns their ids, oldest first.
func plantAudits(t *testing.T, home string) (string, string) {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	st := openRingStore(t, ctx, ring, home)
	defer st.Close()
	a, err := audittest.Run(ctx, st, audittest.Week1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := audittest.Run(ctx, st, audittest.Week2)
	if err != nil {
		t.Fatal(err)
	}
	return a.AuditID, b.AuditID
}

func TestAuditVerbs(t *testing.T) {
	home := t.TempDir()
	if out, _, code := run(t, home, "audits"); code != ExitOK || !strings.Contains(out, "No audits yet") {
		t.Fatalf("audits on an empty store: %d %q", code, out)
	}
	if _, errOut, code := run(t, home, "audit", "show", "latest"); code != ExitNotFound || !strings.Contains(errOut, "no audit") {
		t.Errorf("audit show latest with none: %d %q", code, errOut)
	}
	first, second := plantAudits(t, home)

	out, _, code := run(t, home, "audits")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || len(lines) != 3 || !strings.HasPrefix(lines[1], second) || !strings.HasPrefix(lines[2], first) {
		t.Fatalf("audits (newest first):\n%s", out)
	}
	// second: 5 captured, 1 skipped, 0 failed, 5 actions.
	if f := strings.Fields(lines[1]); strings.Join(f[len(f)-4:], " ") != "5 1 0 5" || f[1] != "completed" {
		t.Errorf("second audit's row: %q", lines[1])
	}

	out, _, code = run(t, home, "audits", "--json")
	var rows []auditRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != ExitOK || len(rows) != 2 || rows[0].ID != second ||
		rows[0].Skipped != 1 || rows[0].Actions != 5 || rows[1].Captured != 6 {
		t.Fatalf("audits --json: %v %s", err, out)
	}

	tests := []struct {
		name string
		args []string
		code int
		want []string // in this order
	}{
		{"latest", []string{"audit", "show", "latest"}, ExitOK, []string{
			"Audit " + second + " (completed)", "5 page(s) captured, 1 skipped, 0 failed.",
			"Needs action:", "[HIGH] New API key ci-bot (sk-...Ci7z)", "[HIGH] “Improve the model for everyone” changed from “Off” to “On”",
			"[HIGH] The same identity (jane@example.com)", "[MEDIUM] Your custom instructions or memory changed",
			"[MEDIUM] API platform: Billing was skipped",
			"Changes since the previous audit:", "API key added: ci-bot sk-...Ci7z on API platform: API keys (default project) — nothing recorded as using it",
			"setting Improve the model for everyone: Off → On", "setting What would you like ChatGPT to know about you?: I write Go for a living. → I write Rust for a living.",
			"Pages not captured:", "API platform: Billing: skipped (redirected to sign-in)",
			"Identity check:", "SHARED: jane@example.com", "separate identity"}},
		{"first by id", []string{"audit", "show", first}, ExitOK, []string{
			"Audit " + first, "6 page(s) captured", "none compared: this is the first", "Pages not captured:\n  none.", "SHARED"}},
		{"unknown id", []string{"audit", "show", "a-20990101T000000Z-00000000"}, ExitNotFound, nil},
		{"no id", []string{"audit", "show"}, ExitUsage, nil},
		{"two ids", []string{"audit", "show", first, second}, ExitUsage, nil},
		{"no subcommand", []string{"audit"}, ExitUsage, nil},
		{"wrong subcommand", []string{"audit", "list"}, ExitUsage, nil},
		{"bad flag", []string{"audits", "--bogus"}, ExitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, home, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; %q %q", code, tt.code, out, errOut)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("%q missing (or out of order) in:\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
	out, _, code = run(t, home, "audit", "show", second, "--json")
	var sum spec.AuditSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != ExitOK || sum.AuditID != second || sum.Changes == nil ||
		len(sum.Changes.KeysAdded) != 1 || !sum.Identity.Shared {
		t.Errorf("audit show --json: %v %s", err, out)
	}
	if out, _, _ := run(t, home, "help"); !strings.Contains(out, "audits") || !strings.Contains(out, "audit show ID") {
		t.Errorf("usage lacks the audit verbs:\n%s", out)
	}
}

// TestKitListsAuditActions: the kit's checklist carries the latest
// completed audit's actions under an Audit heading, and the kit verifies.
func TestKitListsAuditActions(t *testing.T) {
	home := t.TempDir()
	_, second := plantAudits(t, home)
	kit := filepath.Join(t.TempDir(), "kit.zip")
	if out, errOut, code := run(t, home, "export", "--out", kit); code != ExitOK {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	if out, errOut, code := run(t, home, "verify", kit); code != ExitOK || !strings.Contains(out, "intact") {
		t.Fatalf("verify: %d %s %s", code, out, errOut)
	}
	files := unzipAll(t, kit)
	// audit.json is the summary the audit.completed event hashed.
	var summaryHash string
	for _, line := range strings.Split(strings.TrimSpace(string(files["events.jsonl"])), "\n") {
		var e struct {
			Type   string
			Detail struct {
				AuditID string `json:"audit_id"`
				SHA     string `json:"summary_sha256"`
			}
		}
		if json.Unmarshal([]byte(line), &e) == nil && e.Type == "audit.completed" && e.Detail.AuditID == second {
			summaryHash = e.Detail.SHA
		}
	}
	h := sha256.Sum256(files["audit.json"])
	if summaryHash == "" || hex.EncodeToString(h[:]) != summaryHash || !strings.Contains(string(files["audit.json"]), second) {
		t.Errorf("audit.json (%d bytes) does not match the logged summary hash %q", len(files["audit.json"]), summaryHash)
	}
	index := string(files["index.html"])
	check, _, _ := strings.Cut(index[strings.Index(index, `<section id="checklist">`):], "</section>")
	for _, want := range []string{`data-audit-id="` + second + `"`, ">Audit <span", second,
		"New API key ci-bot (sk-...Ci7z)", "Improve the model for everyone", "API platform: Billing was skipped"} {
		if !strings.Contains(check, want) {
			t.Errorf("the checklist lacks %q:\n%s", want, check)
		}
	}
	if n := strings.Count(check, `data-severity="high"`); n != 3 {
		t.Errorf("%d high actions in the checklist, want 3", n)
	}
	if n := strings.Count(check, `data-severity="medium"`); n != 2 {
		t.Errorf("%d medium actions in the checklist, want 2", n)
	}
	// The WACZ's report has them too, and it verifies.
	wacz := filepath.Join(t.TempDir(), "kit.wacz")
	if _, errOut, code := run(t, home, "export", "--format", "wacz", "--out", wacz); code != ExitOK {
		t.Fatalf("export wacz: %d %s", code, errOut)
	}
	if out, _, code := run(t, home, "verify", wacz); code != ExitOK {
		t.Fatalf("verify wacz: %d %s", code, out)
	}
}
