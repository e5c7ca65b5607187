package evidence

import (
	"testing"
	"time"
)

func TestIdentityOf(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://chatgpt.com/#settings/Account", "openai"},
		{"https://platform.openai.com/api-keys", "openai"},
		{"https://openai.com/", "openai"},
		{"https://myaccount.google.com/deleteaccount", "google"},
		{"https://account.live.com/closeaccount.aspx", "microsoft"},
		{"https://www.amazon.co.jp/privacy/data-deletion", "amazon"},
		{"https://github.com/settings/admin", "github"},
		{"https://gist.github.com/x", "openai"}, // not a GitHub pack host: the default identity
		{"https://evilopenai.com/", "openai"},
		{"not a url", "openai"},
	} {
		if got := IdentityOf(tc.url); got != tc.want {
			t.Errorf("IdentityOf(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

func TestChecklistGroupsByIdentity(t *testing.T) {
	now := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	cl := newChecklist()
	cl.add(Snapshot{URL: "https://chatgpt.com/#settings/Account", Category: "account_status", CapturedAt: now.Add(-time.Hour)})
	cl.add(Snapshot{URL: "https://github.com/settings/admin", Category: "account_status", CapturedAt: now.Add(-2 * time.Hour)})
	items := cl.items(now)
	type row struct {
		identity, category string
		first, covered     bool
	}
	var got []row
	for _, it := range items {
		got = append(got, row{it.Identity, it.ID, it.First, it.Covered})
	}
	want := []row{
		{"openai", "consent_training", true, false},
		{"openai", "account_status", false, true},
		{"openai", "uploads", false, false},
		{"openai", "moderation", false, false},
		{"openai", "api_dashboard", false, false},
		// GitHub has snapshots, so its group appears; Google, Microsoft and Amazon do not.
		{"github", "account_status", true, true},
	}
	if len(got) != len(want) {
		t.Fatalf("rows = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// A GitHub snapshot does not cover OpenAI's account row, and the reverse.
	if items[1].Count != 1 || items[5].Count != 1 {
		t.Errorf("counts: openai account %d, github account %d", items[1].Count, items[5].Count)
	}
}
