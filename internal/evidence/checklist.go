package evidence

import (
	"net/url"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/spec"
)

// Category is one kind of evidence the kit should cover, with what to capture
// when the kit has none (or the newest is old).
type Category struct {
	ID       string
	Title    string
	Capture  string // what to capture next, in plain words
	Identity string // the spec/sites identity the row is about ("openai", "google", …)
}

// Categories are the evidence categories the checklist covers, in the order
// the report lists them: those a default (not opt-in) site in spec/sites says
// how to capture.
func Categories() []Category {
	out := make([]Category, 0, len(spec.Checklist))
	for _, c := range spec.Checklist {
		out = append(out, Category{ID: c.Category, Title: c.Title, Capture: c.Capture, Identity: defaultIdentity()})
	}
	return out
}

// identities lists the sites, default ones first (spec order otherwise): the
// checklist's groups, in report order.
func identities() []spec.Site {
	var out []spec.Site
	for _, opt := range []bool{false, true} {
		for _, s := range spec.Sites {
			if s.Optional == opt {
				out = append(out, s)
			}
		}
	}
	return out
}

// defaultIdentity is the first default site: where snapshots of unknown hosts count.
func defaultIdentity() string {
	return identities()[0].ID
}

// IdentityOf says which identity a snapshot's page belongs to, by its host and
// the sites' match patterns; pages of no known site count for the default one.
func IdentityOf(pageURL string) string {
	u, err := url.Parse(pageURL)
	if err == nil {
		host := strings.ToLower(u.Hostname())
		for _, s := range identities() {
			for _, p := range s.MatchPatterns {
				if patternHostMatches(p, host) {
					return s.ID
				}
			}
		}
	}
	return defaultIdentity()
}

// patternHostMatches applies a WebExtension match pattern's host part
// ("https://*.openai.com/*") to a hostname.
func patternHostMatches(pattern, host string) bool {
	rest, ok := strings.CutPrefix(pattern, "https://")
	if !ok {
		return false
	}
	ph, _, _ := strings.Cut(rest, "/")
	if sub, ok := strings.CutPrefix(ph, "*."); ok {
		return host == sub || strings.HasSuffix(host, "."+sub)
	}
	return host == ph
}

// staleAfter is when a category's newest snapshot is old enough to suggest a fresh one.
const staleAfter = 30 * 24 * time.Hour

// ChecklistItem is one row of the report's checklist. First marks the first
// row of its identity's group.
type ChecklistItem struct {
	Category
	First     bool
	Covered   bool
	Count     int
	Newest    *Snapshot
	Stale     bool
	NextSteps string
}

// checklist tallies snapshots per identity and category. It keeps only the
// newest per pair, so memory does not grow with the kit.
type checklist struct {
	count    map[string]int // identity + "/" + category
	newest   map[string]Snapshot
	identity map[string]int // snapshots per identity
}

func newChecklist() *checklist {
	return &checklist{count: map[string]int{}, newest: map[string]Snapshot{}, identity: map[string]int{}}
}

func (c *checklist) add(s Snapshot) {
	id := IdentityOf(s.URL)
	key := id + "/" + s.Category
	c.identity[id]++
	c.count[key]++
	if n, ok := c.newest[key]; !ok || s.CapturedAt.After(n.CapturedAt) {
		s.Artifacts, s.Notes, s.Redactions = nil, nil, nil
		c.newest[key] = s
	}
}

// items lists the rows grouped by identity: every default identity's rows, and
// an opt-in pack's rows only when the kit holds snapshots of that identity.
func (c *checklist) items(now time.Time) []ChecklistItem {
	var out []ChecklistItem
	for _, site := range identities() {
		if site.Optional && c.identity[site.ID] == 0 {
			continue
		}
		for i, e := range site.Checklist {
			cat := Category{ID: e.Category, Title: e.Title, Capture: e.Capture, Identity: site.ID}
			out = append(out, c.item(cat, i == 0, now))
		}
	}
	return out
}

func (c *checklist) item(cat Category, first bool, now time.Time) ChecklistItem {
	key := cat.Identity + "/" + cat.ID
	it := ChecklistItem{Category: cat, First: first, Count: c.count[key]}
	if n, ok := c.newest[key]; ok {
		it.Covered, it.Newest = true, &n
		it.Stale = now.Sub(n.CapturedAt) > staleAfter
	}
	switch {
	case !it.Covered:
		it.NextSteps = cat.Capture
	case it.Stale:
		it.NextSteps = "The newest snapshot is over 30 days old. " + cat.Capture
	default:
		it.NextSteps = "Covered. Take a fresh snapshot after any change, and before any account action."
	}
	return it
}

// checklistEntry is one line of a WACZ's ringfence/checklist.json.
type checklistEntry struct {
	Identity string     `json:"identity"`
	Category string     `json:"category"`
	Title    string     `json:"title"`
	Covered  bool       `json:"covered"`
	Count    int        `json:"count"`
	Stale    bool       `json:"stale"`
	Newest   string     `json:"newest_snapshot,omitempty"`
	NewestAt *time.Time `json:"newest_captured_at,omitempty"`
	Next     string     `json:"next_steps"`
}

func checklistJSON(items []ChecklistItem) []checklistEntry {
	out := make([]checklistEntry, 0, len(items))
	for _, it := range items {
		e := checklistEntry{Identity: it.Identity, Category: it.ID, Title: it.Title, Covered: it.Covered, Count: it.Count, Stale: it.Stale, Next: it.NextSteps}
		if it.Newest != nil {
			at := it.Newest.CapturedAt.UTC()
			e.Newest, e.NewestAt = it.Newest.ID, &at
		}
		out = append(out, e)
	}
	return out
}
