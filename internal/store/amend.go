package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/spec"
)

// Amending a snapshot: the extension commits the fast artifacts (visible
// screenshot, DOM, text, settings) first, and the slow ones (full-page tiles,
// MHTML) follow as a second upload that names the first commit's snapshot id
// (docs/protocol.md, "Amending a snapshot"). The second commit adds artifact
// rows to that snapshot, merges its notes and redactions, and logs a
// snapshot.amended event with the added artifacts' hashes, all in one
// transaction.

// Refusals of an amend; the protocol maps each onto its own error code.
var (
	ErrUnknownSnapshot = errors.New("unknown snapshot")
	ErrArtifactExists  = errors.New("artifact already stored")
	ErrNotAmendable    = errors.New("snapshot cannot be amended")
	ErrCaptureMismatch = errors.New("capture_id mismatch")
)

// EventSnapshotAmended is the event an amend logs.
const EventSnapshotAmended = spec.EventSnapshotAmended

// AmendWindow is how long after it was stored a snapshot can be amended: the
// slow artifacts follow within seconds (the extension's retry queue holds a
// capture for 30 minutes at most), and evidence should not grow pieces much
// later.
const AmendWindow = time.Hour

// amendTarget is what an amend needs to know of the snapshot it amends.
type amendTarget struct {
	snap      Snapshot
	captureID string
	existing  map[string]ArtifactInfo
}

// loadTarget reads the amended snapshot through q (the store's pool before
// the upload, the write transaction at commit).
func loadTarget(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, id string) (amendTarget, error) {
	var t amendTarget
	var capture sql.NullString
	row := q.QueryRowContext(ctx, "SELECT "+snapshotCols+", capture_id FROM snapshots WHERE id = ?", id)
	var err error
	t.snap, err = scanSnapshot(withExtra{row, []any{&capture}})
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("%w: no stored snapshot %q (never stored, or deleted)", ErrUnknownSnapshot, id)
	}
	if err != nil {
		return t, err
	}
	t.captureID = capture.String
	rows, err := q.QueryContext(ctx, `SELECT name, mime, size, sha256 FROM artifacts WHERE snapshot_id = ?`, id)
	if err != nil {
		return t, fmt.Errorf("artifacts of %q: %w", id, classify(err))
	}
	defer rows.Close()
	t.existing = map[string]ArtifactInfo{}
	for rows.Next() {
		var a ArtifactInfo
		if err := rows.Scan(&a.Name, &a.MIME, &a.Size, &a.SHA256); err != nil {
			return t, fmt.Errorf("artifacts of %q: %w", id, err)
		}
		t.existing[a.Name] = a
	}
	return t, rows.Err()
}

// withExtra lets scanSnapshot read a row with columns after snapshotCols.
type withExtra struct {
	r     scanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.r.Scan(append(dest, w.extra...)...) }

// check refuses an amend that makes no sense for this snapshot. It returns
// dup=true when the amend is a retry of one already stored: every declared
// artifact is on the snapshot with the same bytes (or, with no artifacts,
// every note already has the amend's value).
func (t amendTarget) check(meta Snapshot, decls []ArtifactInfo, now time.Time) (dup bool, err error) {
	if t.snap.Trigger == TriggerImport {
		return false, fmt.Errorf("%w: %s is an import; imports are stored whole", ErrNotAmendable, t.snap.ID)
	}
	if meta.CaptureID != t.captureID {
		return false, fmt.Errorf("%w: the amend's capture_id %q is not snapshot %s's (%q)", ErrCaptureMismatch,
			meta.CaptureID, t.snap.ID, t.captureID)
	}
	same := 0
	for _, d := range decls {
		ex, ok := t.existing[d.Name]
		if !ok {
			continue
		}
		if ex.SHA256 != d.SHA256 || ex.Size != d.Size {
			return false, fmt.Errorf("%w: snapshot %s already has %q with other bytes", ErrArtifactExists, t.snap.ID, d.Name)
		}
		same++
	}
	switch {
	case len(decls) > 0 && same == len(decls):
		return true, nil
	case same > 0:
		// An amend commits whole, so a retry finds all its artifacts or none.
		return false, fmt.Errorf("%w: snapshot %s already has some of these artifacts", ErrArtifactExists, t.snap.ID)
	case len(decls) == 0 && len(meta.Notes) > 0 && notesIn(meta.Notes, t.snap.Notes):
		return true, nil
	}
	if now.Sub(t.snap.StoredAt) > AmendWindow {
		return false, fmt.Errorf("%w: %s was stored at %s, more than %s ago", ErrNotAmendable, t.snap.ID,
			t.snap.StoredAt.Format(time.RFC3339), AmendWindow)
	}
	if len(t.existing)+len(decls) > MaxArtifacts {
		return false, fmt.Errorf("%w: %d artifacts with the amend, at most %d", ErrTooLarge, len(t.existing)+len(decls), MaxArtifacts)
	}
	for _, d := range decls {
		if d.Name == spec.ArtifactSettingsJSON {
			// The identity summary and key inventory are computed from it at the first commit.
			return false, invalid("settings.json belongs to the first commit, not an amend")
		}
	}
	if merged := mergeNotes(t.snap.Notes, meta.Notes); len(merged) > MaxNotes {
		return false, invalid("meta.notes would have %d entries with the amend, at most %d", len(merged), MaxNotes)
	}
	return false, nil
}

func notesIn(sub, all map[string]string) bool {
	for k, v := range sub {
		if w, ok := all[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// mergeNotes overlays add on base (an amend's note replaces the first
// commit's of the same key: "fullpage: to follow" becomes what happened).
func mergeNotes(base, add map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(add))
	maps.Copy(out, base)
	maps.Copy(out, add)
	return out
}

// mergeRedactions adds b's counts to a's, one entry per rule and artifact.
func mergeRedactions(a, b []Redaction) []Redaction {
	out := slices.Clone(a)
	for _, r := range b {
		i := slices.IndexFunc(out, func(o Redaction) bool { return o.Rule == r.Rule && o.Artifact == r.Artifact })
		if i >= 0 {
			out[i].Count += r.Count
		} else {
			out = append(out, r)
		}
	}
	if out == nil {
		out = []Redaction{}
	}
	return out
}

// BeginAmend opens an upload that adds decls to the stored snapshot id
// (meta: capture_id, notes and redactions; its other fields are ignored).
// The refusals are checked here, so a client learns before sending any
// bytes, and again at commit inside the transaction.
func (s *Store) BeginAmend(ctx context.Context, id string, meta Snapshot, decls []ArtifactInfo) (*Upload, error) {
	t, err := loadTarget(ctx, s.db, id)
	if err != nil {
		return nil, fmt.Errorf("store: amend: %w", err)
	}
	if _, err := t.check(meta, decls, time.Now()); err != nil {
		return nil, fmt.Errorf("store: amend: %w", err)
	}
	// The snapshot's own fields stand in for the ignored ones, so the one
	// validate checks the declarations, notes and redactions.
	m := t.snap
	m.Notes, m.Redactions, m.CaptureID, m.Artifacts = meta.Notes, meta.Redactions, meta.CaptureID, nil
	if err := validate(&m, decls); err != nil {
		return nil, fmt.Errorf("store: amend: %w", err)
	}
	u := &Upload{s: s, meta: m, amends: id}
	for _, d := range decls {
		u.parts = append(u.parts, &part{info: d, h: sha256.New()})
	}
	return u, nil
}

// amend stores arts on snapshot id: blobs, artifact rows, the merged notes
// and redactions, a feed row for the dashboard and the snapshot.amended
// event, in one transaction. A retry of a stored amend stores nothing and
// reports every artifact as deduplicated, with Duplicate set.
func (s *Store) amend(ctx context.Context, id string, meta Snapshot, arts []staged) (Snapshot, []Committed, error) {
	blobs, results, err := s.prepareAll(ctx, arts)
	if err != nil {
		return Snapshot{}, nil, err
	}
	decls := make([]ArtifactInfo, len(arts))
	for i, a := range arts {
		decls[i] = a.info
	}
	var t amendTarget
	var dup bool
	s.prepareStmts(ctx)
	err = s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = loadTarget(ctx, tx, id); err != nil {
			return err
		}
		if dup, err = t.check(meta, decls, time.Now()); err != nil || dup {
			return err
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		if err := s.insertBlobs(ctx, tx, blobs, fmtTime(now)); err != nil {
			return err
		}
		for _, a := range decls {
			if _, err := tx.ExecContext(ctx, `INSERT INTO artifacts (snapshot_id, name, mime, size, sha256)
				VALUES (?, ?, ?, ?, ?)`, id, a.Name, a.MIME, a.Size, a.SHA256); err != nil {
				return fmt.Errorf("insert artifact %q: %w", a.Name, err)
			}
		}
		t.snap.Notes = mergeNotes(t.snap.Notes, meta.Notes)
		t.snap.Redactions = mergeRedactions(t.snap.Redactions, meta.Redactions)
		notes, _ := json.Marshal(t.snap.Notes)
		red, _ := json.Marshal(t.snap.Redactions)
		if _, err := tx.ExecContext(ctx, `UPDATE snapshots SET notes = ?, redactions = ? WHERE id = ?`,
			string(notes), string(red), id); err != nil {
			return fmt.Errorf("update snapshot: %w", err)
		}
		// The dashboard follows the feed; an amend changes no snapshot row's
		// insert or delete, so it says so itself.
		if _, err := tx.ExecContext(ctx, `INSERT INTO feed (kind, ref, info) VALUES ('snapshot.amended', ?, ?)`,
			id, t.snap.Trigger); err != nil {
			return fmt.Errorf("feed: %w", err)
		}
		added := make([]map[string]any, 0, len(decls))
		for _, a := range decls {
			added = append(added, map[string]any{"name": a.Name, "mime": a.MIME, "size": a.Size, "sha256": a.SHA256})
		}
		d, err := json.Marshal(map[string]any{"snapshot_id": id, "artifacts": added,
			"notes": slices.Sorted(maps.Keys(meta.Notes))})
		if err != nil {
			return err
		}
		_, err = s.appendTx(ctx, tx, Event{Type: EventSnapshotAmended, URL: t.snap.URL, Detail: d, At: now})
		return err
	})
	for _, b := range blobs {
		if b != nil {
			s.putBuf(b.data) // SQLite copied it when binding
		}
	}
	if err != nil {
		return Snapshot{}, nil, fmt.Errorf("store: amend %s: %w", id, err)
	}
	if dup {
		for i := range results {
			results[i].Deduplicated = true
		}
	}
	snap := t.snap
	snap.CaptureID, snap.Duplicate = meta.CaptureID, dup
	snap.Artifacts = slices.SortedFunc(maps.Values(t.existing), func(a, b ArtifactInfo) int {
		return strings.Compare(a.Name, b.Name)
	})
	if !dup {
		snap.Artifacts = append(snap.Artifacts, decls...)
	}
	return snap, results, nil
}
