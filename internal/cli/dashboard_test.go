package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/dashboard"
	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/store"
)

func TestServeRefusesNonLoopback(t *testing.T) {
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"serve", "--addr", "0.0.0.0:0"}, ExitUsage, "not a loopback address"},
		{[]string{"serve", "--addr", "[::]:0"}, ExitUsage, "not a loopback address"},
		{[]string{"serve", "--addr", "192.0.2.1:8080"}, ExitUsage, "--unsafe-listen"},
		{[]string{"serve", "--addr", "example.com:80"}, ExitUsage, "not a loopback address"},
		{[]string{"serve", "--addr", "no-port"}, ExitUsage, "--addr"},
	}
	for _, c := range cases {
		home := t.TempDir()
		_, errOut, code := run(t, home, c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, stderr %q", c.args, code, errOut)
		}
		if _, err := os.Stat(filepath.Join(home, "ringfence.db")); err == nil {
			t.Errorf("%v: refused, but the store was opened", c.args)
		}
	}
}

func TestServePrintToken(t *testing.T) {
	home := t.TempDir()
	out, errOut, code := run(t, home, "serve", "--print-token")
	tok := strings.TrimSpace(out)
	if code != ExitOK || len(tok) < 40 {
		t.Fatalf("exit %d, %q %q", code, out, errOut)
	}
	again, _, _ := run(t, home, "serve", "--print-token")
	if strings.TrimSpace(again) != tok {
		t.Error("the token changed between runs: it must be per install")
	}
	other, _, _ := run(t, t.TempDir(), "serve", "--print-token")
	if strings.TrimSpace(other) == tok {
		t.Error("two data folders share a token")
	}
}

// TestImportDiffDelete drives the new verbs against a real store.
func TestImportDiffDelete(t *testing.T) {
	home := t.TempDir()
	ctx := context.Background()
	ring, err := keys.Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	st := openRingStore(t, ctx, ring, home)
	save := func(at time.Time, on string) store.Snapshot {
		s, err := st.SaveSnapshot(ctx, store.Snapshot{URL: "https://chatgpt.com/#settings/DataControls", CapturedAt: at, Trigger: "button",
			Artifacts: []store.ArtifactInfo{{Name: "settings.json", MIME: "application/json"}}},
			map[string]io.Reader{"settings.json": strings.NewReader(`{"controls":[{"label":"Improve the model for everyone","kind":"switch","checked":` + on + `}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	a, b := save(t0, "true"), save(t0.Add(time.Hour), "false")
	st.Close()

	out, errOut, code := run(t, home, "diff", a.ID, b.ID)
	if code != ExitOK || !strings.Contains(out, "Improve the model for everyone: On → Off") {
		t.Errorf("diff: %d %q %q", code, out, errOut)
	}
	out, _, code = run(t, home, "diff", a.ID, b.ID, "--json")
	var d struct {
		Settings []struct{ From, To string }
	}
	if json.Unmarshal([]byte(out), &d) != nil || code != 0 || len(d.Settings) != 1 {
		t.Errorf("diff --json: %s", out)
	}
	if _, _, code := run(t, home, "diff", a.ID, "nope"); code != ExitNotFound {
		t.Errorf("diff with a missing id: exit %d", code)
	}

	dir := t.TempDir()
	eml := filepath.Join(dir, "ban.eml")
	os.WriteFile(eml, []byte("From: OpenAI <noreply@openai.com>\nTo: jane@example.com\nDate: Tue, 1 Dec 2026 08:00:00 +0000\nSubject: Account deactivated\n\nYour account has been deactivated for violating our usage policies.\n"), 0o600)
	txt := filepath.Join(dir, "chat.txt")
	os.WriteFile(txt, []byte("Support chat: they asked for billing details.\n"), 0o600)
	bad := filepath.Join(dir, "x.exe")
	os.WriteFile(bad, []byte("MZ"), 0o600)
	out, errOut, code = run(t, home, "import", eml, txt, bad, "--json")
	if code != ExitFailure || !strings.Contains(errOut, "unsupported file type") {
		t.Errorf("import with one bad file: exit %d, %q", code, errOut)
	}
	var imp []struct{ ID, Category string }
	if err := json.Unmarshal([]byte(out), &imp); err != nil || len(imp) != 2 || imp[0].Category != "moderation" || imp[1].Category != "account_status" {
		t.Fatalf("import: %s (%v)", out, err)
	}
	out, _, _ = run(t, home, "list")
	if !strings.Contains(out, "Account deactivated") || !strings.Contains(out, "import") {
		t.Errorf("list after import:\n%s", out)
	}

	out, errOut, code = run(t, home, "delete", imp[0].ID, "--reason", "duplicate")
	if code != ExitOK || !strings.Contains(out, "tombstone: event") {
		t.Fatalf("delete: %d %q %q", code, out, errOut)
	}
	if _, _, code := run(t, home, "show", imp[0].ID); code != ExitNotFound {
		t.Errorf("show after delete: exit %d", code)
	}
	if _, _, code := run(t, home, "delete", imp[0].ID); code != ExitNotFound {
		t.Errorf("second delete: exit %d", code)
	}
	out, _, _ = run(t, home, "events", "--json")
	if !strings.Contains(out, `"snapshot.deleted"`) || !strings.Contains(out, `"reason":"duplicate"`) {
		t.Errorf("events lack the tombstone:\n%s", out)
	}
	// A kit exported after the deletion verifies.
	kit := filepath.Join(t.TempDir(), "kit.zip")
	if _, errOut, code := run(t, home, "export", "--out", kit); code != ExitOK {
		t.Fatalf("export: %s", errOut)
	}
	out, errOut, code = run(t, home, "verify", kit)
	if code != ExitOK || !strings.HasPrefix(out, "OK:") {
		t.Errorf("verify after delete: %d %q %q", code, out, errOut)
	}
	if out, _, _ := run(t, home, "doctor"); strings.Contains(out, "broken") {
		t.Errorf("doctor after delete:\n%s", out)
	}
}

// Four dashboard.open calls at once (two browsers, a double click) start one
// server and all get its address.
func TestEnsureStartsOneServer(t *testing.T) {
	bin := hostBinary(t)
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ring, err := keys.Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	token, err := ring.DashboardToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	urls := make([]string, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			urls[i], errs[i] = dashboard.Ensure(ctx, home, token, bin)
		}()
	}
	wg.Wait()
	rec, recErr := dashboard.ReadRecord(home)
	if recErr == nil {
		t.Cleanup(func() {
			if p, err := os.FindProcess(rec.PID); err == nil {
				p.Kill()
			}
		})
	}
	for i := range urls {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if urls[i] != urls[0] {
			t.Errorf("call %d got %s, call 0 %s", i, urls[i], urls[0])
		}
	}
	log, _ := os.ReadFile(filepath.Join(home, "dashboard.log"))
	// Each serve prints its URL first thing.
	if n := strings.Count(string(log), "http://127.0.0.1:"); n != 1 {
		t.Errorf("%d servers started, want 1; dashboard.log:\n%s", n, log)
	}
	if _, err := os.Stat(filepath.Join(home, "dashboard.start.lock")); !os.IsNotExist(err) {
		t.Errorf("the start lock is left behind: %v", err)
	}
}
