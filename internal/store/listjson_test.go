package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// oldListJSON is what WriteListJSON must reproduce byte for byte: the
// snapshots ListSnapshots returns, written by WriteSnapshotsJSON.
func oldListJSON(t *testing.T, s *Store, f Filter) string {
	t.Helper()
	snaps, err := s.ListSnapshots(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if snaps == nil {
		snaps = []Snapshot{}
	}
	var b bytes.Buffer
	if err := WriteSnapshotsJSON(&b, snaps); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestWriteListJSONMatchesListSnapshots: the streaming `list --json` writer
// gives the same bytes as listing and then writing, for strings that need
// every kind of escaping (quotes, backslashes, HTML characters, control
// bytes, NUL, DEL, non-ASCII, invalid UTF-8), redactions and notes, a
// missing api_key_count, unusual pixel ratios, snapshots without
// artifacts, an artifact row that does not split cleanly, and every filter.
func TestWriteListJSONMatchesListSnapshots(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	if got := listJSON(t, s, Filter{}); got != "[]\n" {
		t.Fatalf("empty store: %q", got)
	}
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	odd := []string{`plain`, `"quoted" \back\slash`, `<b>&amp;</b>`, "tab\tnew\nline\r\x01\x1f\x7f", "nul\x00byte",
		"ünïcødé \u2028 ☃", "bad utf-8 \xff\xfe and \"quote\"", "bad utf-8 alone \xc3", ""}
	ratios := []float64{0, 1, 1.25, 0.8999999761581421, 2.625, 1e-7, 3}
	for i := 0; i < 24; i++ {
		m := meta(odd[i%len(odd)], t0.Add(time.Duration(i)*time.Minute))
		if i%5 == 0 {
			m.CapturedAt = t0 // ties on captured_at sort by id
		}
		m.URL += "?q=" + odd[(i+1)%len(odd)]
		m.Browser, m.BrowserVersion, m.ExtensionVersion = odd[(i+2)%len(odd)], "1.2", "0.1.0"
		m.Language, m.TZOffsetMinutes = odd[(i+3)%len(odd)], -60*(i%5)
		m.ViewportWidth, m.ViewportHeight, m.DevicePixelRatio = 1280+i, 800-i, ratios[i%len(ratios)]
		m.Category = Categories[i%len(Categories)]
		if i%3 == 0 {
			m.Redactions = []Redaction{{Rule: "api_key<&>", Artifact: "dom.html", Count: i}}
		}
		if i%4 == 0 {
			m.Notes = map[string]string{"page_language": odd[i%len(odd)], "b": "2"}
		}
		content := map[string]io.Reader{}
		if i%7 != 6 {
			content["dom.html"] = strings.NewReader(fmt.Sprintf("<p>%d</p>", i))
			content["screenshot.png"] = bytes.NewReader(randBytes(100 + i))
		}
		if i%2 == 0 {
			content["settings.json"] = strings.NewReader(fmt.Sprintf(`{"api_keys":[%s]}`, strings.TrimSuffix(strings.Repeat(`{"name":"k"},`, i%4), ",")))
		}
		m.Artifacts = []ArtifactInfo{{Name: "screenshot.png", MIME: "image/png"}, {Name: "dom.html", MIME: "text/html; charset=utf-8"}}
		if _, err := s.SaveSnapshot(ctx, m, content); err != nil {
			t.Fatal(err)
		}
	}
	// A row from before validation (or written by hand) whose MIME type
	// holds the separators: read again with a plain query.
	var id string
	if err := s.db.QueryRow(`SELECT snapshot_id FROM artifacts LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE artifacts SET mime = 'text/x' || char(31) || 'y' || char(30) WHERE snapshot_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	snaps, err := s.ListSnapshots(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// Times in other forms than the store writes: re-formatted (or
	// emptied) exactly as a plain read does.
	for i, v := range [][2]string{{"2026-05-01T10:00:00Z", ""}, {"2026-02-30T10:00:00.000Z", "garbage"},
		{"2026-04-31T23:59:59.999Z", "0001-01-01T00:00:00.000Z"}, {"2026-05-01T24:00:00.000Z", "2026-05-01T10:00:00.5Z"},
		{"2026-05-01T10:00:00.000+01:00", "2026-05-01T10:00:00.000Z"}} {
		if _, err := s.db.Exec(`UPDATE snapshots SET captured_at = ?, stored_at = ? WHERE id = ?`, v[0], v[1], snaps[2*i+1].ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []Filter{
		{},
		{Limit: 5},
		{Categories: []string{Categories[1]}},
		{Since: t0.Add(3 * time.Minute), Until: t0.Add(11 * time.Minute)},
		{IDs: []string{snaps[0].ID, snaps[7].ID, id}},
		{Since: t0.Add(time.Hour)}, // none
	} {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			want, got := oldListJSON(t, s, f), listJSON(t, s, f)
			if got != want {
				i := 0
				for i < min(len(got), len(want)) && got[i] == want[i] {
					i++
				}
				t.Fatalf("differs at byte %d:\n got %q\nwant %q", i, got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
			}
		})
	}
}

func listJSON(t *testing.T, s *Store, f Filter) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.WriteListJSON(context.Background(), &b, f); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// cloneRows adds n copies of every snapshot (new ids, the same artifacts),
// in one transaction: enough rows for many of WriteListJSON's batches.
func cloneRows(t *testing.T, s *Store, n int) {
	t.Helper()
	cols := strings.ReplaceAll(snapshotCols, "\n", " ")
	sel := strings.Replace(cols, "id,", "s.id || '-' || g.n,", 1)
	if _, err := s.db.Exec(`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
		INSERT INTO snapshots (`+cols+`) SELECT `+sel+` FROM g, snapshots s`, n); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO artifacts (snapshot_id, name, mime, size, sha256)
		SELECT c.id, a.name, a.mime, a.size, a.sha256 FROM snapshots c JOIN artifacts a ON c.id LIKE a.snapshot_id || '-%'`); err != nil {
		t.Fatal(err)
	}
}

// TestWriteListJSONManyBatches: a list long enough to pass through the
// reader/writer hand-over many times comes out whole and in order, and a
// writer that fails stops the listing with its error (no hang, no
// closing bracket).
func TestWriteListJSONManyBatches(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 7; i++ {
		m := meta(fmt.Sprintf("title %d <&>", i), t0.Add(time.Duration(i)*time.Second))
		m.Notes = map[string]string{"n": fmt.Sprint(i)}
		if _, err := s.SaveSnapshot(ctx, m, map[string]io.Reader{"dom.html": strings.NewReader(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	cloneRows(t, s, 150) // 7 + 1050 rows: nine batches
	want, got := oldListJSON(t, s, Filter{}), listJSON(t, s, Filter{})
	if strings.Count(want, `"stored_at"`) != 1057 || got != want {
		t.Fatalf("%d snapshots listed; equal to the plain list: %v", strings.Count(got, `"stored_at"`), got == want)
	}
	for _, after := range []int{10, 100 << 10, len(want) - 5} {
		fw := &failingWriter{left: after}
		err := s.WriteListJSON(ctx, fw, Filter{})
		if !errors.Is(err, errDiskGone) || strings.HasSuffix(fw.out.String(), "]\n") {
			t.Fatalf("writer failing after %d bytes: %v, output ends %q", after, err, fw.out.String()[max(0, fw.out.Len()-10):])
		}
	}
}

var errDiskGone = errors.New("disk gone")

type failingWriter struct {
	out  bytes.Buffer
	left int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.left {
		f.out.Write(p[:f.left])
		n := f.left
		f.left = 0
		return n, errDiskGone
	}
	f.left -= len(p)
	return f.out.Write(p)
}

// TestListJSONQueryReadsEverySnapshotColumn: a column added to
// snapshotCols (what ListSnapshots reads) must be read by listJSONQuery
// too, in the same order, or list --json would silently leave it out.
func TestListJSONQueryReadsEverySnapshotColumn(t *testing.T) {
	cols := func(s string) []string {
		var out []string
		for _, c := range strings.Split(s, ",") {
			if c = strings.TrimSpace(c); c != "device_pixel_ratio" {
				out = append(out, c)
			}
		}
		return out
	}
	q := listJSONQuery[strings.Index(listJSONQuery, "json_array(")+len("json_array(") : strings.Index(listJSONQuery, "),")]
	want, got := cols(snapshotCols), cols(q)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("listJSONQuery reads %v,\nListSnapshots reads %v (device_pixel_ratio apart)", got, want)
	}
	if len(got) != listFields {
		t.Fatalf("%d columns in the JSON array; listWriter.row expects %d", len(got), listFields)
	}
}
