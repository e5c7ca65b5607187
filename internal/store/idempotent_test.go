package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// commitOnce uploads one small artifact with the given capture_id.
func commitOnce(t *testing.T, s *Store, captureID, title string) (Snapshot, []Committed) {
	t.Helper()
	data := []byte("<p>" + title + "</p>")
	m := meta(title, time.Date(2026, 11, 30, 1, 2, 3, 0, time.UTC))
	m.CaptureID = captureID
	u, err := s.BeginUpload(m, []ArtifactInfo{{Name: "dom.html", MIME: "text/html", Size: int64(len(data)), SHA256: hashHex(data)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Write("dom.html", 0, data); err != nil {
		t.Fatal(err)
	}
	snap, arts, err := u.Commit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap, arts
}

func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCaptureIDCommitsOnce(t *testing.T) {
	s, path := openTest(t)
	const id = "3f2b8c1e-9d4a-4e6f-8a7b-1c2d3e4f5a6b"
	first, _ := commitOnce(t, s, id, "first")
	if first.Duplicate {
		t.Fatal("first commit reported as duplicate")
	}
	// The retry after a lost reply: same capture, different bytes and notes.
	again, arts := commitOnce(t, s, id, "retry")
	if !again.Duplicate || again.ID != first.ID || again.Title != "first" {
		t.Fatalf("retry: id %s dup %v title %q, want %s true \"first\"", again.ID, again.Duplicate, again.Title, first.ID)
	}
	if len(arts) != 1 || !arts[0].Deduplicated || arts[0].SHA256 != hashHex([]byte("<p>first</p>")) {
		t.Errorf("retry artifacts %+v", arts)
	}
	// Another process (a second host) with its own connection pool.
	other, err := Open(context.Background(), path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	third, _ := commitOnce(t, other, id, "third")
	if !third.Duplicate || third.ID != first.ID {
		t.Errorf("repeat in another process: %s dup %v", third.ID, third.Duplicate)
	}
	if n, b := count(t, s, "snapshots"), count(t, s, "blobs"); n != 1 || b != 1 {
		t.Errorf("%d snapshots, %d blobs stored, want 1 and 1", n, b)
	}
	// No key, or another key: stored as usual.
	commitOnce(t, s, "", "no key")
	commitOnce(t, s, "", "no key again")
	commitOnce(t, s, "another-capture", "another")
	if n := count(t, s, "snapshots"); n != 4 {
		t.Errorf("%d snapshots, want 4", n)
	}
}

func TestEventIDAppendsOnce(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	e := Event{Type: "warning.shown", RuleID: "chatgpt.delete-account", EventID: "ev-0001-abcd"}
	first, err := s.AppendEvent(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if first.Duplicate || first.Hash != ChainHash(GenesisHash, Event{Seq: 1, At: first.At, Type: e.Type, RuleID: e.RuleID, Detail: first.Detail}) {
		t.Fatal("first append: duplicate set or event_id changed the hash")
	}
	again, err := s.AppendEvent(ctx, Event{Type: "warning.shown", RuleID: "other", EventID: e.EventID})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.Seq != first.Seq || again.Hash != first.Hash {
		t.Errorf("repeat: seq %d hash %s dup %v, want the first row", again.Seq, again.Hash, again.Duplicate)
	}
	next, err := s.AppendEvent(ctx, Event{Type: "warning.shown", EventID: "ev-0002-abcd"})
	if err != nil || next.Seq != 2 || next.Duplicate {
		t.Fatalf("second event: %+v %v", next, err)
	}
	other, err := Open(ctx, path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	third, err := other.AppendEvent(ctx, e)
	if err != nil || !third.Duplicate || third.Seq != 1 || third.Hash != first.Hash {
		t.Errorf("repeat in another process: %+v %v", third, err)
	}
	if n := count(t, s, "events"); n != 2 {
		t.Errorf("%d events, want 2", n)
	}
	if bad, err := s.VerifyChain(ctx); bad != 0 || err != nil {
		t.Errorf("chain broken at %d: %v", bad, err)
	}
	for _, id := range []string{"short", strings.Repeat("a", 65), "has space", "ünïcode-id"} {
		if _, err := s.AppendEvent(ctx, Event{Type: "warning.shown", EventID: id}); !errors.Is(err, ErrInvalid) {
			t.Errorf("event_id %q: %v, want ErrInvalid", id, err)
		}
	}
}

func TestMetaFieldCaps(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	notes := func(n, size int) map[string]string {
		m := map[string]string{}
		for i := 0; i < n; i++ {
			m[long(i+1)] = long(size)
		}
		return m
	}
	tests := []struct {
		name string
		mod  func(m *Snapshot)
		want string // "" = accepted; else the message names the field and limit
	}{
		{"at the caps", func(m *Snapshot) {
			m.URL, m.FinalURL, m.Title, m.Notes = long(MaxURL), long(MaxURL), long(MaxTitle), notes(MaxNotes, MaxNoteBytes)
		}, ""},
		// URLs over the cap are kept, cut with a marker and hash (TestLongURLsAreKept).
		{"url", func(m *Snapshot) { m.URL = long(MaxURL + 1) }, ""},
		{"final_url", func(m *Snapshot) { m.FinalURL = long(MaxURL + 1) }, ""},
		{"title", func(m *Snapshot) { m.Title = long(1_100_000) }, "meta.title is 1100000 bytes, at most 2048"},
		{"note count", func(m *Snapshot) { m.Notes = notes(MaxNotes+1, 1) }, "meta.notes has 65 entries, at most 64"},
		{"note size", func(m *Snapshot) { m.Notes = map[string]string{"k": long(MaxNoteBytes + 1)} }, "longer than 4096 bytes"},
		{"capture_id", func(m *Snapshot) { m.CaptureID = "no/slashes" }, "meta.capture_id must be 8..64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := meta("caps", time.Now())
			tt.mod(&m)
			err := validate(&m, nil)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want ErrInvalid saying %q", err, tt.want)
			}
		})
	}
}

// Abort must not free staged bytes that background sealing is still
// reading; `go test -race` reports the race this guards against.
func TestAbortWaitsForSealing(t *testing.T) {
	s, _ := openTest(t)
	for _, size := range []int{4 << 10, memStage + 1} { // in memory, and spilled
		data := randBytes(size)
		u, err := s.BeginUpload(meta("abort", time.Now()), []ArtifactInfo{{Name: "a.bin", MIME: "x/y", Size: int64(size), SHA256: hashHex(data)}})
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < size; off += 1 << 20 {
			if _, err := u.Write("a.bin", int64(off), data[off:min(off+1<<20, size)]); err != nil {
				t.Fatal(err)
			}
		}
		u.Abort()
		for _, p := range u.parts {
			for r := range p.prep {
				if r.err != nil {
					t.Errorf("sealing after abort: %v", r.err)
				}
			}
		}
	}
	if ents, _ := readDir(filepath.Join(filepath.Dir(s.path), "uploads")); len(ents) != 0 {
		t.Errorf("staging files left after abort: %v", ents)
	}
}
