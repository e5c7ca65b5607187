package protocol

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// twoHosts opens the same database twice, as two host processes would.
func twoHosts(t *testing.T) (a, b *Server, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "ringfence.db")
	open := func() *Server {
		st, err := store.Open(context.Background(), path, bytes.Repeat([]byte{7}, 32))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return NewServer(st, nil, testKeys)
	}
	return open(), open(), path
}

type commitReply struct {
	SnapshotID string `json:"snapshot_id"`
	Artifacts  []struct {
		Name         string `json:"name"`
		Deduplicated bool   `json:"deduplicated"`
	} `json:"artifacts"`
	Duplicate bool `json:"duplicate"`
}

// upload runs begin, one chunk and commit; it returns the commit reply.
func upload(t *testing.T, s *Server, meta map[string]any, data []byte) commitReply {
	t.Helper()
	id := beginMeta(t, s, meta, data)
	if r := call(t, s, "snapshot.chunk", map[string]any{"upload_id": id, "artifact": "settings.json", "offset": 0, "data": data}); !r.OK {
		t.Fatalf("chunk: %+v", r.Error)
	}
	r := call(t, s, "snapshot.commit", map[string]any{"upload_id": id})
	if !r.OK {
		t.Fatalf("commit: %+v", r.Error)
	}
	var c commitReply
	json.Unmarshal(r.Body, &c)
	return c
}

func snapshotCount(t *testing.T, s *Server) int {
	t.Helper()
	st, err := s.store.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(st.Snapshots)
}

// A commit retried after a lost reply (same capture_id) stores nothing new
// and answers with the first snapshot, in this process or another.
func TestCommitRepeatIsIdempotent(t *testing.T) {
	a, b, _ := twoHosts(t)
	meta := metaJSON()
	meta["capture_id"] = "0b5c2a9e-7f31-4c8d-9e2a-5d6f7a8b9c0d"
	first := upload(t, a, meta, []byte(`{"api_keys":[]}`))
	if first.Duplicate || first.SnapshotID == "" {
		t.Fatalf("first commit: %+v", first)
	}
	retry := with(meta, "notes", map[string]string{"upload_attempt": "2"})
	for name, s := range map[string]*Server{"same process": a, "another process": b} {
		again := upload(t, s, retry, []byte(`{"api_keys":[]}`))
		if !again.Duplicate || again.SnapshotID != first.SnapshotID ||
			len(again.Artifacts) != 1 || again.Artifacts[0].Name != "settings.json" || !again.Artifacts[0].Deduplicated {
			t.Errorf("%s: repeat answered %+v, want snapshot %s with duplicate", name, again, first.SnapshotID)
		}
	}
	if n := snapshotCount(t, a); n != 1 {
		t.Errorf("%d snapshots stored, want 1", n)
	}
	meta["capture_id"] = "bad id!"
	r := call(t, a, "snapshot.begin", map[string]any{"meta": meta, "artifacts": []any{}})
	if r.OK || r.Error.Code != spec.CodeBadRequest || !strings.Contains(r.Error.Message, "capture_id") {
		t.Errorf("bad capture_id: %+v", r.Error)
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// event.log retried after a lost reply (same event_id) appends nothing and
// answers with the first {seq, hash}, in this process or another.
func TestEventLogRepeatIsIdempotent(t *testing.T) {
	a, b, _ := twoHosts(t)
	type logged struct {
		Seq       int64  `json:"seq"`
		Hash      string `json:"hash"`
		Duplicate bool   `json:"duplicate"`
	}
	log := func(s *Server, body map[string]any) logged {
		t.Helper()
		r := call(t, s, "event.log", body)
		if !r.OK {
			t.Fatalf("event.log: %+v", r.Error)
		}
		var l logged
		json.Unmarshal(r.Body, &l)
		return l
	}
	ev := map[string]any{"type": "warning.shown", "rule_id": "chatgpt.delete-account", "event_id": "evt-7d1e2f3a"}
	first := log(a, ev)
	if first.Seq != 1 || first.Duplicate {
		t.Fatalf("first: %+v", first)
	}
	for name, s := range map[string]*Server{"same process": a, "another process": b} {
		if again := log(s, ev); again.Seq != first.Seq || again.Hash != first.Hash || !again.Duplicate {
			t.Errorf("%s: repeat answered %+v, want %+v duplicate", name, again, first)
		}
	}
	if next := log(b, map[string]any{"type": "warning.shown", "event_id": "evt-8e2f3a4b"}); next.Seq != 2 {
		t.Errorf("a new event_id got seq %d, want 2", next.Seq)
	}
	if st, _ := a.store.Stats(context.Background()); st.Events != 2 {
		t.Errorf("%d events, want 2", st.Events)
	}
	r := call(t, a, "event.log", map[string]any{"type": "warning.shown", "event_id": "x"})
	if r.OK || r.Error.Code != spec.CodeBadRequest || !strings.Contains(r.Error.Message, "event_id") {
		t.Errorf("bad event_id: %+v", r.Error)
	}
}

func TestMetaFieldLimits(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	notes := map[string]string{}
	for i := 0; i < 65; i++ {
		notes[strings.Repeat("k", i+1)] = "v"
	}
	// URLs over the cap are kept, cut (store.CapURL), never refused.
	for _, field := range []string{"url", "final_url"} {
		r := call(t, s, "snapshot.begin", map[string]any{"meta": with(metaJSON(), field, "https://chatgpt.com/"+strings.Repeat("a", 8192)), "artifacts": []any{}})
		if !r.OK {
			t.Errorf("%s over 8 KiB refused: %+v", field, r.Error)
		}
	}
	for field, v := range map[string]any{
		"title": strings.Repeat("t", 1_100_000),
		"notes": notes,
	} {
		r := call(t, s, "snapshot.begin", map[string]any{"meta": with(metaJSON(), field, v), "artifacts": []any{}})
		if r.OK || r.Error.Code != spec.CodeBadRequest || !strings.Contains(r.Error.Message, "meta."+field) {
			t.Errorf("%s over its limit: %+v", field, r.Error)
		}
	}
}

// Rows stored before the caps (or by any other writer) must not make every
// snapshot.list answer reply_too_large: summaries cut title and url.
func TestListTruncatesLongFields(t *testing.T) {
	s, _, path := twoHosts(t)
	for i := 0; i < 3; i++ {
		upload(t, s, metaJSON(), []byte(`{}`))
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	long := strings.Repeat("é", 600_000) // 1.2 MB each
	if _, err := db.Exec(`UPDATE snapshots SET title = ?, url = ?`, long, "https://chatgpt.com/?"+long); err != nil {
		t.Fatal(err)
	}
	r := call(t, s, "snapshot.list", map[string]any{"limit": 200})
	if !r.OK {
		t.Fatalf("list: %+v", r.Error)
	}
	var l struct {
		Snapshots []spec.SnapshotSummary `json:"snapshots"`
	}
	json.Unmarshal(r.Body, &l)
	if len(l.Snapshots) != 3 {
		t.Fatalf("%d snapshots listed", len(l.Snapshots))
	}
	for _, sn := range l.Snapshots {
		if len(sn.Title) > maxSummaryTitle || len(sn.URL) > maxSummaryURL || !strings.HasSuffix(sn.Title, "…") ||
			!strings.HasPrefix(sn.Title, "éé") || !strings.HasPrefix(sn.URL, "https://chatgpt.com/?é") {
			t.Errorf("summary title %d bytes, url %d bytes: %.40q", len(sn.Title), len(sn.URL), sn.Title)
		}
	}
}
