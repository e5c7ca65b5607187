package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/spec"
)

// The case workspace's additions (docs/dashboard.md): notes and imports on
// the timeline, deletion with a tombstone in the event log, the API-key
// inventory, and the change feed the dashboard pushes live.

// TriggerImport marks a snapshot made by importing a file (an email, a PDF,
// an image, a transcript) rather than by capturing a page. Only SaveImport
// stores it; the native protocol cannot.
const TriggerImport = spec.TriggerImport

// Event types this file appends to the hash-chained log (spec/vocabulary.json).
const (
	EventNoteAdded       = spec.EventNoteAdded
	EventImportAdded     = spec.EventImportAdded
	EventSnapshotDeleted = spec.EventSnapshotDeleted
	EventKeyUpdated      = spec.EventKeyUpdated
)

// MaxNoteText caps a note; a note is one event (detail ≤ 64 KiB).
const MaxNoteText = 16 << 10

// Note is a line on the case timeline: a ticket number, an appeal sent, a
// phone call, a deadline. Notes are events (type note.added), so they are
// hash-chained and travel in every kit's event log.
type Note struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"` // when it was written
	Text       string    `json:"text"`
	About      string    `json:"about,omitempty"` // optional date/time the note is about, as the user gave it
	SnapshotID string    `json:"snapshot_id,omitempty"`
	Hash       string    `json:"hash"`
}

type noteDetail struct {
	Text       string `json:"text"`
	About      string `json:"about,omitempty"`
	SnapshotID string `json:"snapshot_id,omitempty"`
}

// AddNote appends a note. The caller redacts secrets from the text first.
func (s *Store) AddNote(ctx context.Context, n Note) (Note, error) {
	n.Text = strings.TrimSpace(n.Text)
	if n.Text == "" {
		return Note{}, fmt.Errorf("store: %w", invalid("a note needs text"))
	}
	if len(n.Text) > MaxNoteText || len(n.About) > 64 {
		return Note{}, fmt.Errorf("store: %w: a note is at most %d bytes", ErrTooLarge, MaxNoteText)
	}
	if n.SnapshotID != "" {
		if _, err := s.GetSnapshot(ctx, n.SnapshotID); err != nil {
			return Note{}, err
		}
	}
	d, _ := json.Marshal(noteDetail{Text: n.Text, About: n.About, SnapshotID: n.SnapshotID})
	e, err := s.AppendEvent(ctx, Event{Type: EventNoteAdded, At: n.At, Detail: d})
	if err != nil {
		return Note{}, err
	}
	return Note{Seq: e.Seq, At: e.At, Text: n.Text, About: n.About, SnapshotID: n.SnapshotID, Hash: e.Hash}, nil
}

// Notes lists the notes, oldest first.
func (s *Store) Notes(ctx context.Context) ([]Note, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, at, detail, hash FROM events WHERE type = ? ORDER BY seq`, EventNoteAdded)
	if err != nil {
		return nil, fmt.Errorf("store: notes: %w", classify(err))
	}
	defer rows.Close()
	out := []Note{}
	for rows.Next() {
		var n Note
		var at, detail string
		if err := rows.Scan(&n.Seq, &at, &detail, &n.Hash); err != nil {
			return nil, fmt.Errorf("store: notes: %w", err)
		}
		var d noteDetail
		_ = json.Unmarshal([]byte(detail), &d) // a hand-written note.added with another shape shows empty
		n.At, n.Text, n.About, n.SnapshotID = parseTime(at), d.Text, d.About, d.SnapshotID
		out = append(out, n)
	}
	return out, rows.Err()
}

// EventsSince returns up to limit events with seq > after, in order.
func (s *Store) EventsSince(ctx context.Context, after int64, limit int) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, at, type, rule_id, url, detail, prev_hash, hash FROM events
		WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", classify(err))
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var at, detail string
		if err := rows.Scan(&e.Seq, &at, &e.Type, &e.RuleID, &e.URL, &detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		e.At, e.Detail = parseTime(at), json.RawMessage(detail)
		out = append(out, e)
	}
	return out, rows.Err()
}

// SaveImport stores an imported file as a snapshot with trigger "import"
// (so kits, reports, list and show treat it like any other evidence) and
// logs an import.added event in the same transaction. meta.URL names the
// source ("import:file.eml"); detail is the event's detail.
func (s *Store) SaveImport(ctx context.Context, meta Snapshot, content map[string]io.Reader, detail map[string]any) (Snapshot, error) {
	meta.Trigger, meta.imported = TriggerImport, true
	if meta.CategorySource == "" {
		meta.CategorySource = spec.CategorySourceImport
	}
	meta.afterCommit = func(ctx context.Context, tx *sql.Tx, snap Snapshot) error {
		d := map[string]any{}
		for k, v := range detail {
			d[k] = v
		}
		d["snapshot_id"], d["category"] = snap.ID, snap.Category
		arts := make([]map[string]any, 0, len(snap.Artifacts))
		for _, a := range snap.Artifacts {
			arts = append(arts, map[string]any{"name": a.Name, "size": a.Size, "sha256": a.SHA256})
		}
		d["artifacts"] = arts
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		_, err = s.appendTx(ctx, tx, Event{Type: EventImportAdded, URL: snap.URL, Detail: b, At: time.Now()})
		return err
	}
	return s.SaveSnapshot(ctx, meta, content)
}

// Deleted is what DeleteSnapshot removed and the tombstone it logged.
type Deleted struct {
	Snapshot   Snapshot `json:"snapshot"`
	BlobsFreed int      `json:"blobs_freed"`
	Tombstone  Event    `json:"tombstone"`
}

// DeleteSnapshot removes a snapshot (or an import), its artifact rows and
// every blob no other snapshot uses, and appends a snapshot.deleted event —
// who, when, which hashes — in the same transaction. The event log itself
// is untouched (append-only), so the chain, and every later kit, verifies.
// by names the actor ("dashboard", "cli"); reason is optional free text.
func (s *Store) DeleteSnapshot(ctx context.Context, id, by, reason string) (Deleted, error) {
	snap, err := s.GetSnapshot(ctx, id)
	if err != nil {
		return Deleted{}, err
	}
	if len(reason) > 2048 {
		return Deleted{}, fmt.Errorf("store: %w", invalid("reason is longer than 2048 bytes"))
	}
	var out Deleted
	err = s.writeScrubbed(ctx, func(tx *sql.Tx) error {
		out = Deleted{Snapshot: snap}
		res, err := tx.ExecContext(ctx, `DELETE FROM artifacts WHERE snapshot_id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete artifacts: %w", err)
		}
		_ = res
		res, err = tx.ExecContext(ctx, `DELETE FROM snapshots WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete snapshot: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("snapshot %q: %w", id, ErrNotFound) // another process deleted it first
		}
		for _, a := range snap.Artifacts {
			// A screenshot's cached thumbnail references its blob.
			if _, err := tx.ExecContext(ctx, `DELETE FROM thumbnails WHERE sha256 = ?
				AND NOT EXISTS (SELECT 1 FROM artifacts WHERE sha256 = ?)`, a.SHA256, a.SHA256); err != nil {
				return fmt.Errorf("delete thumbnail: %w", err)
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM blobs WHERE sha256 = ?
				AND NOT EXISTS (SELECT 1 FROM artifacts WHERE sha256 = ?)`, a.SHA256, a.SHA256)
			if err != nil {
				return fmt.Errorf("delete blob: %w", err)
			}
			n, _ := res.RowsAffected()
			out.BlobsFreed += int(n)
		}
		arts := make([]map[string]any, 0, len(snap.Artifacts))
		for _, a := range snap.Artifacts {
			arts = append(arts, map[string]any{"name": a.Name, "size": a.Size, "sha256": a.SHA256})
		}
		d, err := json.Marshal(map[string]any{"snapshot_id": id, "by": by, "reason": reason,
			"trigger": snap.Trigger, "captured_at": fmtTime(snap.CapturedAt), "title": snap.Title,
			"category": snap.Category, "artifacts": arts})
		if err != nil {
			return err
		}
		out.Tombstone, err = s.appendTx(ctx, tx, Event{Type: EventSnapshotDeleted, URL: snap.URL, Detail: d, At: time.Now()})
		return err
	})
	if err != nil {
		return Deleted{}, fmt.Errorf("store: delete %s: %w", id, err)
	}
	return out, nil
}

// writeScrubbed runs fn like write, on one connection with secure_delete on:
// SQLite then overwrites what fn deletes with zeros instead of leaving it in
// free pages, where the snapshot's metadata (in the clear) and its blobs'
// ciphertext would otherwise stay until the pages were reused. A TRUNCATE
// checkpoint afterwards empties the WAL, whose frames hold the pages' earlier
// images. Other writes keep secure_delete off (an upload's staging rows are
// deleted on every commit, and zeroing them would cost ingest throughput).
func (s *Store) writeScrubbed(ctx context.Context, fn func(tx *sql.Tx) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return classify(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		return classify(err)
	}
	// The connection goes back to the pool: secure_delete must not stay on for it.
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA secure_delete = OFF`)
	for attempt := 0; ; attempt++ {
		err = func() error {
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			if err := fn(tx); err != nil {
				tx.Rollback()
				return err
			}
			return tx.Commit()
		}()
		if err == nil || !isBusy(err) || attempt == 3 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
		}
	}
	if err != nil {
		err = classify(err)
		if errors.Is(err, ErrStorageFull) {
			s.full.Store(true)
			s.recoverSpace(ctx)
		}
		return err
	}
	// Best effort: a reader holding an old snapshot keeps the WAL; the next
	// checkpoint that finds none truncates it.
	var busy, logFrames, done int
	_ = conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done)
	return nil
}

// SeenKey is one row of a settings.json api_keys array.
type SeenKey struct {
	Name     string `json:"name"`
	Prefix   string `json:"prefix"`
	Project  string `json:"project"`
	Created  string `json:"created"`
	LastUsed string `json:"last_used"`
}

// Key is how the inventory names a key: the masked prefix the page shows
// (sk-...Xq2w) when there is one, else its name.
func (k SeenKey) Key() string {
	if k.Prefix != "" {
		return k.Prefix
	}
	return "name:" + k.Name
}

func seenKeys(raw []json.RawMessage) []SeenKey {
	var out []SeenKey
	for _, r := range raw {
		var k SeenKey
		if json.Unmarshal(r, &k) != nil || (k.Prefix == "" && k.Name == "") {
			continue
		}
		clip := func(s *string) {
			if len(*s) > 256 {
				*s = (*s)[:256]
			}
		}
		for _, f := range []*string{&k.Name, &k.Prefix, &k.Project, &k.Created, &k.LastUsed} {
			clip(f)
		}
		out = append(out, k)
	}
	return out
}

// upsertKeys records the keys a committed snapshot showed. The newest
// snapshot's view of a key wins; first/last seen widen.
func upsertKeys(ctx context.Context, tx *sql.Tx, snap Snapshot, keys []SeenKey) error {
	at := fmtTime(snap.CapturedAt)
	for _, k := range keys {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (key, name, prefix, project, created, last_used,
			first_seen, last_seen, first_snapshot, last_snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET
			  name = CASE WHEN excluded.last_seen >= last_seen THEN excluded.name ELSE name END,
			  project = CASE WHEN excluded.last_seen >= last_seen THEN excluded.project ELSE project END,
			  created = CASE WHEN excluded.last_seen >= last_seen THEN excluded.created ELSE created END,
			  last_used = CASE WHEN excluded.last_seen >= last_seen THEN excluded.last_used ELSE last_used END,
			  last_snapshot = CASE WHEN excluded.last_seen >= last_seen THEN excluded.last_snapshot ELSE last_snapshot END,
			  last_seen = max(last_seen, excluded.last_seen),
			  first_snapshot = CASE WHEN excluded.first_seen < first_seen THEN excluded.first_snapshot ELSE first_snapshot END,
			  first_seen = min(first_seen, excluded.first_seen)`,
			k.Key(), k.Name, k.Prefix, k.Project, k.Created, k.LastUsed, at, at, snap.ID, snap.ID)
		if err != nil {
			return fmt.Errorf("record api key: %w", err)
		}
	}
	return nil
}

// Rotation statuses a key can have in the inventory.
var Rotations = []string{"not_rotated", "rotating", "rotated", "revoked", "not_needed"}

// APIKey is one key of the inventory.
type APIKey struct {
	Key           string    `json:"key"`
	Name          string    `json:"name"`
	Prefix        string    `json:"prefix"`
	Project       string    `json:"project"`
	Created       string    `json:"created"`
	LastUsed      string    `json:"last_used"`
	FirstSeen     time.Time `json:"first_seen"`
	LastSeen      time.Time `json:"last_seen"`
	FirstSnapshot string    `json:"first_snapshot"`
	LastSnapshot  string    `json:"last_snapshot"`
	Dependents    []string  `json:"dependents"`
	Rotation      string    `json:"rotation"`
	UpdatedAt     string    `json:"updated_at"`
}

// MarshalJSON writes times with milliseconds.
func (k APIKey) MarshalJSON() ([]byte, error) {
	type plain APIKey
	return marshalRaw(struct {
		plain
		FirstSeen string `json:"first_seen"`
		LastSeen  string `json:"last_seen"`
	}{plain(k), fmtTime(k.FirstSeen), fmtTime(k.LastSeen)})
}

// APIKeys lists the inventory, most recently seen first.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, name, prefix, project, created, last_used, first_seen, last_seen,
		first_snapshot, last_snapshot, dependents, rotation, updated_at FROM api_keys ORDER BY last_seen DESC, key`)
	if err != nil {
		return nil, fmt.Errorf("store: api keys: %w", classify(err))
	}
	defer rows.Close()
	out := []APIKey{}
	for rows.Next() {
		var k APIKey
		var first, last, deps string
		if err := rows.Scan(&k.Key, &k.Name, &k.Prefix, &k.Project, &k.Created, &k.LastUsed, &first, &last,
			&k.FirstSnapshot, &k.LastSnapshot, &deps, &k.Rotation, &k.UpdatedAt); err != nil {
			return nil, fmt.Errorf("store: api keys: %w", err)
		}
		k.FirstSeen, k.LastSeen = parseTime(first), parseTime(last)
		if json.Unmarshal([]byte(deps), &k.Dependents) != nil || k.Dependents == nil {
			k.Dependents = []string{}
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// UpdateAPIKey records a key's dependents and rotation status, and logs the
// change as a key.updated event in the same transaction (evidence that the
// user rotated a key, and when).
func (s *Store) UpdateAPIKey(ctx context.Context, key string, dependents []string, rotation string) (APIKey, error) {
	if !oneOf(rotation, Rotations) {
		return APIKey{}, fmt.Errorf("store: %w", invalid("rotation %q is not one of %s", rotation, strings.Join(Rotations, ", ")))
	}
	clean := []string{}
	for _, d := range dependents {
		if d = strings.TrimSpace(d); d != "" {
			if len(d) > 200 {
				return APIKey{}, fmt.Errorf("store: %w", invalid("a dependent is at most 200 bytes"))
			}
			clean = append(clean, d)
		}
	}
	if len(clean) > 100 {
		return APIKey{}, fmt.Errorf("store: %w", invalid("at most 100 dependents per key"))
	}
	deps, _ := json.Marshal(clean)
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET dependents = ?, rotation = ?, updated_at = ? WHERE key = ?`,
			string(deps), rotation, fmtTime(time.Now()), key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("api key %q: %w", key, ErrNotFound)
		}
		d, _ := json.Marshal(map[string]any{"key": key, "dependents": clean, "rotation": rotation})
		_, err = s.appendTx(ctx, tx, Event{Type: EventKeyUpdated, Detail: d, At: time.Now()})
		return err
	})
	if err != nil {
		return APIKey{}, fmt.Errorf("store: update api key: %w", err)
	}
	keys, err := s.APIKeys(ctx)
	if err != nil {
		return APIKey{}, err
	}
	for _, k := range keys {
		if k.Key == key {
			return k, nil
		}
	}
	return APIKey{}, fmt.Errorf("store: api key %q: %w", key, ErrNotFound)
}

// KeyInventory is the inventory in one line's worth of numbers, for
// identity.summary and the banner: "3 keys, used by: billing-worker,
// support-bot; 1 not rotated".
type KeyInventory struct {
	Keys       int      `json:"keys"`
	UsedBy     []string `json:"used_by"`
	NotRotated int      `json:"not_rotated"`
}

// KeyInventorySummary summarises the inventory (one small table read).
func (s *Store) KeyInventorySummary(ctx context.Context) (*KeyInventory, error) {
	keys, err := s.APIKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, nil
	}
	inv := &KeyInventory{Keys: len(keys), UsedBy: []string{}}
	seen := map[string]bool{}
	for _, k := range keys {
		if k.Rotation == "not_rotated" || k.Rotation == "rotating" {
			inv.NotRotated++
		}
		for _, d := range k.Dependents {
			if !seen[d] {
				seen[d] = true
				inv.UsedBy = append(inv.UsedBy, d)
			}
		}
	}
	return inv, nil
}

// Change is one row of the change feed.
type Change struct {
	Seq  int64  `json:"-"`
	Kind string `json:"kind"` // snapshot.added, snapshot.deleted, event.added, key.updated
	Ref  string `json:"ref"`  // snapshot id, event seq, or key
	Info string `json:"info"` // the snapshot's trigger, the event's type, the key's rotation
}

// FeedHead is the newest change's number (0 when there is none).
func (s *Store) FeedHead(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM feed`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: feed head: %w", classify(err))
	}
	return n, nil
}

// Watch calls fn with every batch of changes committed after it starts, by
// this process or any other, until ctx ends. It polls PRAGMA data_version on
// a connection of its own every interval — a read of one page-cache counter
// that changes only when another connection committed — and reads the feed
// only then.
func (s *Store) Watch(ctx context.Context, interval time.Duration, fn func([]Change)) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: watch: %w", classify(err))
	}
	defer conn.Close()
	var version int64
	if err := conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&version); err != nil {
		return fmt.Errorf("store: watch: %w", classify(err))
	}
	var after int64
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM feed`).Scan(&after); err != nil {
		return fmt.Errorf("store: watch: %w", classify(err))
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		var v int64
		if err := conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("store: watch: %w", classify(err))
		}
		if v == version {
			continue
		}
		version = v
		for {
			batch, err := readFeed(ctx, conn, after, 500)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			if len(batch) == 0 {
				break
			}
			after = batch[len(batch)-1].Seq
			fn(batch)
			if len(batch) < 500 {
				break
			}
		}
	}
}

func readFeed(ctx context.Context, conn *sql.Conn, after int64, limit int) ([]Change, error) {
	rows, err := conn.QueryContext(ctx, `SELECT seq, kind, ref, info FROM feed WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: read feed: %w", classify(err))
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.Seq, &c.Kind, &c.Ref, &c.Info); err != nil {
			return nil, fmt.Errorf("store: read feed: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PreviousOfPage is the newest snapshot captured before snap of the same page
// (same final URL), or ErrNotFound. The diff view defaults to it.
func (s *Store) PreviousOfPage(ctx context.Context, snap Snapshot) (Snapshot, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM snapshots WHERE final_url = ? AND trigger != ?
		AND (captured_at < ? OR (captured_at = ? AND id < ?)) ORDER BY captured_at DESC, id DESC LIMIT 1`,
		snap.FinalURL, TriggerImport, fmtTime(snap.CapturedAt), fmtTime(snap.CapturedAt), snap.ID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, fmt.Errorf("store: no earlier snapshot of %s: %w", snap.FinalURL, ErrNotFound)
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("store: previous snapshot: %w", classify(err))
	}
	return s.GetSnapshot(ctx, id)
}

// BackfillAPIKeys fills the inventory from snapshots stored before schema
// version 3 (whose commits did not record keys). It runs once per database
// (meta key api_keys_backfilled) and returns how many snapshots it read.
// Commits since version 3 record their keys themselves; re-recording a key
// is harmless (first/last seen only widen).
func (s *Store) BackfillAPIKeys(ctx context.Context) (int, error) {
	var done string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'api_keys_backfilled'`).Scan(&done)
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: backfill api keys: %w", classify(err))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.captured_at FROM snapshots s
		JOIN artifacts a ON a.snapshot_id = s.id AND a.name = 'settings.json'
		WHERE s.api_key_count IS NOT NULL ORDER BY s.captured_at`)
	if err != nil {
		return 0, fmt.Errorf("store: backfill api keys: %w", classify(err))
	}
	type seen struct {
		snap Snapshot
		keys []SeenKey
	}
	var ids []Snapshot
	for rows.Next() {
		var sn Snapshot
		var at string
		if err := rows.Scan(&sn.ID, &at); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: backfill api keys: %w", err)
		}
		sn.CapturedAt = parseTime(at)
		ids = append(ids, sn)
	}
	rows.Close()
	var all []seen
	for _, sn := range ids {
		rc, err := s.OpenArtifact(ctx, sn.ID, "settings.json")
		if err != nil {
			return 0, err
		}
		b, err := io.ReadAll(io.LimitReader(rc, MaxArtifactSize))
		rc.Close()
		if err != nil {
			return 0, fmt.Errorf("store: backfill api keys: read %s: %w", sn.ID, err)
		}
		_, keys := apiKeys([]staged{{info: ArtifactInfo{Name: "settings.json"}, plain: b}})
		all = append(all, seen{sn, keys})
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		for _, x := range all {
			if err := upsertKeys(ctx, tx, x.snap, x.keys); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES ('api_keys_backfilled', ?)`, fmtTime(time.Now()))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: backfill api keys: %w", err)
	}
	return len(all), nil
}
