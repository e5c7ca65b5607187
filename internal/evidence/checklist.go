package evidence

import "time"

// Category is one kind of evidence the kit should cover, with what to capture
// when the kit has none (or the newest is old).
type Category struct {
	ID      string
	Title   string
	Capture string // what to capture next, in plain words
}

// Categories are the evidence categories, in the order the report lists them.
func Categories() []Category {
	return []Category{
		{"consent_training", "Consent flow and training opt-out",
			"Open ChatGPT → Settings → Data controls and snapshot the “Improve the model for everyone” toggle; snapshot privacy.openai.com's request page too."},
		{"account_status", "Account status and system settings",
			"Open ChatGPT → Settings → Account and Security and snapshot them: email, phone, plan, SSO and linked services."},
		{"uploads", "Upload metadata",
			"Snapshot the pages that list your uploads and files (ChatGPT library, Sora library) so names and dates are on record."},
		{"moderation", "Moderation notices, bans and appeals",
			"Snapshot any warning, ban or appeal page, and the auth.openai.com sign-in message if your account is deactivated."},
		{"api_dashboard", "API dashboard: keys, scopes, usage",
			"Open platform.openai.com → API keys and Usage and snapshot them, so the keys your systems depend on are on record."},
	}
}

// staleAfter is when a category's newest snapshot is old enough to suggest a fresh one.
const staleAfter = 30 * 24 * time.Hour

// ChecklistItem is one row of the report's checklist.
type ChecklistItem struct {
	Category
	Covered   bool
	Count     int
	Newest    *Snapshot
	Stale     bool
	NextSteps string
}

// checklist tallies snapshots per category. It keeps only the newest per
// category, so memory does not grow with the kit.
type checklist struct {
	count  map[string]int
	newest map[string]Snapshot
}

func newChecklist() *checklist {
	return &checklist{count: map[string]int{}, newest: map[string]Snapshot{}}
}

func (c *checklist) add(s Snapshot) {
	c.count[s.Category]++
	if n, ok := c.newest[s.Category]; !ok || s.CapturedAt.After(n.CapturedAt) {
		s.Artifacts, s.Notes, s.Redactions = nil, nil, nil
		c.newest[s.Category] = s
	}
}

func (c *checklist) items(now time.Time) []ChecklistItem {
	var out []ChecklistItem
	for _, cat := range Categories() {
		it := ChecklistItem{Category: cat, Count: c.count[cat.ID]}
		if n, ok := c.newest[cat.ID]; ok {
			n := n
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
		out = append(out, it)
	}
	return out
}

// checklistEntry is one line of a WACZ's ringfence/checklist.json.
type checklistEntry struct {
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
		e := checklistEntry{Category: it.ID, Title: it.Title, Covered: it.Covered, Count: it.Count, Stale: it.Stale, Next: it.NextSteps}
		if it.Newest != nil {
			at := it.Newest.CapturedAt.UTC()
			e.Newest, e.NewestAt = it.Newest.ID, &at
		}
		out = append(out, e)
	}
	return out
}
