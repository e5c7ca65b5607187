package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ringfence/ringfence/internal/audit"
	"github.com/ringfence/ringfence/internal/audit/audittest"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

func openStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ringfence.db")
	st, err := store.Open(context.Background(), path, bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// TestTwoAuditsNameExactlyThePlantedChanges: week 2 differs from week 1 by
// a key added, a toggle flipped, a custom instruction changed and the
// billing page skipped; the summary names those and nothing else.
func TestTwoAuditsNameExactlyThePlantedChanges(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	first, err := audittest.Run(ctx, st, audittest.Week1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Changes != nil {
		t.Errorf("the first audit has changes: %+v", first.Changes)
	}
	if !first.Identity.Shared || !slices.Equal(first.Identity.Emails, []string{"jane@example.com"}) || first.Identity.APIKeys != 2 {
		t.Errorf("first identity: %+v", first.Identity)
	}
	second, err := audittest.Run(ctx, st, audittest.Week2)
	if err != nil {
		t.Fatal(err)
	}
	ch := second.Changes
	if ch == nil || ch.PreviousID != first.AuditID {
		t.Fatalf("changes: %+v", ch)
	}
	var got []string
	for _, k := range ch.KeysAdded {
		got = append(got, fmt.Sprintf("key+ %s %s %s unowned=%v", k.StepID, k.Name, k.Prefix, k.Unowned))
	}
	for _, k := range ch.KeysRemoved {
		got = append(got, "key- "+k.Name)
	}
	for _, c := range ch.Settings {
		got = append(got, fmt.Sprintf("setting %s %s: %s -> %s", c.StepID, c.Label, c.From, c.To))
	}
	for _, c := range ch.Account {
		got = append(got, "account "+c.Label)
	}
	for _, n := range ch.Notices {
		got = append(got, "notice "+n.Title)
	}
	for _, f := range ch.Failed {
		got = append(got, fmt.Sprintf("failed %s %s", f.StepID, f.Status))
	}
	want := []string{
		"key+ platform.api-keys ci-bot sk-...Ci7z unowned=true",
		"setting chatgpt.data-controls Improve the model for everyone: Off -> On",
		"setting chatgpt.personalization What would you like ChatGPT to know about you?: I write Go for a living. -> I write Rust for a living.",
		"failed platform.billing skipped",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n got %q\nwant %q", got, want)
	}
	var acts []string
	for _, a := range second.Actions {
		acts = append(acts, a.Severity+" "+a.StepID)
	}
	wantActs := []string{"high platform.api-keys", "high chatgpt.data-controls", "high ", "medium chatgpt.personalization", "medium platform.billing"}
	if !slices.Equal(acts, wantActs) {
		t.Errorf("actions %q, want %q", acts, wantActs)
	}
	for _, a := range second.Actions {
		if a.Text == "" || strings.Contains(a.Text, "%!") {
			t.Errorf("action text %q", a.Text)
		}
	}
	// What the user reads: the key by name, the setting, the page to sign in to.
	all := fmt.Sprint(second.Actions)
	for _, s := range []string{"ci-bot", "Improve the model for everyone", "API platform: Billing", "Sign in"} {
		if !strings.Contains(all, s) {
			t.Errorf("actions do not mention %q: %s", s, all)
		}
	}
	// Show returns what was stored, for any later reader.
	a, err := st.GetAudit(ctx, second.AuditID)
	if err != nil {
		t.Fatal(err)
	}
	shown, err := audit.Show(a)
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := json.Marshal(shown)
	b2, _ := json.Marshal(second)
	if !bytes.Equal(b1, b2) {
		t.Errorf("stored summary differs:\n%s\n%s", b1, b2)
	}
}

// TestRecordedDependentsMakeAKeyOwned: a new key whose dependents are
// recorded in the inventory is not unowned and needs no action; a removed
// key asks the user to confirm.
func TestRecordedDependentsMakeAKeyOwned(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	keys := func(ks ...string) []audittest.Page {
		var rows []string
		for _, k := range ks {
			rows = append(rows, fmt.Sprintf(`{"name":%q,"prefix":"sk-...%s"}`, k, k))
		}
		return []audittest.Page{{StepID: "platform.api-keys", Settings: `{"api_keys":[` + strings.Join(rows, ",") + `]}`}}
	}
	if _, err := audittest.Run(ctx, st, keys("AAAA", "BBBB")); err != nil {
		t.Fatal(err)
	}
	a, err := st.BeginAudit(ctx, false, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := audittest.Step(ctx, st, a.ID, keys("AAAA", "CCCC")[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateAPIKey(ctx, "sk-...CCCC", []string{"billing-worker"}, "not_needed"); err != nil {
		t.Fatal(err)
	}
	sum, err := audit.Finish(ctx, st, a.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Changes.KeysAdded) != 1 || sum.Changes.KeysAdded[0].Unowned || len(sum.Changes.KeysRemoved) != 1 ||
		sum.Changes.KeysRemoved[0].Name != "BBBB" {
		t.Fatalf("keys: %+v", sum.Changes)
	}
	if len(sum.Actions) != 1 || sum.Actions[0].Severity != "medium" || !strings.Contains(sum.Actions[0].Text, "Confirm it was you") {
		t.Errorf("actions: %+v", sum.Actions)
	}
}

func TestIdentityCheck(t *testing.T) {
	tests := []struct {
		name     string
		consumer string // settings.json of chatgpt.account
		api      string // settings.json of platform.api-keys
		shared   bool
		emails   []string
		phones   []string
	}{
		{"same email", `{"account":{"email":"Jane@Example.com"}}`, `{"account":{"email":"jane@example.com"}}`, true, []string{"jane@example.com"}, nil},
		{"different emails", `{"account":{"email":"jane@gmail.com"}}`, `{"account":{"email":"ops@acme.example"}}`, false, nil, nil},
		{"same phone in fields", `{"fields":[{"label":"Phone","value":"+1 (415) 555-0100"}]}`, `{"account":{"phone":"+1 415 555 0100"}}`, true, nil, []string{"+1 415 555 0100"}},
		{"email only on consumer pages", `{"account":{"email":"jane@example.com"}}`, `{"api_keys":[]}`, false, nil, nil},
		{"masked phones are not compared", `{"account":{"phone":"***00"}}`, `{"account":{"phone":"***00"}}`, false, nil, nil},
		{"masked emails compare as stored", `{"account":{"email":"j***@example.com"}}`, `{"fields":[{"label":"Owner","value":"j***@example.com"}]}`, true, []string{"j***@example.com"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := openStore(t)
			sum, err := audittest.Run(context.Background(), st, []audittest.Page{
				{StepID: "chatgpt.account", Settings: tt.consumer}, {StepID: "platform.api-keys", Settings: tt.api}})
			if err != nil {
				t.Fatal(err)
			}
			id := sum.Identity
			if id.Shared != tt.shared || !slices.Equal(id.Emails, append([]string{}, tt.emails...)) ||
				!slices.Equal(id.Phones, append([]string{}, tt.phones...)) {
				t.Fatalf("identity %+v", id)
			}
			if tt.shared != (id.Advice != "") || tt.shared != slices.ContainsFunc(sum.Actions, func(a spec.AuditAction) bool {
				return strings.Contains(a.Text, "separate identity")
			}) {
				t.Errorf("advice/action do not follow shared=%v: %+v", tt.shared, sum.Actions)
			}
		})
	}
}

// TestNoticesSincePreviousAudit: a moderation snapshot stored before the
// first audit is not a notice; one stored between the audits is, with a
// high action.
func TestNoticesSincePreviousAudit(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	notice := func(title string) {
		t.Helper()
		if _, err := st.SaveSnapshot(ctx, store.Snapshot{URL: "https://chatgpt.com/", Title: title, CapturedAt: time.Now(),
			Trigger: "button", Category: spec.CategoryModeration}, nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Millisecond)
	}
	notice("Old warning")
	first, err := audittest.Run(ctx, st, audittest.Week1[:1])
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range first.Actions {
		if strings.Contains(a.Text, "moderation") {
			t.Errorf("first audit reports an older notice: %s", a.Text)
		}
	}
	notice("Your account was flagged")
	second, err := audittest.Run(ctx, st, audittest.Week1[:1])
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Changes.Notices) != 1 || second.Changes.Notices[0].Title != "Your account was flagged" {
		t.Fatalf("notices: %+v", second.Changes.Notices)
	}
	if len(second.Actions) != 1 || second.Actions[0].Severity != "high" || !strings.Contains(second.Actions[0].Text, "Your account was flagged") {
		t.Errorf("actions: %+v", second.Actions)
	}
}

// TestSummaryIsEncryptedAtRest: the emails and key names of a summary are
// not in the database file in the clear.
func TestSummaryIsEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	st, path := openStore(t)
	if _, err := audittest.Run(ctx, st, []audittest.Page{{StepID: "chatgpt.account",
		Settings: `{"account":{"email":"unique-person-4711@example.com"}}`}, {StepID: "platform.api-keys",
		Settings: `{"account":{"email":"unique-person-4711@example.com"},"api_keys":[{"name":"key-name-0815","prefix":"sk-...Zz9z"}]}`}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var raw []byte
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(path + suffix)
		raw = append(raw, b...)
	}
	// settings.json blobs are sealed too, so any plaintext copy would be the
	// summary's. (Key names and masked prefixes are in the api_keys
	// inventory table in the clear, as before audits.)
	for _, s := range []string{"unique-person-4711"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("%q is stored in the clear", s)
		}
	}
	st2, err := store.Open(ctx, path, bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	a, err := st2.LatestAudit(ctx, true)
	if err != nil || !bytes.Contains(a.Summary, []byte("unique-person-4711@example.com")) {
		t.Fatalf("summary after reopening: %s %v", a.Summary, err)
	}
	if _, err := store.Open(ctx, path, bytes.Repeat([]byte{8}, 32)); err == nil {
		t.Error("a wrong key opened the store")
	}
}

// TestStandingNoticeIsReportedOnce: an audit page in the moderation
// category (a suspension banner on the account page) is a notice the first
// time; the same page again the next week is not, a newly flagged page is.
func TestStandingNoticeIsReportedOnce(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	mod := spec.CategoryModeration
	first, err := audittest.Run(ctx, st, []audittest.Page{
		{StepID: "chatgpt.account", Settings: `{"controls":[]}`, Category: mod},
		{StepID: "privacy.portal", Settings: `{"controls":[]}`}})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, a := range first.Actions {
		titles = append(titles, a.Text)
	}
	if len(first.Actions) != 1 || !strings.Contains(first.Actions[0].Text, "“ChatGPT: Account”") {
		t.Fatalf("first audit's actions: %q", titles)
	}
	second, err := audittest.Run(ctx, st, []audittest.Page{
		{StepID: "chatgpt.account", Settings: `{"controls":[]}`, Category: mod},
		{StepID: "privacy.portal", Settings: `{"controls":[]}`, Category: mod}})
	if err != nil {
		t.Fatal(err)
	}
	if n := second.Changes.Notices; len(n) != 1 || n[0].Title != "Privacy portal" || n[0].Trigger != "audit" {
		t.Fatalf("second audit's notices: %+v", n)
	}
}

// TestHugeChangesStayBounded: a page whose every control flipped, with
// megabyte-long values, gives a summary of bounded size (audit.finish's reply
// must stay under the 1 MB limit).
func TestHugeChangesStayBounded(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	page := func(on bool) string {
		var c []string
		for i := 0; i < 400; i++ {
			c = append(c, fmt.Sprintf(`{"label":"toggle %d","kind":"switch","checked":%v}`, i, on))
		}
		long := strings.Repeat("é", 300_000)
		return `{"controls":[` + strings.Join(c, ",") + `],"fields":[{"label":"Custom instructions","value":"` + fmt.Sprint(on) + long + `"}]}`
	}
	if _, err := audittest.Run(ctx, st, []audittest.Page{{StepID: "chatgpt.personalization", Settings: page(false)}}); err != nil {
		t.Fatal(err)
	}
	sum, err := audittest.Run(ctx, st, []audittest.Page{{StepID: "chatgpt.personalization", Settings: page(true)}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(sum)
	if len(sum.Changes.Settings) != 200 || len(b) > 200_000 || len(sum.Actions) != 1 {
		t.Fatalf("%d setting changes, %d actions, %d bytes", len(sum.Changes.Settings), len(sum.Actions), len(b))
	}
	if !slices.ContainsFunc(sum.Actions, func(a spec.AuditAction) bool { return strings.Contains(a.Text, "Custom instructions") }) {
		t.Errorf("the custom instructions action was lost to the cap (%d actions)", len(sum.Actions))
	}
	for _, c := range sum.Changes.Settings {
		if len(c.From) > 2000 || len(c.To) > 2000 || !utf8.ValidString(c.To) {
			t.Fatalf("value of %d bytes (valid UTF-8: %v)", len(c.To), utf8.ValidString(c.To))
		}
	}
}
