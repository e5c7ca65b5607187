package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/spec"
)

// ArtifactInfo describes one stored artifact. SHA256 is lowercase hex of the
// plaintext and is also the blob's key.
type ArtifactInfo struct {
	Name   string `json:"name"`
	MIME   string `json:"mime"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Redaction records how many secrets a rule removed from an artifact before
// it reached the host.
type Redaction struct {
	Rule     string `json:"rule"`
	Artifact string `json:"artifact"`
	Count    int    `json:"count"`
}

// Snapshot is one capture of a page and its artifacts.
type Snapshot struct {
	ID               string            `json:"id"`
	URL              string            `json:"url"`
	FinalURL         string            `json:"final_url"`
	Title            string            `json:"title"`
	CapturedAt       time.Time         `json:"captured_at"`
	TZOffsetMinutes  int               `json:"tz_offset_minutes"`
	Trigger          string            `json:"trigger"`
	Browser          string            `json:"browser"`
	BrowserVersion   string            `json:"browser_version"`
	ExtensionVersion string            `json:"extension_version"`
	HostVersion      string            `json:"host_version"`
	ViewportWidth    int               `json:"viewport_width"`
	ViewportHeight   int               `json:"viewport_height"`
	DevicePixelRatio float64           `json:"device_pixel_ratio"`
	Language         string            `json:"language"`
	Category         string            `json:"category"`
	CategorySource   string            `json:"category_source"`
	Redactions       []Redaction       `json:"redactions"`
	Notes            map[string]string `json:"notes"`
	// APIKeyCount is the length of the api_keys array of the snapshot's
	// settings.json artifact; nil when there is none.
	APIKeyCount *int           `json:"api_key_count"`
	StoredAt    time.Time      `json:"stored_at"`
	Artifacts   []ArtifactInfo `json:"artifacts"`
	// CaptureID is the client's idempotency key (optional): a commit whose
	// CaptureID is already stored stores nothing and returns that snapshot
	// with Duplicate set. Neither is part of exports.
	CaptureID string `json:"-"`
	Duplicate bool   `json:"-"`
	// imported lets SaveImport (and only it) use TriggerImport.
	imported bool
	// afterCommit, when set, runs inside the commit's transaction after the
	// rows are written (SaveImport logs its event there).
	afterCommit func(ctx context.Context, tx *sql.Tx, snap Snapshot) error
}

// Bytes is the sum of the artifacts' plaintext sizes.
func (s Snapshot) Bytes() int64 {
	var n int64
	for _, a := range s.Artifacts {
		n += a.Size
	}
	return n
}

// Triggers and Categories are the accepted values (spec/vocabulary.json).
var (
	Triggers   = spec.Triggers
	Categories = spec.Categories
)

// charset checks are hand-written rather than regexps: compiling regexps at
// package init costs the host's start-up time on every browser launch.

// validArtifactName: [a-z0-9._-]{1,64}.
func validArtifactName(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && allIn(s, func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
	})
}

// ValidIdempotencyKey: 8..64 of [A-Za-z0-9-] (a UUID fits), the shape of
// capture_id and event_id.
func ValidIdempotencyKey(s string) bool {
	return len(s) >= 8 && len(s) <= 64 && allIn(s, func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
	})
}

// Caps on snapshot metadata: one row must never make a snapshot.list reply
// (or an export line) too large.
const (
	MaxURL       = 8192
	MaxTitle     = 2048
	MaxNotes     = 64
	MaxNoteBytes = 4096
)

// validSHA256: 64 lowercase hex digits.
func validSHA256(s string) bool {
	return len(s) == 64 && allIn(s, func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' })
}

func allIn(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// validate checks metadata and artifact declarations and fills defaults.
// Sizes and hashes in decls are the declared ones; commit verifies them.
func validate(meta *Snapshot, decls []ArtifactInfo) error {
	if meta.URL == "" {
		return invalid("meta.url is required")
	}
	if meta.FinalURL == "" {
		meta.FinalURL = meta.URL
	}
	meta.URL, meta.FinalURL = CapURL(meta.URL), CapURL(meta.FinalURL)
	if len(meta.Title) > MaxTitle {
		return invalid("meta.title is %d bytes, at most %d", len(meta.Title), MaxTitle)
	}
	if len(meta.Notes) > MaxNotes {
		return invalid("meta.notes has %d entries, at most %d", len(meta.Notes), MaxNotes)
	}
	for k, v := range meta.Notes {
		if len(k) > MaxNoteBytes || len(v) > MaxNoteBytes {
			return invalid("meta.notes entry %.40q is longer than %d bytes", k, MaxNoteBytes)
		}
	}
	if meta.CaptureID != "" && !ValidIdempotencyKey(meta.CaptureID) {
		return invalid("meta.capture_id must be 8..64 characters of [A-Za-z0-9-]")
	}
	if meta.CapturedAt.IsZero() {
		return invalid("meta.captured_at is required")
	}
	if err := checkTime("meta.captured_at", meta.CapturedAt); err != nil {
		return err
	}
	if meta.TZOffsetMinutes < -16*60 || meta.TZOffsetMinutes > 16*60 {
		return invalid("meta.tz_offset_minutes %d is out of range", meta.TZOffsetMinutes)
	}
	if meta.Trigger == TriggerImport && !meta.imported {
		return invalid("meta.trigger %q is only for imported files", meta.Trigger)
	}
	if !oneOf(meta.Trigger, Triggers) {
		return invalid("meta.trigger %q is not one of %s", meta.Trigger, strings.Join(Triggers, ", "))
	}
	if meta.Category == "" {
		meta.Category = spec.CategoryOther
	}
	if !oneOf(meta.Category, Categories) {
		return invalid("meta.category %q is not one of %s", meta.Category, strings.Join(Categories, ", "))
	}
	if meta.CategorySource == "" {
		meta.CategorySource = spec.CategorySourceAuto
	}
	if meta.ViewportWidth < 0 || meta.ViewportHeight < 0 || meta.DevicePixelRatio < 0 {
		return invalid("meta.viewport and device_pixel_ratio must not be negative")
	}
	if len(decls) > MaxArtifacts {
		return fmt.Errorf("%w: %d artifacts, at most %d", ErrTooLarge, len(decls), MaxArtifacts)
	}
	seen := map[string]bool{}
	var total int64
	for _, d := range decls {
		if !validArtifactName(d.Name) {
			return invalid("artifact name %q must match [a-z0-9._-]{1,64}", d.Name)
		}
		if reservedArtifactName(d.Name) {
			return invalid("artifact name %q is reserved (., .. and the kit's meta.json)", d.Name)
		}
		if seen[d.Name] {
			return invalid("artifact %q declared twice", d.Name)
		}
		seen[d.Name] = true
		if d.MIME == "" || len(d.MIME) > 127 || !allIn(d.MIME, func(c byte) bool { return c > ' ' && c < 0x7f || c == ' ' }) {
			return invalid("artifact %q needs a mime type of printable ASCII", d.Name)
		}
		if d.Size < 0 {
			return invalid("artifact %q has a negative size", d.Name)
		}
		if d.Size > MaxArtifactSize {
			return fmt.Errorf("%w: artifact %q is %d bytes, at most %d", ErrTooLarge, d.Name, d.Size, MaxArtifactSize)
		}
		total += d.Size
		if !validSHA256(d.SHA256) {
			return invalid("artifact %q: sha256 must be 64 lowercase hex digits", d.Name)
		}
	}
	if total > MaxUploadSize {
		return fmt.Errorf("%w: snapshot is %d bytes, at most %d", ErrTooLarge, total, MaxUploadSize)
	}
	for _, r := range meta.Redactions {
		if r.Count < 0 {
			return invalid("redaction %q has a negative count", r.Rule)
		}
	}
	return nil
}

// Committed reports one artifact of a committed snapshot.
type Committed struct {
	ArtifactInfo
	Deduplicated bool `json:"deduplicated"`
}

// staged is a verified artifact with its plaintext, ready to store.
type staged struct {
	info  ArtifactInfo
	plain []byte
	// prep, when set, delivers the blob already prepared while the upload
	// was still arriving; otherwise commit prepares it.
	prep <-chan prepared
	// pooled: plain belongs to the store's buffer pool. kept: commit handed
	// it to the thumbnail maker, which gives it back; the caller must not.
	pooled, kept bool
}

// prepared is a blob ready for the commit transaction: sealed, or known to
// be stored already.
type prepared struct {
	blob  *sealed
	dedup bool
	err   error
}

// prepare looks the blob up and seals it when it is new. Sealing happens
// outside any transaction, so other writers are not held up by encryption.
func (s *Store) prepare(ctx context.Context, info ArtifactInfo, plain []byte) prepared {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM blobs WHERE sha256 = ?`, info.SHA256).Scan(&one)
	if err == nil {
		return prepared{dedup: true}
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return prepared{err: fmt.Errorf("look up blob: %w", classify(err))}
	}
	b, err := s.seal(ctx, info.SHA256, info.MIME, plain)
	if err != nil {
		return prepared{err: err}
	}
	return prepared{blob: &b}
}

// prepareAsync runs prepare in the background.
func (s *Store) prepareAsync(ctx context.Context, info ArtifactInfo, plain func() ([]byte, error)) <-chan prepared {
	ch := make(chan prepared, 1)
	go func() {
		defer close(ch) // a second receive (Upload.drain) returns at once
		p, err := plain()
		if err != nil {
			ch <- prepared{err: err}
			return
		}
		ch <- s.prepare(ctx, info, p)
	}()
	return ch
}

// newID is sortable by capture time; the random suffix keeps two captures in
// the same second (two browsers, one user) apart.
func newID(t time.Time) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("snapshot id: %w", err)
	}
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:]), nil
}

// apiKeys reads the api_keys array of a settings.json artifact: its length
// (nil when there is none) and the keys it lists, for the inventory.
func apiKeys(arts []staged) (*int, []SeenKey) {
	for _, a := range arts {
		if a.info.Name != spec.ArtifactSettingsJSON {
			continue
		}
		var doc struct {
			APIKeys []json.RawMessage `json:"api_keys"`
		}
		if json.Unmarshal(a.plain, &doc) != nil || doc.APIKeys == nil {
			return nil, nil
		}
		n := len(doc.APIKeys)
		return &n, seenKeys(doc.APIKeys)
	}
	return nil, nil
}

// prepareAll waits for (or starts) every artifact's sealing, in parallel
// (deflating the DOM and encrypting the screenshot are independent; uploads
// have usually started it already); nil entries of the blobs are already
// stored.
func (s *Store) prepareAll(ctx context.Context, arts []staged) ([]*sealed, []Committed, error) {
	results := make([]Committed, len(arts))
	blobs := make([]*sealed, len(arts))
	chans := make([]<-chan prepared, len(arts))
	for i, a := range arts {
		results[i] = Committed{ArtifactInfo: a.info}
		chans[i] = a.prep
		if chans[i] == nil {
			plain := a.plain
			chans[i] = s.prepareAsync(ctx, a.info, func() ([]byte, error) { return plain, nil })
		}
	}
	var firstErr error
	for i, ch := range chans {
		p := <-ch
		if p.err != nil && firstErr == nil {
			firstErr = fmt.Errorf("store: prepare %q: %w", arts[i].info.Name, p.err)
		}
		blobs[i], results[i].Deduplicated = p.blob, p.dedup
	}
	return blobs, results, firstErr
}

// commit seals the blobs (outside the lock, so other writers are not held up
// by encryption) and stores blobs, snapshot and artifact rows in one
// transaction. The snapshot exists only once that transaction commits.
func (s *Store) commit(ctx context.Context, meta Snapshot, arts []staged) (Snapshot, []Committed, error) {
	id, err := newID(meta.CapturedAt)
	if err != nil {
		return Snapshot{}, nil, err
	}
	meta.ID = id
	meta.CapturedAt = meta.CapturedAt.UTC().Truncate(time.Millisecond)
	meta.StoredAt = time.Now().UTC().Truncate(time.Millisecond)
	var seen []SeenKey
	meta.APIKeyCount, seen = apiKeys(arts)
	if meta.Redactions == nil {
		meta.Redactions = []Redaction{}
	}
	if meta.Notes == nil {
		meta.Notes = map[string]string{}
	}
	redactions, _ := json.Marshal(meta.Redactions)
	notes, _ := json.Marshal(meta.Notes)

	meta.Artifacts = make([]ArtifactInfo, len(arts))
	for i, a := range arts {
		meta.Artifacts[i] = a.info
	}
	blobs, results, err := s.prepareAll(ctx, arts)
	if err != nil {
		return Snapshot{}, nil, err
	}
	now := fmtTime(meta.StoredAt)
	s.prepareStmts(ctx)
	var captureID, dupID any // NULL unless the client sent a key
	if meta.CaptureID != "" {
		captureID = meta.CaptureID
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		dupID = nil
		if captureID != nil {
			// Checked inside the write transaction: two processes committing
			// the same capture at once are serialised by the write lock.
			var id string
			err := tx.QueryRowContext(ctx, `SELECT id FROM snapshots WHERE capture_id = ?`, captureID).Scan(&id)
			if err == nil {
				dupID = id
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("look up capture_id: %w", err)
			}
		}
		if err := s.insertBlobs(ctx, tx, blobs, now); err != nil {
			return err
		}
		if _, err := s.stmt(ctx, tx, sqlInsertSnapshot).ExecContext(ctx,
			meta.ID, fmtTime(meta.CapturedAt), meta.TZOffsetMinutes, meta.URL, meta.FinalURL, meta.Title,
			meta.Trigger, meta.Browser, meta.BrowserVersion, meta.ExtensionVersion, meta.HostVersion,
			meta.ViewportWidth, meta.ViewportHeight, meta.DevicePixelRatio, meta.Language, meta.Category,
			meta.CategorySource, string(redactions), string(notes), meta.APIKeyCount, now, captureID); err != nil {
			return fmt.Errorf("insert snapshot: %w", err)
		}
		insArt := s.stmt(ctx, tx, sqlInsertArtifact)
		for _, a := range arts {
			if _, err := insArt.ExecContext(ctx, meta.ID, a.info.Name, a.info.MIME, a.info.Size, a.info.SHA256); err != nil {
				return fmt.Errorf("insert artifact %q: %w", a.info.Name, err)
			}
		}
		if err := upsertKeys(ctx, tx, meta, seen); err != nil {
			return err
		}
		if meta.afterCommit != nil {
			return meta.afterCommit(ctx, tx, meta)
		}
		return nil
	})
	for _, b := range blobs {
		if b != nil {
			s.putBuf(b.data) // SQLite copied it when binding
		}
	}
	if err != nil {
		return Snapshot{}, nil, fmt.Errorf("store: commit snapshot: %w", err)
	}
	if id, ok := dupID.(string); ok {
		return s.duplicate(ctx, id, meta.CaptureID)
	}
	if i := screenshotOf(arts); i >= 0 && arts[i].plain != nil {
		arts[i].kept = arts[i].pooled
		s.thumbLater(arts[i].info.SHA256, arts[i].plain, arts[i].pooled)
	}
	return meta, results, nil
}

// insertBlobs inserts the new blobs of a commit, the largest first. A blob
// larger than SQLite's page cache makes it spill dirty pages to the WAL in
// the middle of the transaction; a page spilled there and changed again
// later (the blobs table's leaf, the counters row its trigger updates) is
// rewritten in place, and at commit SQLite then reads back every frame
// written since to recompute the checksums (about 2 MB read per 5 MB
// snapshot when the DOM went in before the screenshot). Inserted first, the
// large blob spills only its own overflow pages.
func (s *Store) insertBlobs(ctx context.Context, tx *sql.Tx, blobs []*sealed, now string) error {
	order := make([]*sealed, 0, len(blobs))
	for _, b := range blobs {
		if b != nil {
			order = append(order, b)
		}
	}
	slices.SortStableFunc(order, func(a, b *sealed) int { return len(b.data) - len(a.data) })
	ins := s.stmt(ctx, tx, sqlInsertBlob)
	for _, b := range order {
		if _, err := ins.ExecContext(ctx, b.sha, b.size, len(b.data), b.compression, b.nonce, b.data, now); err != nil {
			return fmt.Errorf("insert blob: %w", err)
		}
	}
	return nil
}

// duplicate answers a commit whose capture_id is already stored: the stored
// snapshot, every artifact reported as deduplicated.
func (s *Store) duplicate(ctx context.Context, id, captureID string) (Snapshot, []Committed, error) {
	snap, err := s.GetSnapshot(ctx, id)
	if err != nil {
		return Snapshot{}, nil, fmt.Errorf("store: capture %s: %w", captureID, err)
	}
	snap.CaptureID, snap.Duplicate = captureID, true
	results := make([]Committed, len(snap.Artifacts))
	for i, a := range snap.Artifacts {
		results[i] = Committed{ArtifactInfo: a, Deduplicated: true}
	}
	return snap, results, nil
}

// SaveSnapshot stores a snapshot whose artifacts are all at hand (tests,
// benchmarks, demos, imports). MIME types come from meta.Artifacts entries of
// the same name (default application/octet-stream); sizes and hashes are
// computed, and if meta.Artifacts declares them they must match.
func (s *Store) SaveSnapshot(ctx context.Context, meta Snapshot, content map[string]io.Reader) (Snapshot, error) {
	declared := map[string]ArtifactInfo{}
	for _, a := range meta.Artifacts {
		declared[a.Name] = a
	}
	var arts []staged
	for name, r := range content {
		plain, err := io.ReadAll(io.LimitReader(r, MaxArtifactSize+1))
		if err != nil {
			return Snapshot{}, fmt.Errorf("store: read artifact %q: %w", name, err)
		}
		info := ArtifactInfo{Name: name, MIME: "application/octet-stream", Size: int64(len(plain)), SHA256: hashHex(plain)}
		if d, ok := declared[name]; ok {
			if d.MIME != "" {
				info.MIME = d.MIME
			}
			if d.Size != 0 && d.Size != info.Size {
				return Snapshot{}, fmt.Errorf("store: artifact %q: %w", name, ErrSizeMismatch)
			}
			if d.SHA256 != "" && d.SHA256 != info.SHA256 {
				return Snapshot{}, fmt.Errorf("store: artifact %q: %w", name, ErrChecksum)
			}
		}
		arts = append(arts, staged{info: info, plain: plain})
	}
	sortStaged(arts)
	decls := make([]ArtifactInfo, len(arts))
	for i, a := range arts {
		decls[i] = a.info
	}
	if err := validate(&meta, decls); err != nil {
		return Snapshot{}, fmt.Errorf("store: %w", err)
	}
	snap, _, err := s.commit(ctx, meta, arts)
	return snap, err
}

func sortStaged(a []staged) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].info.Name < a[j-1].info.Name; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// Filter selects snapshots. Zero values select everything.
type Filter struct {
	Since, Until time.Time // captured_at within [Since, Until)
	Categories   []string
	IDs          []string
	Limit        int // zero = no limit
}

// ParseBound reads a Since or Until bound as users give it (the CLI's
// --since/--until, the export message's since/until): YYYY-MM-DD (midnight UTC) or
// RFC 3339; "" is no bound (the zero time).
func ParseBound(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

const snapshotCols = `id, captured_at, tz_offset_minutes, url, final_url, title, trigger, browser,
	browser_version, extension_version, host_version, viewport_width, viewport_height,
	device_pixel_ratio, language, category, category_source, redactions, notes, api_key_count, stored_at`

// where is the WHERE clause (with a leading space, or "") selecting f's
// snapshots, and its arguments.
func (f Filter) where() (cond string, args []any) {
	var where []string
	if !f.Since.IsZero() {
		where, args = append(where, "captured_at >= ?"), append(args, fmtTime(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "captured_at < ?"), append(args, fmtTime(f.Until))
	}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		where = append(where, col+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("category", f.Categories)
	in("id", f.IDs)
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	return cond, args
}

// ListSnapshots returns matching snapshots newest first, with their artifacts.
func (s *Store) ListSnapshots(ctx context.Context, f Filter) ([]Snapshot, error) {
	cond, args := f.where()
	q := "SELECT " + snapshotCols + " FROM snapshots" + cond
	q += " ORDER BY captured_at DESC, id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	size := f.Limit
	if size == 0 || size > 4096 {
		// Counting first (an index scan) saves growing and copying a
		// slice of large structs when the whole store is listed.
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM snapshots"+cond, args...).Scan(&size); err != nil {
			return nil, fmt.Errorf("store: list snapshots: %w", classify(err))
		}
		if f.Limit > 0 {
			size = min(size, f.Limit)
		}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list snapshots: %w", classify(err))
	}
	out := make([]Snapshot, 0, size+8) // room for a few committed meanwhile
	for rows.Next() {
		snap, err := scanSnapshot(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, snap)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list snapshots: %w", classify(err))
	}
	if len(out) > artifactBatch {
		// Many rows (`list --json`, an export): one pass over the artifacts
		// of the same selection beats a seek per snapshot.
		aq := `SELECT snapshot_id, name, mime, size, sha256 FROM artifacts`
		if cond != "" {
			aq += ` WHERE snapshot_id IN (SELECT id FROM snapshots` + cond + `)`
		}
		err = s.fillArtifacts(ctx, out, aq, args)
	} else {
		err = s.attachArtifacts(ctx, out)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// fillArtifacts runs q (rows of snapshot_id, name, mime, size, sha256 in any
// order) and gives each of snaps its artifacts, sorted by name; rows of
// other snapshots are ignored.
func (s *Store) fillArtifacts(ctx context.Context, snaps []Snapshot, q string, args []any) error {
	index := make(map[string]int, len(snaps))
	for i := range snaps {
		index[snaps[i].ID] = i
		snaps[i].Artifacts = []ArtifactInfo{}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: artifacts: %w", classify(err))
	}
	defer rows.Close()
	// The id is only a map key here: no copy of it.
	var id sql.RawBytes
	for rows.Next() {
		var a ArtifactInfo
		if err := rows.Scan(&id, &a.Name, &a.MIME, &a.Size, &a.SHA256); err != nil {
			return fmt.Errorf("store: artifacts: %w", err)
		}
		if i, ok := index[string(id)]; ok {
			snaps[i].Artifacts = append(snaps[i].Artifacts, a)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: artifacts: %w", classify(err))
	}
	for i := range snaps {
		slices.SortFunc(snaps[i].Artifacts, func(a, b ArtifactInfo) int { return strings.Compare(a.Name, b.Name) })
	}
	return nil
}

// artifactBatch bounds the ids of one artifacts query (SQLite's default
// limit on bound parameters is far above it).
const artifactBatch = 500

// attachArtifacts fills the artifacts of snaps with one query per batch of
// snapshots rather than one per snapshot: `list --json` over 10 000
// snapshots was 10 000 round trips into SQLite.
func (s *Store) attachArtifacts(ctx context.Context, snaps []Snapshot) error {
	index := make(map[string]int, len(snaps))
	for i := range snaps {
		index[snaps[i].ID] = i
		snaps[i].Artifacts = []ArtifactInfo{}
	}
	for start := 0; start < len(snaps); start += artifactBatch {
		batch := snaps[start:min(start+artifactBatch, len(snaps))]
		args := make([]any, len(batch))
		for i, sn := range batch {
			args[i] = sn.ID
		}
		rows, err := s.db.QueryContext(ctx, `SELECT snapshot_id, name, mime, size, sha256 FROM artifacts
			WHERE snapshot_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(batch)), ",")+`) ORDER BY snapshot_id, name`, args...)
		if err != nil {
			return fmt.Errorf("store: artifacts: %w", classify(err))
		}
		for rows.Next() {
			var id string
			var a ArtifactInfo
			if err := rows.Scan(&id, &a.Name, &a.MIME, &a.Size, &a.SHA256); err != nil {
				rows.Close()
				return fmt.Errorf("store: artifacts: %w", err)
			}
			if i, ok := index[id]; ok {
				snaps[i].Artifacts = append(snaps[i].Artifacts, a)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: artifacts: %w", classify(err))
		}
	}
	return nil
}

// GetSnapshot returns one snapshot with its artifacts, or ErrNotFound.
func (s *Store) GetSnapshot(ctx context.Context, id string) (Snapshot, error) {
	row := s.db.QueryRowContext(ctx, "SELECT "+snapshotCols+" FROM snapshots WHERE id = ?", id)
	snap, err := scanSnapshot(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, fmt.Errorf("store: snapshot %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Snapshot{}, err
	}
	snap.Artifacts, err = s.artifacts(ctx, id)
	return snap, err
}

func (s *Store) artifacts(ctx context.Context, id string) ([]ArtifactInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, mime, size, sha256 FROM artifacts WHERE snapshot_id = ? ORDER BY name`, id)
	if err != nil {
		return nil, fmt.Errorf("store: artifacts of %q: %w", id, classify(err))
	}
	defer rows.Close()
	out := []ArtifactInfo{}
	for rows.Next() {
		var a ArtifactInfo
		if err := rows.Scan(&a.Name, &a.MIME, &a.Size, &a.SHA256); err != nil {
			return nil, fmt.Errorf("store: artifacts of %q: %w", id, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanSnapshot(r scanner) (Snapshot, error) {
	var (
		s                          Snapshot
		captured, stored, red, nts string
		keys                       sql.NullInt64
	)
	err := r.Scan(&s.ID, &captured, &s.TZOffsetMinutes, &s.URL, &s.FinalURL, &s.Title, &s.Trigger, &s.Browser,
		&s.BrowserVersion, &s.ExtensionVersion, &s.HostVersion, &s.ViewportWidth, &s.ViewportHeight,
		&s.DevicePixelRatio, &s.Language, &s.Category, &s.CategorySource, &red, &nts, &keys, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return s, err
	}
	if err != nil {
		return s, fmt.Errorf("store: read snapshot: %w", classify(err))
	}
	s.CapturedAt, s.StoredAt = parseTime(captured), parseTime(stored)
	// Most rows have no redactions or notes: skip the JSON decoder for those
	// (list --json decodes every row).
	if red == "[]" {
		s.Redactions = []Redaction{}
	} else if err := json.Unmarshal([]byte(red), &s.Redactions); err != nil {
		return s, fmt.Errorf("store: snapshot %s redactions: %w", s.ID, err)
	}
	if nts == "{}" {
		s.Notes = map[string]string{}
	} else if err := json.Unmarshal([]byte(nts), &s.Notes); err != nil {
		return s, fmt.Errorf("store: snapshot %s notes: %w", s.ID, err)
	}
	if keys.Valid {
		n := int(keys.Int64)
		s.APIKeyCount = &n
	}
	return s, nil
}

// CategoryLatest is the newest snapshot of one evidence category.
type CategoryLatest struct {
	SnapshotID string    `json:"snapshot_id"`
	CapturedAt time.Time `json:"captured_at"`
}

// APIKeys is what the newest settings.json with an api_keys array said.
type APIKeys struct {
	Count      int       `json:"count"`
	SeenAt     time.Time `json:"seen_at"`
	SnapshotID string    `json:"snapshot_id"`
}

// Identity summarises what the store knows about the user's OpenAI identity.
type Identity struct {
	Snapshots      int64                     `json:"snapshots"`
	LastSnapshotAt *time.Time                `json:"last_snapshot_at"`
	APIKeys        *APIKeys                  `json:"api_keys"`
	Categories     map[string]CategoryLatest `json:"categories"`
	// KeyInventory summarises the API-key inventory (docs/dashboard.md);
	// nil until a snapshot listed a key.
	KeyInventory *KeyInventory `json:"key_inventory"`
}

// The identity.summary queries. Every one is an index lookup (the counters
// row, the ends of snapshots_captured and snapshots_api_keys, one seek per
// category), so the summary costs the same at 10 snapshots as at 10 000.
const (
	identityCountQuery = `SELECT (SELECT value FROM counters WHERE name = 'snapshots'),
		(SELECT max(captured_at) FROM snapshots)`
	identityKeysQuery = `SELECT api_key_count, captured_at, id FROM snapshots
		WHERE api_key_count IS NOT NULL ORDER BY captured_at DESC, id DESC LIMIT 1`
	// The distinct categories by skip scan of snapshots_category (one seek
	// each), then each one's newest capture: its max(captured_at) is the end
	// of that index range, and ties on the same millisecond go to the
	// greatest id as in snapshot.list.
	identityCategoriesQuery = `WITH RECURSIVE cats(category) AS (
			SELECT min(category) FROM snapshots
			UNION ALL
			SELECT (SELECT min(category) FROM snapshots WHERE category > cats.category) FROM cats
			WHERE cats.category IS NOT NULL),
		newest(category, at) AS (
			SELECT category, (SELECT max(captured_at) FROM snapshots WHERE category = cats.category)
			FROM cats WHERE category IS NOT NULL)
		SELECT category, (SELECT id FROM snapshots WHERE category = newest.category AND captured_at = newest.at
			ORDER BY id DESC LIMIT 1), at FROM newest`
)

// IdentitySummary answers identity.summary.
func (s *Store) IdentitySummary(ctx context.Context) (Identity, error) {
	id := Identity{Categories: map[string]CategoryLatest{}}
	var last sql.NullString
	if err := s.db.QueryRowContext(ctx, identityCountQuery).Scan(&id.Snapshots, &last); err != nil {
		return id, fmt.Errorf("store: identity summary: %w", classify(err))
	}
	if last.Valid {
		t := parseTime(last.String)
		id.LastSnapshotAt = &t
	}
	var k APIKeys
	var seen string
	err := s.db.QueryRowContext(ctx, identityKeysQuery).Scan(&k.Count, &seen, &k.SnapshotID)
	switch {
	case err == nil:
		k.SeenAt = parseTime(seen)
		id.APIKeys = &k
	case !errors.Is(err, sql.ErrNoRows):
		return id, fmt.Errorf("store: identity summary: %w", classify(err))
	}
	rows, err := s.db.QueryContext(ctx, identityCategoriesQuery)
	if err != nil {
		return id, fmt.Errorf("store: identity summary: %w", classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var cat, sid, at string
		if err := rows.Scan(&cat, &sid, &at); err != nil {
			return id, fmt.Errorf("store: identity summary: %w", err)
		}
		id.Categories[cat] = CategoryLatest{SnapshotID: sid, CapturedAt: parseTime(at)}
	}
	if err := rows.Err(); err != nil {
		return id, fmt.Errorf("store: identity summary: %w", err)
	}
	var err2 error
	id.KeyInventory, err2 = s.KeyInventorySummary(ctx)
	return id, err2
}
