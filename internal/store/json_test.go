package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// encoderJSON is what WriteSnapshotsJSON must reproduce byte for byte.
func encoderJSON(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// filled is a snapshot with every exported field set by reflection, so a
// field added to Snapshot later and missed by the fast writer fails the
// comparison below.
func filled(t *testing.T, s string) Snapshot {
	t.Helper()
	var snap Snapshot
	v := reflect.ValueOf(&snap).Elem()
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		if !sf.IsExported() || sf.Tag.Get("json") == "-" {
			continue
		}
		switch f.Interface().(type) {
		case string:
			f.SetString(s + sf.Name)
		case int:
			f.SetInt(int64(i + 1))
		case float64:
			f.SetFloat(1.25)
		case time.Time:
			f.Set(reflect.ValueOf(time.Date(2026, 3, 4, 5, 6, 7, 690_000_000, time.FixedZone("x", 3600))))
		case []Redaction:
			f.Set(reflect.ValueOf([]Redaction{{Rule: "api_key<&>", Artifact: "dom.html", Count: 2}, {Rule: "email", Artifact: s, Count: 1}}))
		case map[string]string:
			f.Set(reflect.ValueOf(map[string]string{"b": s, "a": "note \u2028 <b>"}))
		case *int:
			n := 7
			f.Set(reflect.ValueOf(&n))
		case []ArtifactInfo:
			f.Set(reflect.ValueOf([]ArtifactInfo{{Name: "dom.html", MIME: "text/html", Size: 10, SHA256: "ab"}, {Name: s, MIME: "x/" + s, Size: 1 << 40, SHA256: s}}))
		default:
			t.Fatalf("field %s of type %s: teach WriteSnapshotsJSON and this test about it", sf.Name, f.Type())
		}
	}
	return snap
}

func TestWriteSnapshotsJSONMatchesEncoder(t *testing.T) {
	odd := []string{"plain", "quote \" and \\ backslash", "<script>&amp;</script>", "tab\there\nnewline\x01\x7f",
		"héllo wörld ✓ 🙂", "bad utf-8 \xff\xfe end", "line sep \u2028 para \u2029", ""}
	var many []Snapshot
	for _, s := range odd {
		many = append(many, filled(t, s))
	}
	sparse := Snapshot{ID: "x", DevicePixelRatio: 1e-7, CapturedAt: time.Unix(0, 0)} // nil slices and map, zero stored_at
	big := Snapshot{ID: "y", DevicePixelRatio: -3e21, Redactions: []Redaction{}, Notes: map[string]string{}, Artifacts: []ArtifactInfo{}}
	for _, tt := range []struct {
		name  string
		snaps []Snapshot
	}{
		{"nil", nil},
		{"empty", []Snapshot{}},
		{"every field, odd strings", many},
		{"nil and empty collections, floats outside the plain range", []Snapshot{sparse, big, {DevicePixelRatio: math.Copysign(0, -1)}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := WriteSnapshotsJSON(&got, tt.snaps); err != nil {
				t.Fatal(err)
			}
			if want := encoderJSON(t, tt.snaps); got.String() != want {
				t.Errorf("WriteSnapshotsJSON differs from encoding/json:\n got: %s\nwant: %s", got.String(), want)
			}
		})
	}
}

// TestListManySnapshots: past one batch of ids, ListSnapshots reads the
// artifacts in one pass; every snapshot still gets exactly its own,
// sorted by name, as GetSnapshot returns them, with and without filters.
func TestListManySnapshots(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		m := meta(fmt.Sprint("snap ", i), t0.Add(time.Duration(i)*time.Hour))
		m.Category = Categories[i]
		files := map[string]io.Reader{"z.txt": strings.NewReader(fmt.Sprint("last ", i)), "dom.html": strings.NewReader("<p>dom</p>")}
		if i == 1 {
			files = map[string]io.Reader{"text.txt": strings.NewReader("only one")}
		}
		if _, err := s.SaveSnapshot(ctx, m, files); err != nil {
			t.Fatal(err)
		}
	}
	// Copies with new ids and earlier times, sharing the blobs; the
	// copies' artifact rows go in reverse name order, so the order of the
	// rows on disk is not the order of the reply.
	if _, err := s.db.Exec(`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 400)
		INSERT INTO snapshots SELECT s.id || printf('-%04d', g.n), strftime('%Y-%m-%dT%H:%M:%S.000Z', s.captured_at, printf('-%d minutes', g.n)),
		tz_offset_minutes, url, final_url, title, trigger, browser, browser_version, extension_version, host_version, viewport_width,
		viewport_height, device_pixel_ratio, language, category, category_source, redactions, notes, api_key_count, stored_at, NULL
		FROM g, snapshots s`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO artifacts (snapshot_id, name, mime, size, sha256)
		SELECT c.id, a.name, a.mime, a.size, a.sha256 FROM snapshots c JOIN artifacts a ON a.snapshot_id = substr(c.id, 1, length(c.id) - 5)
		WHERE c.id LIKE '%-____' ORDER BY a.name DESC`); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		f    Filter
		want int
	}{
		{"all", Filter{}, 1203},
		{"one category", Filter{Categories: []string{Categories[0]}}, 401},
		{"a time range", Filter{Since: t0.Add(-3 * time.Hour), Until: t0.Add(90 * time.Minute)}, 1 + 180 + 1 + 240 + 270},
		{"limit past one batch", Filter{Limit: 700}, 700},
	} {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.ListSnapshots(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != tt.want {
				t.Fatalf("%d snapshots, want %d", len(list), tt.want)
			}
			for _, snap := range list {
				one, err := s.GetSnapshot(ctx, snap.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(snap.Artifacts, one.Artifacts) || len(one.Artifacts) == 0 {
					t.Fatalf("%s: listed artifacts %v, GetSnapshot says %v", snap.ID, snap.Artifacts, one.Artifacts)
				}
			}
		})
	}
}
