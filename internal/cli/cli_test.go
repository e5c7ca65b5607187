package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/platform"
	"github.com/ringfence/ringfence/internal/store"
)

func testEnv(home string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	env := map[string]string{"RINGFENCE_HOME": home, "HOME": filepath.Join(home, "userhome")}
	return &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }}, &out, &errb
}

func run(t *testing.T, home string, args ...string) (string, string, int) {
	t.Helper()
	e, out, errb := testEnv(home)
	code := Main(context.Background(), e, append([]string{"ringfence"}, args...))
	return out.String(), errb.String(), code
}

// openRingStore opens home's store with ring's data key, the way the host
// does. The caller closes it.
func openRingStore(tb testing.TB, ctx context.Context, ring *keys.Ring, home string) *store.Store {
	tb.Helper()
	key, err := ring.DataKey(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(ctx, platform.DB(home), key)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// seed stores one snapshot and one event the way the host would.
func seed(t *testing.T, home string) (store.Snapshot, []byte) {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	st := openRingStore(t, ctx, ring, home)
	defer st.Close()
	png := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0, 1, 2, 3}, 10_000)
	snap, err := st.SaveSnapshot(ctx, store.Snapshot{URL: "https://platform.openai.com/api-keys", Title: "API keys",
		CapturedAt: time.Date(2026, 11, 30, 10, 2, 3, 0, time.UTC), Trigger: "button", Category: "api_dashboard",
		Artifacts: []store.ArtifactInfo{{Name: "screenshot.png", MIME: "image/png"}}},
		map[string]io.Reader{"screenshot.png": bytes.NewReader(png), "settings.json": strings.NewReader(`{"api_keys":[1,2,3]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AppendEvent(ctx, store.Event{Type: "warning.shown", RuleID: "platform.revoke-key"}); err != nil {
		t.Fatal(err)
	}
	return snap, png
}

func TestEveryVerbHasHelp(t *testing.T) {
	home := t.TempDir()
	for _, v := range verbs() {
		for _, flag := range []string{"--help", "-h"} {
			out, errOut, code := run(t, home, v.name, flag)
			if code != ExitOK || !strings.Contains(out, "ringfence "+v.name) {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", v.name, flag, code, out, errOut)
			}
		}
	}
}

func TestTopLevel(t *testing.T) {
	home := t.TempDir()
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{nil, ExitUsage, "native messaging host"},
		{[]string{"help"}, ExitOK, "Run 'ringfence COMMAND --help'"},
		{[]string{"--help"}, ExitOK, "doctor"},
		{[]string{"frobnicate"}, ExitUsage, ""},
		{[]string{"version"}, ExitOK, "ringfence "},
		{[]string{"list", "--bogus"}, ExitUsage, ""},
		{[]string{"show"}, ExitUsage, ""},
		{[]string{"show", "a", "b"}, ExitUsage, ""},
		{[]string{"show", "x", "--artifact", "a"}, ExitUsage, ""},
		{[]string{"list", "--since", "last tuesday"}, ExitUsage, ""},
		{[]string{"list", "--category", "api-dashboard"}, ExitUsage, ""},
		{[]string{"list", "--limit", "-1"}, ExitUsage, ""},
	}
	for _, tt := range tests {
		out, _, code := run(t, home, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) {
			t.Errorf("%q: exit %d (want %d), stdout %q", tt.args, code, tt.code, out)
		}
	}
}

func TestReadVerbs(t *testing.T) {
	home := t.TempDir()
	snap, png := seed(t, home)

	out, _, code := run(t, home, "list", "--json")
	var list []store.Snapshot
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0].ID != snap.ID || len(list[0].Artifacts) != 2 {
		t.Errorf("list --json: %d %s", code, out)
	}
	if out, _, _ := run(t, home, "list"); !strings.Contains(out, snap.ID) || !strings.Contains(out, "api_dashboard") {
		t.Errorf("list: %s", out)
	}
	if out, _, _ := run(t, home, "list", "--category", "moderation", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("list --category moderation: %s", out)
	}
	if out, _, _ := run(t, home, "list", "--since", "2026-12-01", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("list --since: %s", out)
	}
	if out, _, _ := run(t, home, "list", "--category", "moderation"); strings.TrimSpace(out) != "No snapshot matches." {
		t.Errorf("list with a filter matching nothing: %q", out)
	}

	out, _, code = run(t, home, "show", snap.ID, "--json")
	var got store.Snapshot
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.APIKeyCount == nil || *got.APIKeyCount != 3 {
		t.Errorf("show --json: %d %s", code, out)
	}
	if out, _, _ := run(t, home, "show", snap.ID); !strings.Contains(out, "screenshot.png") || !strings.Contains(out, "api keys") {
		t.Errorf("show: %s", out)
	}
	dst := filepath.Join(t.TempDir(), "out.png")
	if _, errOut, code := run(t, home, "show", snap.ID, "--artifact", "screenshot.png", "--out", dst); code != 0 {
		t.Fatalf("show --artifact: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(dst); !bytes.Equal(b, png) {
		t.Error("--out is not byte-identical")
	}
	if _, _, code := run(t, home, "show", "20990101T000000Z-00000000"); code != ExitNotFound {
		t.Errorf("missing snapshot: exit %d, want %d", code, ExitNotFound)
	}
	if _, _, code := run(t, home, "show", snap.ID, "--artifact", "nope.bin", "--out", dst); code != ExitNotFound {
		t.Errorf("missing artifact: exit %d, want %d", code, ExitNotFound)
	}

	out, _, code = run(t, home, "events", "--json")
	var ev store.Event
	if code != 0 || json.Unmarshal([]byte(out), &ev) != nil || ev.Seq != 1 || store.ChainHash(store.GenesisHash, ev) != ev.Hash {
		t.Errorf("events --json: %d %s", code, out)
	}
	if out, _, _ := run(t, home, "events"); !strings.Contains(out, "platform.revoke-key") {
		t.Errorf("events: %s", out)
	}
}

func TestDoctorStoreChecks(t *testing.T) {
	home := t.TempDir()
	seed(t, home)
	ctx := context.Background()
	checks := storeChecks(ctx, home)
	names := map[string]check{}
	for _, c := range checks {
		names[c.Name] = c
	}
	for _, n := range []string{"data folder", "keyring", "database", "event log"} {
		if c, ok := names[n]; !ok || !c.OK {
			t.Errorf("check %q: %+v", n, c)
		}
	}
	if !strings.Contains(names["database"].Detail, "integrity ok") {
		t.Errorf("database detail: %s", names["database"].Detail)
	}
	// A database sealed under another key is reported, with a fix.
	other := t.TempDir()
	st, err := store.Open(ctx, platform.DB(other), bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, c := range storeChecks(ctx, other) {
		if c.Name == "database" && (c.OK || c.Fix == "") {
			t.Errorf("wrong-key database: %+v", c)
		}
	}
	out, _, _ := run(t, home, "doctor", "--json")
	var doc struct {
		Checks []check `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Checks) < 4 {
		t.Errorf("doctor --json: %v %s", err, out)
	}
}
