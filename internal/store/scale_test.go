package store

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCountersMatchRows: the counters hello and identity.summary read agree
// with counting the rows, on a store created at schema 2 with data in it
// (the migration seeds them) and after more writes (the triggers keep them).
func TestCountersMatchRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ringfence.db")
	// A schema-2 store: apply only the first two migrations.
	all := migrations
	migrations = all[:2]
	s, err := Open(ctx, path, testKey(1))
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if _, err := s.SaveSnapshot(ctx, meta("old", t0.Add(time.Duration(i)*time.Minute)),
			map[string]io.Reader{"dom.html": strings.NewReader(strings.Repeat("<p>x</p>", 100+i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AppendEvent(ctx, Event{Type: "warning.shown", RuleID: "r", URL: "https://chatgpt.com/", At: t0}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(ctx, path, testKey(1)); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check := func(when string) {
		t.Helper()
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var want Stats
		s.db.QueryRow(`SELECT (SELECT count(*) FROM snapshots), (SELECT count(*) FROM events),
			(SELECT coalesce(sum(stored_size), 0) FROM blobs)`).Scan(&want.Snapshots, &want.Events, &want.BlobBytes)
		if st != want || want.Snapshots == 0 || want.BlobBytes == 0 {
			t.Errorf("%s: stats %+v, rows say %+v", when, st, want)
		}
	}
	check("after migration")
	// A duplicate blob (same bytes) adds a snapshot but no blob bytes.
	if _, err := s.SaveSnapshot(ctx, meta("dup", t0.Add(time.Hour)),
		map[string]io.Reader{"dom.html": strings.NewReader(strings.Repeat("<p>x</p>", 100))}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendEvent(ctx, Event{Type: "warning.shown", RuleID: "r", URL: "https://chatgpt.com/", At: t0}); err != nil {
		t.Fatal(err)
	}
	check("after more writes")
}

// TestIdentitySummaryNewestPerCategory: the newest snapshot of every
// category, ties on the same millisecond to the greatest id, as a plain
// ORDER BY over all rows would pick.
func TestIdentitySummaryNewestPerCategory(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 24; i++ {
		m := meta("s", t0.Add(time.Duration(i%5)*time.Minute)) // many ties
		m.Category = Categories[i%len(Categories)]
		if _, err := s.SaveSnapshot(ctx, m, map[string]io.Reader{"text.txt": strings.NewReader(strings.Repeat("y", i+1))}); err != nil {
			t.Fatal(err)
		}
	}
	id, err := s.IdentitySummary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(id.Categories) != len(Categories) {
		t.Fatalf("categories: %+v", id.Categories)
	}
	for _, c := range Categories {
		var want string
		var at string
		s.db.QueryRow(`SELECT id, captured_at FROM snapshots WHERE category = ? ORDER BY captured_at DESC, id DESC LIMIT 1`, c).Scan(&want, &at)
		if got := id.Categories[c]; got.SnapshotID != want || !got.CapturedAt.Equal(parseTime(at)) {
			t.Errorf("%s: %+v, want %s at %s", c, got, want, at)
		}
	}
}

// TestSummaryQueriesUseIndexes: no query behind hello, identity.summary or
// a limited snapshot.list reads every snapshot row (SQLite's plan says SCAN
// of the table), so their cost does not grow with
// the store.
func TestSummaryQueriesUseIndexes(t *testing.T) {
	s, _ := openTest(t)
	queries := []string{statsQuery, identityCountQuery, identityKeysQuery, identityCategoriesQuery,
		`SELECT id FROM snapshots ORDER BY captured_at DESC, id DESC LIMIT 20`}
	for _, q := range queries {
		rows, err := s.db.Query("EXPLAIN QUERY PLAN " + q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, parent, notused int
			var detail string
			rows.Scan(&id, &parent, &notused, &detail)
			// An ordered walk of an index under a LIMIT stops early (and the
			// one sort left orders the ties of one millisecond); a SCAN of
			// the table itself reads every row.
			if strings.HasPrefix(detail, "SCAN") && !strings.Contains(detail, "INDEX") && !strings.Contains(detail, "CONSTANT ROW") && !strings.Contains(detail, "cats") {
				t.Errorf("%s\n  plan: %s", q, detail)
			}
		}
		rows.Close()
	}
}

// TestOpenLazyAnswersBeforeTheKey: counts and lists answer while the data
// key is still on its way; sealing waits for it; a wrong key fails what
// needs it with ErrWrongKey and is reported by KeyErr.
func TestOpenLazyAnswersBeforeTheKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ringfence.db")
	s, err := Open(ctx, path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSnapshot(ctx, meta("first", time.Now()), map[string]io.Reader{"a.txt": strings.NewReader("a")}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	release := make(chan []byte)
	s, err = OpenLazy(ctx, path, func(context.Context) ([]byte, error) { return <-release, nil }, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, err := s.Stats(ctx); err != nil || st.Snapshots != 1 || s.KeyErr() != nil {
		t.Fatalf("stats before the key: %+v %v %v", st, err, s.KeyErr())
	}
	saved := make(chan error, 1)
	go func() {
		_, err := s.SaveSnapshot(ctx, meta("second", time.Now()), map[string]io.Reader{"b.txt": strings.NewReader("b")})
		saved <- err
	}()
	select {
	case err := <-saved:
		t.Fatalf("saved before the key arrived: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	release <- testKey(2) // not the key this database was made with
	if err := <-saved; !errors.Is(err, ErrWrongKey) {
		t.Fatalf("save under the wrong key: %v", err)
	}
	if !errors.Is(s.KeyErr(), ErrWrongKey) {
		t.Errorf("KeyErr %v", s.KeyErr())
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM snapshots`).Scan(&n)
	if n != 1 {
		t.Errorf("%d snapshots after a refused save", n)
	}
}

// TestThumbnailMadeAfterCommit: a committed screenshot gets its JPEG
// thumbnail in the background (Close waits for it), sealed under the data
// key; a snapshot without a PNG gets none.
func TestThumbnailMadeAfterCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ringfence.db")
	s, err := Open(ctx, path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 1280, 800))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	m := meta("shot", time.Now())
	m.Artifacts = []ArtifactInfo{{Name: "screenshot.png", MIME: "image/png"}}
	snap, err := s.SaveSnapshot(ctx, m, map[string]io.Reader{"screenshot.png": bytes.NewReader(buf.Bytes()),
		"dom.html": strings.NewReader("<p>hi</p>")})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(ctx, path, testKey(1)); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var sha string
	for _, a := range snap.Artifacts {
		if a.Name == "screenshot.png" {
			sha = a.SHA256
		}
	}
	jpg, err := s.Thumbnail(ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg))
	if err != nil || cfg.Width != 320 || cfg.Height != 200 {
		t.Fatalf("thumbnail %dx%d, %v", cfg.Width, cfg.Height, err)
	}
	var stored []byte
	s.db.QueryRow(`SELECT data FROM thumbnails WHERE sha256 = ?`, sha).Scan(&stored)
	if bytes.Contains(stored, jpg[:64]) {
		t.Error("the thumbnail is stored in the clear")
	}
	if _, err := s.Thumbnail(ctx, hashHex([]byte("<p>hi</p>"))); !errors.Is(err, ErrNotFound) {
		t.Errorf("thumbnail of the DOM: %v", err)
	}
}
