package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Inputs that used to be stored and then broke the chain or every export:
// each is refused with ErrInvalid now, and nothing is appended.
func TestPoisonInputsRefused(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	parse := func(v string) time.Time {
		var tm time.Time
		if err := json.Unmarshal([]byte(`"`+v+`"`), &tm); err != nil {
			t.Fatalf("parse %s: %v", v, err)
		}
		return tm
	}
	events := []struct {
		name string
		e    Event
	}{
		{"year 9999 with -23:59 (UTC year 10000)", Event{Type: "x", At: parse("9999-12-31T23:59:59-23:59")}},
		{"year 0 with +00:01", Event{Type: "x", At: parse("0000-01-01T00:00:00+00:01")}},
		{"year 1", Event{Type: "x", At: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)}},
		{"before 2000", Event{Type: "x", At: time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)}},
		{"invalid UTF-8 detail", Event{Type: "x", Detail: json.RawMessage("{\"a\":\"\xff\xfe\"}")}},
		{"deep detail", Event{Type: "x", Detail: json.RawMessage(strings.Repeat("[", 20000) + strings.Repeat("]", 20000))}},
		{"detail one level too deep", Event{Type: "x", Detail: json.RawMessage(strings.Repeat("[", MaxDetailDepth+1) + strings.Repeat("]", MaxDetailDepth+1))}},
		{"invalid UTF-8 url", Event{Type: "x", URL: "https://a/\xff"}},
	}
	for _, tt := range events {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.AppendEvent(ctx, tt.e); !errors.Is(err, ErrInvalid) {
				t.Fatalf("AppendEvent: %v, want ErrInvalid", err)
			}
		})
	}
	if st, _ := s.Stats(ctx); st.Events != 0 {
		t.Fatalf("%d events stored", st.Events)
	}
	// The edges of the range and a nesting at the cap are stored and keep the chain.
	ok := []Event{
		{Type: "x", At: MinTime},
		{Type: "x", At: MaxTime},
		{Type: "x", At: parse("2026-06-01T00:00:00+14:00")},
		{Type: "x", Detail: json.RawMessage(strings.Repeat("[", MaxDetailDepth) + strings.Repeat("]", MaxDetailDepth))},
		{Type: "x", Detail: json.RawMessage(`{"s":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"{{{{"}`)},
	}
	for _, e := range ok {
		if _, err := s.AppendEvent(ctx, e); err != nil {
			t.Fatalf("AppendEvent(%v): %v", e.At, err)
		}
	}
	if bad, err := s.VerifyChain(ctx); err != nil || bad != 0 {
		t.Fatalf("chain broken at %d (%v)", bad, err)
	}
	var got []string
	s.Events(ctx, func(e Event) error { got = append(got, fmtTime(e.At)); return nil })
	if got[0] != "2000-01-01T00:00:00.000Z" || got[1] != "9999-12-31T23:59:59.999Z" || got[2] != "2026-05-31T10:00:00.000Z" {
		t.Fatalf("times did not round-trip: %v", got)
	}
}

func TestSnapshotTimeAndNamesRefused(t *testing.T) {
	ok := ArtifactInfo{Name: "a.txt", MIME: "text/plain", Size: 1, SHA256: strings.Repeat("a", 64)}
	for _, tt := range []struct {
		name string
		mod  func(m *Snapshot, d *[]ArtifactInfo)
	}{
		{"captured before year 1", func(m *Snapshot, d *[]ArtifactInfo) { m.CapturedAt = time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"captured in 1970", func(m *Snapshot, d *[]ArtifactInfo) { m.CapturedAt = time.Unix(0, 0) }},
		{"captured after 9999", func(m *Snapshot, d *[]ArtifactInfo) { m.CapturedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"meta.json", func(m *Snapshot, d *[]ArtifactInfo) { (*d)[0].Name = "meta.json" }},
		{"dot", func(m *Snapshot, d *[]ArtifactInfo) { (*d)[0].Name = "." }},
		{"dot dot", func(m *Snapshot, d *[]ArtifactInfo) { (*d)[0].Name = ".." }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := meta("v", time.Now())
			d := []ArtifactInfo{ok}
			tt.mod(&m, &d)
			if err := validate(&m, d); !errors.Is(err, ErrInvalid) {
				t.Fatalf("validate: %v, want ErrInvalid", err)
			}
		})
	}
}

// A URL over MaxURL is kept, cut, with its length and hash: never refused.
func TestLongURLsAreKept(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	long := "https://platform.openai.com/settings?ref=" + strings.Repeat("é", 6000) // 12 KiB, multi-byte
	sum := sha256.Sum256([]byte(long))
	want := hex.EncodeToString(sum[:])
	check := func(what, got string) {
		t.Helper()
		if len(got) > MaxURL || !utf8.ValidString(got) {
			t.Errorf("%s: %d bytes (valid UTF-8 %v)", what, len(got), utf8.ValidString(got))
		}
		if !strings.HasPrefix(got, long[:4000]) || !strings.HasSuffix(got, URLTruncMark+":12041:sha256:"+want) {
			t.Errorf("%s: no prefix or no marker+hash: …%s", what, got[len(got)-120:])
		}
	}
	e, err := s.AppendEvent(ctx, Event{Type: "warning.shown", URL: long})
	if err != nil {
		t.Fatalf("AppendEvent with a 12 KiB URL: %v", err)
	}
	check("event", e.URL)
	m := meta("long", time.Now())
	m.URL, m.FinalURL = long, long
	sn, err := s.SaveSnapshot(ctx, m, nil)
	if err != nil {
		t.Fatalf("SaveSnapshot with a 12 KiB URL: %v", err)
	}
	got, err := s.GetSnapshot(ctx, sn.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("snapshot url", got.URL)
	check("snapshot final_url", got.FinalURL)
	if bad, _ := s.VerifyChain(ctx); bad != 0 {
		t.Fatal("chain broken")
	}
	if short := "https://a/b"; CapURL(short) != short {
		t.Error("a short URL changed")
	}
}

// A '#' or '?' in the data folder's path must not cut the SQLite URI short
// (a subtest's TempDir is "…too_large#01…": it opened "…too_large" instead).
func TestPathWithURIChars(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a#b?c%20d")
	path := filepath.Join(dir, "ringfence.db")
	s, err := Open(context.Background(), path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %s: %v", path, err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(dir)); len(ents) != 1 {
		t.Errorf("files beside the data folder: %v", ents)
	}
}
