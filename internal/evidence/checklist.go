package evidence

import (
	"time"

	"github.com/ringfence/ringfence/internal/spec"
)

// Category is one kind of evidence the kit should cover, with what to capture
// when the kit has none (or the newest is old).
type Category struct {
	ID      string
	Title   string
	Capture string // what to capture next, in plain words
}

// Categories are the evidence categories the checklist covers, in the order
// the report lists them: those a site in spec/sites says how to capture.
func Categories() []Category {
	out := make([]Category, 0, len(spec.Checklist))
	for _, c := range spec.Checklist {
		out = append(out, Category{ID: c.Category, Title: c.Title, Capture: c.Capture})
	}
	return out
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
