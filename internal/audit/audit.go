// Package audit turns a guided audit's steps into its summary
// (docs/audit.md): what changed since the previous completed audit, page by
// page, with internal/diff; which of those need action; and whether the
// identity that holds production API keys is also used on consumer products.
// The protocol (audit.finish), the CLI and the dashboard share it.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ringfence/ringfence/internal/diff"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// Severities of an action.
const (
	High   = "high"
	Medium = "medium"
)

// StepSpec finds a step of spec/audit.json by id.
func StepSpec(id string) (spec.AuditStep, bool) {
	for _, s := range spec.AuditSteps {
		if s.ID == id {
			return s, true
		}
	}
	return spec.AuditStep{}, false
}

// stepOrder is a step's position in spec/audit.json (unknown ids last).
func stepOrder(id string) int {
	for i, s := range spec.AuditSteps {
		if s.ID == id {
			return i
		}
	}
	return len(spec.AuditSteps)
}

// Title is a step's title for people, with its project.
func Title(stepID, project string) string {
	t := stepID
	if s, ok := StepSpec(stepID); ok {
		t = s.Title
	}
	if project != "" {
		t += " " + project
	}
	return t
}

// Steps renders an audit's stored steps for the protocol, in the order of
// spec/audit.json (projects sorted within a step).
func Steps(a store.Audit) []spec.AuditStepResult {
	steps := slices.Clone(a.Steps)
	slices.SortStableFunc(steps, func(x, y store.AuditStep) int {
		if d := stepOrder(x.StepID) - stepOrder(y.StepID); d != 0 {
			return d
		}
		return strings.Compare(x.Project, y.Project)
	})
	out := make([]spec.AuditStepResult, 0, len(steps))
	for _, s := range steps {
		out = append(out, spec.AuditStepResult{StepID: s.StepID, Project: s.Project, Title: Title(s.StepID, s.Project),
			URL: s.URL, FinalURL: s.FinalURL, Status: s.Status, SnapshotID: s.SnapshotID, Reason: s.Reason,
			At: spec.Time{Time: s.At}})
	}
	return out
}

// emptyIdentity is the identity check of an audit that has none yet.
func emptyIdentity() spec.IdentityCheck {
	return spec.IdentityCheck{Emails: []string{}, Phones: []string{}}
}

// Show is an audit's summary: the stored one of a completed audit (with the
// row's status), else its steps so far with nothing compared.
func Show(a store.Audit) (spec.AuditSummary, error) {
	if a.Summary != nil {
		var sum spec.AuditSummary
		if err := json.Unmarshal(a.Summary, &sum); err != nil {
			return spec.AuditSummary{}, fmt.Errorf("audit %s: stored summary: %w", a.ID, err)
		}
		sum.Status = a.Status
		return sum, nil
	}
	return spec.AuditSummary{AuditID: a.ID, Status: a.Status, StartedAt: spec.Time{Time: a.StartedAt},
		Scheduled: a.Scheduled, Steps: Steps(a), Actions: []spec.AuditAction{}, Identity: emptyIdentity()}, nil
}

// Counts of an audit's steps by status.
type Counts struct {
	Captured int `json:"captured"`
	Skipped  int `json:"skipped"`
	Failed   int `json:"failed"`
}

// CountSteps counts steps by status.
func CountSteps(steps []spec.AuditStepResult) Counts {
	var c Counts
	for _, s := range steps {
		switch s.Status {
		case spec.AuditStepCaptured:
			c.Captured++
		case spec.AuditStepSkipped:
			c.Skipped++
		case spec.AuditStepFailed:
			c.Failed++
		}
	}
	return c
}

// Finish computes a running audit's summary, stores it and marks the audit
// completed (store.FinishAudit appends audit.completed with the counts and
// the summary's SHA-256).
func Finish(ctx context.Context, st *store.Store, id string, now time.Time) (spec.AuditSummary, error) {
	a, err := st.GetAudit(ctx, id)
	if err != nil {
		return spec.AuditSummary{}, err
	}
	if a.Status != spec.AuditRunning {
		return spec.AuditSummary{}, fmt.Errorf("audit %q is %s: %w", id, a.Status, store.ErrAuditClosed)
	}
	now = now.UTC().Truncate(time.Millisecond)
	sum, err := Summarize(ctx, st, a)
	if err != nil {
		return spec.AuditSummary{}, err
	}
	sum.Status = spec.AuditCompleted
	sum.FinishedAt = &spec.Time{Time: now}
	b, err := json.Marshal(sum)
	if err != nil {
		return spec.AuditSummary{}, fmt.Errorf("audit %s: encode summary: %w", id, err)
	}
	h := sha256.Sum256(b)
	c := CountSteps(sum.Steps)
	detail, _ := json.Marshal(map[string]any{"audit_id": id, "captured": c.Captured, "skipped": c.Skipped,
		"failed": c.Failed, "actions": len(sum.Actions), "summary_sha256": hex.EncodeToString(h[:])})
	if _, err := st.FinishAudit(ctx, id, b, detail, now); err != nil {
		return spec.AuditSummary{}, err
	}
	return sum, nil
}

// page is what one captured step's settings.json says.
type page struct {
	step     store.AuditStep
	settings []byte
}

// pageKey names a page across audits: step and project.
func pageKey(stepID, project string) string { return stepID + "\x00" + project }

// readPages loads settings.json of every captured step; a step whose
// snapshot was deleted since, or has no settings.json, has nil settings.
func readPages(ctx context.Context, st *store.Store, a store.Audit) (map[string]page, error) {
	out := map[string]page{}
	for _, s := range a.Steps {
		if s.Status != spec.AuditStepCaptured || s.SnapshotID == "" {
			continue
		}
		p := page{step: s}
		rc, err := st.OpenArtifact(ctx, s.SnapshotID, "settings.json")
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("audit %s: %w", a.ID, err)
		default:
			p.settings, err = io.ReadAll(io.LimitReader(rc, store.MaxArtifactSize))
			rc.Close()
			if err != nil {
				return nil, fmt.Errorf("audit %s: read settings of %s: %w", a.ID, s.SnapshotID, err)
			}
		}
		out[pageKey(s.StepID, s.Project)] = p
	}
	return out, nil
}

// Summarize computes an audit's summary from its steps and the previous
// completed audit's (a.PreviousID).
func Summarize(ctx context.Context, st *store.Store, a store.Audit) (spec.AuditSummary, error) {
	sum := spec.AuditSummary{AuditID: a.ID, Status: a.Status, StartedAt: spec.Time{Time: a.StartedAt},
		Scheduled: a.Scheduled, Steps: Steps(a), Actions: []spec.AuditAction{}}
	cur, err := readPages(ctx, st, a)
	if err != nil {
		return sum, err
	}
	owners, err := keyOwners(ctx, st)
	if err != nil {
		return sum, err
	}
	var prev *store.Audit
	if a.PreviousID != "" {
		p, err := st.GetAudit(ctx, a.PreviousID)
		switch {
		case err == nil:
			prev = &p
		case !errors.Is(err, store.ErrNotFound):
			return sum, err
		}
	}
	since := a.StartedAt
	if prev != nil {
		since = prev.StartedAt
	}
	notices, err := Notices(ctx, st, since)
	if err != nil {
		return sum, err
	}
	if prev != nil {
		notices = dropRepeatedPages(notices, a, *prev)
	}
	notices = capList(notices)
	var failed []spec.AuditStepResult
	for _, s := range sum.Steps {
		if s.Status != spec.AuditStepCaptured {
			failed = append(failed, s)
		}
	}
	if prev != nil {
		old, err := readPages(ctx, st, *prev)
		if err != nil {
			return sum, err
		}
		ch := spec.AuditChanges{PreviousID: prev.ID, KeysAdded: []spec.AuditKey{}, KeysRemoved: []spec.AuditKey{},
			Settings: []spec.AuditChange{}, Account: []spec.AuditChange{}, Notices: notices,
			Failed: append([]spec.AuditStepResult{}, failed...)}
		for _, s := range sum.Steps {
			p, ok := cur[pageKey(s.StepID, s.Project)]
			q, had := old[pageKey(s.StepID, s.Project)]
			if !ok || !had || p.settings == nil || q.settings == nil {
				continue
			}
			r, err := diff.Compare(diff.Side{ID: q.step.SnapshotID, Settings: q.settings}, diff.Side{ID: p.step.SnapshotID, Settings: p.settings})
			if err != nil {
				continue // a settings.json that does not parse is not compared
			}
			addChanges(&ch, s, r, owners)
		}
		sum.Changes = &ch
	}
	sum.Identity = identity(cur)
	sum.Actions = capList(actions(sum, notices, failed))
	if ch := sum.Changes; ch != nil {
		// Capped after the actions are worked out, so none is lost.
		ch.KeysAdded, ch.KeysRemoved = capList(ch.KeysAdded), capList(ch.KeysRemoved)
		ch.Settings, ch.Account = capList(ch.Settings), capList(ch.Account)
	}
	return sum, nil
}

// keyOwners maps the inventory's key ids to whether anyone is recorded as
// depending on the key.
func keyOwners(ctx context.Context, st *store.Store) (map[string]bool, error) {
	keys, err := st.APIKeys(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k.Key] = len(k.Dependents) > 0
	}
	return m, nil
}

func keyID(k diff.Key) string { return store.SeenKey{Name: k.Name, Prefix: k.Prefix}.Key() }

// Caps that keep a summary (and so audit.finish's reply) far below the
// 1 MB reply limit whatever the pages hold: a value is cut at maxValue
// bytes, and each list of changes keeps its first maxChanges entries.
const (
	maxValue   = 2000
	maxChanges = 200
)

// clip cuts v to at most maxValue bytes on a UTF-8 boundary, marking the cut.
func clip(v string) string {
	if len(v) <= maxValue {
		return v
	}
	cut := maxValue - len("…")
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "…"
}

func addChanges(ch *spec.AuditChanges, s spec.AuditStepResult, r diff.Result, owners map[string]bool) {
	project := func(k diff.Key) string {
		if s.Project != "" {
			return s.Project
		}
		return k.Project
	}
	for _, k := range r.KeysAdded {
		ch.KeysAdded = append(ch.KeysAdded, spec.AuditKey{StepID: s.StepID, Name: clip(k.Name), Prefix: clip(k.Prefix),
			Project: project(k), Unowned: !owners[keyID(k)]})
	}
	for _, k := range r.KeysRemoved {
		ch.KeysRemoved = append(ch.KeysRemoved, spec.AuditKey{StepID: s.StepID, Name: clip(k.Name), Prefix: clip(k.Prefix), Project: project(k)})
	}
	label := func(l string) string {
		if s.Project != "" {
			return l + " (" + s.Project + ")"
		}
		return l
	}
	for _, c := range r.Settings {
		ch.Settings = append(ch.Settings, spec.AuditChange{StepID: s.StepID, Label: clip(label(c.Label)), From: clip(c.From), To: clip(c.To)})
	}
	for _, c := range r.Fields {
		ch.Settings = append(ch.Settings, spec.AuditChange{StepID: s.StepID, Label: clip(label(c.Label)), From: clip(c.From), To: clip(c.To)})
	}
	for _, c := range r.Account {
		ch.Account = append(ch.Account, spec.AuditChange{StepID: s.StepID, Label: clip(label(c.Label)), From: clip(c.From), To: clip(c.To)})
	}
}

// dropRepeatedPages leaves out notices the previous audit reported: its own
// captures (the window starts when it began, so they are in it), and this
// audit's capture of a page whose capture last time was a notice too — the
// same standing page (a suspension banner on the account page) is reported
// when it first appears, not every week.
func dropRepeatedPages(notices []spec.AuditNotice, cur, prev store.Audit) []spec.AuditNotice {
	isNotice := map[string]bool{}
	for _, n := range notices {
		isNotice[n.SnapshotID] = true
	}
	prevSnap := map[string]bool{}
	wasNotice := map[string]bool{}
	for _, s := range prev.Steps {
		if s.SnapshotID != "" {
			prevSnap[s.SnapshotID] = true
			wasNotice[pageKey(s.StepID, s.Project)] = isNotice[s.SnapshotID]
		}
	}
	curPage := map[string]string{}
	for _, s := range cur.Steps {
		if s.SnapshotID != "" {
			curPage[s.SnapshotID] = pageKey(s.StepID, s.Project)
		}
	}
	out := []spec.AuditNotice{}
	for _, n := range notices {
		if prevSnap[n.SnapshotID] {
			continue
		}
		if page, ok := curPage[n.SnapshotID]; ok && wasNotice[page] {
			continue
		}
		out = append(out, n)
	}
	return out
}

func capList[T any](l []T) []T {
	if len(l) > maxChanges {
		return l[:maxChanges]
	}
	return l
}

// Notices lists the moderation snapshots and imports captured or stored
// since since.
func Notices(ctx context.Context, st *store.Store, since time.Time) ([]spec.AuditNotice, error) {
	snaps, err := st.ListSnapshots(ctx, store.Filter{Categories: []string{spec.CategoryModeration}})
	if err != nil {
		return nil, err
	}
	out := []spec.AuditNotice{}
	for _, sn := range snaps {
		if sn.CapturedAt.Before(since) && sn.StoredAt.Before(since) {
			continue
		}
		out = append(out, spec.AuditNotice{SnapshotID: sn.ID, Title: sn.Title, At: spec.Time{Time: sn.CapturedAt}, Trigger: sn.Trigger})
	}
	slices.SortFunc(out, func(x, y spec.AuditNotice) int { return x.At.Compare(y.At.Time) })
	return out, nil
}

// ValidPage accepts only the extension's own audit page:
// chrome-extension://<32 a-p>/audit.html or
// moz-extension://<lowercase uuid>/audit.html, so the dashboard's Run audit
// button can never link anywhere else.
func ValidPage(u string) bool {
	if id, ok := strings.CutPrefix(u, "chrome-extension://"); ok {
		id, ok = strings.CutSuffix(id, "/audit.html")
		return ok && len(id) == 32 && strings.Trim(id, "abcdefghijklmnop") == ""
	}
	if id, ok := strings.CutPrefix(u, "moz-extension://"); ok {
		id, ok = strings.CutSuffix(id, "/audit.html")
		if !ok || len(id) != 36 {
			return false
		}
		for i := 0; i < len(id); i++ {
			c := id[i]
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if c != '-' {
					return false
				}
			} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
		return true
	}
	return false
}
