// Package diff compares two snapshots of the same page: the settings that
// changed ("Improve the model for everyone: On → Off"), API keys that
// appeared or disappeared, account fields that changed, and the page text
// line by line. It works on the artifacts' bytes only (settings.json and
// text.txt, docs/snapshot.md), so `ringfence diff`, the dashboard and a
// later periodic audit share it.
package diff

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Side is what one snapshot contributes: its settings.json and text.txt
// (either may be nil when the snapshot has none).
type Side struct {
	ID       string `json:"id"`
	Settings []byte `json:"-"`
	Text     []byte `json:"-"`
}

// Change is one value that differs. From or To is "" when the item exists
// on one side only (Added / Removed say which).
type Change struct {
	Label   string `json:"label"`
	Kind    string `json:"kind,omitempty"`
	From    string `json:"from"`
	To      string `json:"to"`
	Added   bool   `json:"added,omitempty"`
	Removed bool   `json:"removed,omitempty"`
}

// Key is an API key as settings.json lists it.
type Key struct {
	Name     string `json:"name"`
	Prefix   string `json:"prefix"`
	Project  string `json:"project,omitempty"`
	Created  string `json:"created,omitempty"`
	LastUsed string `json:"last_used,omitempty"`
}

// Line is one line of the text diff: Op is "=", "-" or "+". Runs of
// unchanged lines far from a change are folded into one "…" line.
type Line struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// Result is the whole comparison of A (older) with B (newer).
type Result struct {
	A           string   `json:"a"`
	B           string   `json:"b"`
	Settings    []Change `json:"settings"`
	KeysAdded   []Key    `json:"keys_added"`
	KeysRemoved []Key    `json:"keys_removed"`
	Account     []Change `json:"account"`
	Fields      []Change `json:"fields"`
	Text        []Line   `json:"text"`
	TextChanged bool     `json:"text_changed"`
	// Notes says what could not be compared (no settings.json on a side, a
	// text too large to diff line by line).
	Notes []string `json:"notes"`
}

// Empty reports whether nothing differs.
func (r Result) Empty() bool {
	return len(r.Settings) == 0 && len(r.KeysAdded) == 0 && len(r.KeysRemoved) == 0 &&
		len(r.Account) == 0 && len(r.Fields) == 0 && !r.TextChanged
}

type control struct {
	Label        string          `json:"label"`
	Kind         string          `json:"kind"`
	Checked      json.RawMessage `json:"checked"`
	Value        string          `json:"value"`
	SelectedText string          `json:"selected_text"`
	Group        string          `json:"group"`
}

type settings struct {
	Controls []control                       `json:"controls"`
	Fields   []struct{ Label, Value string } `json:"fields"`
	Account  map[string]json.RawMessage      `json:"account"`
	APIKeys  []Key                           `json:"api_keys"`
}

// state renders a control's state the way the page's user sees it.
func (c control) state() string {
	switch c.Kind {
	case "select":
		if c.SelectedText != "" {
			return c.SelectedText
		}
		return c.Value
	case "radio":
		if string(c.Checked) == "true" {
			return "Selected"
		}
		return "Not selected"
	}
	switch string(c.Checked) {
	case "true":
		return "On"
	case "false":
		return "Off"
	case `"mixed"`:
		return "Mixed"
	}
	return c.Value
}

// label names a control uniquely: its label (and radio group/value), with
// "#2", "#3" for a label that repeats in document order.
func keyed[T any](items []T, name func(T) string) ([]string, map[string]T) {
	seen := map[string]int{}
	order := []string{}
	m := map[string]T{}
	for _, it := range items {
		k := name(it)
		seen[k]++
		if seen[k] > 1 {
			k = fmt.Sprintf("%s #%d", k, seen[k])
		}
		order = append(order, k)
		m[k] = it
	}
	return order, m
}

func controlName(c control) string {
	n := strings.TrimSpace(c.Label)
	if c.Kind == "radio" {
		n = strings.TrimSpace(c.Group + ": " + n + " (" + c.Value + ")")
	}
	if n == "" {
		n = "(unlabelled " + c.Kind + ")"
	}
	return n
}

func parseSettings(b []byte) (*settings, error) {
	if b == nil {
		return nil, nil
	}
	var s settings
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("settings.json: %w", err)
	}
	return &s, nil
}

// Compare diffs a (older) against b (newer).
func Compare(a, b Side) (Result, error) {
	r := Result{A: a.ID, B: b.ID, Settings: []Change{}, KeysAdded: []Key{}, KeysRemoved: []Key{},
		Account: []Change{}, Fields: []Change{}, Text: []Line{}, Notes: []string{}}
	sa, err := parseSettings(a.Settings)
	if err != nil {
		return r, fmt.Errorf("diff %s: %w", a.ID, err)
	}
	sb, err := parseSettings(b.Settings)
	if err != nil {
		return r, fmt.Errorf("diff %s: %w", b.ID, err)
	}
	if sa == nil || sb == nil {
		r.Notes = append(r.Notes, "settings not compared: a snapshot has no settings.json")
	} else {
		compareSettings(&r, sa, sb)
	}
	compareText(&r, string(a.Text), string(b.Text))
	return r, nil
}

func compareSettings(r *Result, a, b *settings) {
	// Controls, in b's order, then those only in a.
	orderA, ca := keyed(a.Controls, controlName)
	orderB, cb := keyed(b.Controls, controlName)
	for _, k := range orderB {
		y := cb[k]
		x, ok := ca[k]
		switch {
		case !ok:
			r.Settings = append(r.Settings, Change{Label: k, Kind: y.Kind, To: y.state(), Added: true})
		case x.state() != y.state():
			r.Settings = append(r.Settings, Change{Label: k, Kind: y.Kind, From: x.state(), To: y.state()})
		}
	}
	for _, k := range orderA {
		if _, ok := cb[k]; !ok {
			x := ca[k]
			r.Settings = append(r.Settings, Change{Label: k, Kind: x.Kind, From: x.state(), Removed: true})
		}
	}
	// Account fields.
	accKeys := map[string]bool{}
	for k := range a.Account {
		accKeys[k] = true
	}
	for k := range b.Account {
		accKeys[k] = true
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range accKeys {
			if !yield(k) {
				return
			}
		}
	}) {
		x, y := flat(a.Account[k]), flat(b.Account[k])
		if x != y {
			r.Account = append(r.Account, Change{Label: k, From: x, To: y, Added: x == "", Removed: y == ""})
		}
	}
	// Labelled fields.
	type field = struct{ Label, Value string }
	name := func(f field) string { return strings.TrimSpace(f.Label) }
	orderFA, fa := keyed(a.Fields, name)
	orderFB, fb := keyed(b.Fields, name)
	for _, k := range orderFB {
		x, ok := fa[k]
		if !ok {
			r.Fields = append(r.Fields, Change{Label: k, To: fb[k].Value, Added: true})
		} else if x.Value != fb[k].Value {
			r.Fields = append(r.Fields, Change{Label: k, From: x.Value, To: fb[k].Value})
		}
	}
	for _, k := range orderFA {
		if _, ok := fb[k]; !ok {
			r.Fields = append(r.Fields, Change{Label: k, From: fa[k].Value, Removed: true})
		}
	}
	// API keys, by masked prefix (or name when the page shows none).
	kid := func(k Key) string {
		if k.Prefix != "" {
			return k.Prefix
		}
		return "name:" + k.Name
	}
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, k := range a.APIKeys {
		inA[kid(k)] = true
	}
	for _, k := range b.APIKeys {
		inB[kid(k)] = true
		if !inA[kid(k)] {
			r.KeysAdded = append(r.KeysAdded, k)
		}
	}
	for _, k := range a.APIKeys {
		if !inB[kid(k)] {
			r.KeysRemoved = append(r.KeysRemoved, k)
		}
	}
}

// flat renders an account value (a string, or a list such as
// linked_services) as one line.
func flat(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		return strings.Join(l, ", ")
	}
	return string(raw)
}

// Limits of the line diff: beyond them the differing middle is reported as
// removed and added wholesale instead of aligned (bounded time and memory).
const (
	maxCells     = 4_000_000 // lines(a) × lines(b) of the differing middle
	contextLines = 2         // unchanged lines kept around each change
)

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func compareText(r *Result, a, b string) {
	la, lb := splitLines(a), splitLines(b)
	// Common prefix and suffix first: pages mostly change in one place.
	p := 0
	for p < len(la) && p < len(lb) && la[p] == lb[p] {
		p++
	}
	q := 0
	for q < len(la)-p && q < len(lb)-p && la[len(la)-1-q] == lb[len(lb)-1-q] {
		q++
	}
	ma, mb := la[p:len(la)-q], lb[p:len(lb)-q]
	var ops []Line
	for _, l := range la[:p] {
		ops = append(ops, Line{"=", l})
	}
	if len(ma)*len(mb) > maxCells {
		r.Notes = append(r.Notes, "the texts differ in too many lines to align; the changed part is shown as removed, then added")
		for _, l := range ma {
			ops = append(ops, Line{"-", l})
		}
		for _, l := range mb {
			ops = append(ops, Line{"+", l})
		}
	} else {
		ops = append(ops, lcs(ma, mb)...)
	}
	for _, l := range la[len(la)-q:] {
		ops = append(ops, Line{"=", l})
	}
	r.Text = fold(ops)
	for _, o := range ops {
		if o.Op != "=" {
			r.TextChanged = true
			break
		}
	}
}

// lcs aligns two line lists by longest common subsequence.
func lcs(a, b []string) []Line {
	n, m := len(a), len(b)
	// dp[i][j] = LCS length of a[i:], b[j:], one row at a time would lose
	// the path, so keep the table (bounded by maxCells).
	dp := make([][]int32, n+1)
	for i := range dp {
		dp[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	var out []Line
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, Line{"=", a[i]})
			i, j = i+1, j+1
		case dp[i+1][j] >= dp[i][j+1]:
			out = append(out, Line{"-", a[i]})
			i++
		default:
			out = append(out, Line{"+", b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, Line{"-", a[i]})
	}
	for ; j < m; j++ {
		out = append(out, Line{"+", b[j]})
	}
	return out
}

// fold keeps context lines around changes and replaces longer unchanged
// runs with one "…" line saying how many were left out.
func fold(ops []Line) []Line {
	keep := make([]bool, len(ops))
	for i, o := range ops {
		if o.Op == "=" {
			continue
		}
		for j := max(0, i-contextLines); j <= min(len(ops)-1, i+contextLines); j++ {
			keep[j] = true
		}
	}
	out := []Line{}
	skipped := 0
	flush := func() {
		if skipped > 0 {
			out = append(out, Line{"…", fmt.Sprintf("%d unchanged line(s)", skipped)})
			skipped = 0
		}
	}
	for i, o := range ops {
		if keep[i] {
			flush()
			out = append(out, o)
		} else {
			skipped++
		}
	}
	flush()
	return out
}

// Summary is the diff as plain text lines, for the CLI.
func (r Result) Summary() []string {
	var out []string
	for _, c := range r.Settings {
		switch {
		case c.Added:
			out = append(out, fmt.Sprintf("setting added: %s: %s", c.Label, c.To))
		case c.Removed:
			out = append(out, fmt.Sprintf("setting removed: %s (was %s)", c.Label, c.From))
		default:
			out = append(out, fmt.Sprintf("setting: %s: %s → %s", c.Label, c.From, c.To))
		}
	}
	for _, k := range r.KeysAdded {
		out = append(out, fmt.Sprintf("API key appeared: %s %s", k.Name, k.Prefix))
	}
	for _, k := range r.KeysRemoved {
		out = append(out, fmt.Sprintf("API key disappeared: %s %s", k.Name, k.Prefix))
	}
	for _, c := range r.Account {
		out = append(out, fmt.Sprintf("account %s: %s → %s", c.Label, orNone(c.From), orNone(c.To)))
	}
	for _, c := range r.Fields {
		out = append(out, fmt.Sprintf("field %s: %s → %s", c.Label, orNone(c.From), orNone(c.To)))
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
