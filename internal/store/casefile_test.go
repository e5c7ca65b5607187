package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDeleteKeepsSharedBlobsAndTheChain(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	shared := strings.Repeat("same bytes ", 100)
	save := func(title, own string) Snapshot {
		snap, err := s.SaveSnapshot(ctx, meta(title, time.Now()), map[string]io.Reader{
			"shared.txt": strings.NewReader(shared), "own.txt": strings.NewReader(own)})
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	a, b := save("a", "only in a"), save("b", "only in b")
	if _, err := s.AppendEvent(ctx, Event{Type: "warning.shown"}); err != nil {
		t.Fatal(err)
	}
	d, err := s.DeleteSnapshot(ctx, a.ID, "test", "why")
	if err != nil {
		t.Fatal(err)
	}
	if d.BlobsFreed != 1 {
		t.Errorf("freed %d blobs, want 1 (the shared one stays for b)", d.BlobsFreed)
	}
	if got := string(readAll(t, s, b.ID, "shared.txt")); got != shared {
		t.Error("b lost its shared artifact")
	}
	if _, err := s.GetSnapshot(ctx, a.ID); err == nil {
		t.Error("a still exists")
	}
	if d.Tombstone.Seq != 2 || d.Tombstone.Type != EventSnapshotDeleted || !strings.Contains(string(d.Tombstone.Detail), a.Artifacts[0].SHA256) {
		t.Errorf("tombstone %+v", d.Tombstone)
	}
	if bad, err := s.VerifyChain(ctx); bad != 0 || err != nil {
		t.Errorf("chain: %d %v", bad, err)
	}
	if _, err := s.DeleteSnapshot(ctx, a.ID, "test", ""); err == nil {
		t.Error("deleting twice succeeded")
	}
	if n := count(t, s, "blobs"); n != 2 {
		t.Errorf("%d blobs left, want 2", n)
	}
}

func TestKeyInventoryKeepsNewestView(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	save := func(at time.Time, keys string) {
		m := meta("keys", at)
		if _, err := s.SaveSnapshot(ctx, m, map[string]io.Reader{"settings.json": strings.NewReader(`{"api_keys":[` + keys + `]}`)}); err != nil {
			t.Fatal(err)
		}
	}
	save(t0.Add(48*time.Hour), `{"name":"prod","prefix":"sk-...aaaa","last_used":"Nov 3"}`)
	save(t0, `{"name":"prod-old-name","prefix":"sk-...aaaa","last_used":"Nov 1"},{"name":"ci","prefix":"sk-...bbbb"}`) // arrives late
	keys, err := s.APIKeys(ctx)
	if err != nil || len(keys) != 2 {
		t.Fatalf("%+v %v", keys, err)
	}
	k := keys[0]
	if k.Key != "sk-...aaaa" || k.Name != "prod" || k.LastUsed != "Nov 3" || !k.FirstSeen.Equal(t0) || !k.LastSeen.Equal(t0.Add(48*time.Hour)) {
		t.Errorf("key %+v", k)
	}
	if _, err := s.UpdateAPIKey(ctx, "sk-...bbbb", []string{"ci-runner"}, "rotated"); err != nil {
		t.Fatal(err)
	}
	inv, _ := s.KeyInventorySummary(ctx)
	if inv.Keys != 2 || inv.NotRotated != 1 || strings.Join(inv.UsedBy, ",") != "ci-runner" {
		t.Errorf("summary %+v", inv)
	}
	if _, err := s.UpdateAPIKey(ctx, "sk-...nope", nil, "rotated"); err == nil {
		t.Error("updating an unknown key succeeded")
	}
}

func TestImportTriggerOnlyThroughSaveImport(t *testing.T) {
	s, _ := openTest(t)
	m := meta("x", time.Now())
	m.Trigger = TriggerImport
	if _, err := s.BeginUpload(m, nil); err == nil {
		t.Error("an upload (the native protocol's path) may claim trigger import")
	}
	snap, err := s.SaveImport(context.Background(), Snapshot{URL: "import:a.txt", CapturedAt: time.Now()},
		map[string]io.Reader{"original.txt": strings.NewReader("hello")}, map[string]any{"file": "a.txt"})
	if err != nil || snap.Trigger != TriggerImport {
		t.Fatalf("%+v %v", snap, err)
	}
	var e Event
	s.Events(context.Background(), func(ev Event) error { e = ev; return nil })
	if e.Type != EventImportAdded || !strings.Contains(string(e.Detail), snap.ID) {
		t.Errorf("import event %+v", e)
	}
}

// TestWatchSeesOtherHandles: a commit through another handle (as another
// process would make) reaches Watch, and so does a deletion.
func TestWatchSeesOtherHandles(t *testing.T) {
	s, path := openTest(t)
	other, err := Open(context.Background(), path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan Change, 16)
	go s.Watch(ctx, 20*time.Millisecond, func(b []Change) {
		for _, c := range b {
			got <- c
		}
	})
	time.Sleep(50 * time.Millisecond)
	snap, err := other.SaveSnapshot(ctx, meta("w", time.Now()), map[string]io.Reader{"a.txt": strings.NewReader("a")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"snapshot.added " + snap.ID, "snapshot.deleted " + snap.ID, "event.added 1"}
	go func() { other.DeleteSnapshot(ctx, snap.ID, "test", "") }()
	for _, w := range want {
		select {
		case c := <-got:
			if c.Kind+" "+c.Ref != w {
				t.Errorf("change %s %s, want %s", c.Kind, c.Ref, w)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("no change %q", w)
		}
	}
}

// TestBackfillAPIKeys: keys of snapshots stored before the inventory existed
// are recorded once.
func TestBackfillAPIKeys(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	if _, err := s.SaveSnapshot(ctx, meta("keys", time.Now()), map[string]io.Reader{
		"settings.json": strings.NewReader(`{"api_keys":[{"name":"old","prefix":"sk-...old1"}]}`)}); err != nil {
		t.Fatal(err)
	}
	// As a version-2 database would have it: no inventory rows.
	if _, err := s.db.Exec(`DELETE FROM api_keys`); err != nil {
		t.Fatal(err)
	}
	n, err := s.BackfillAPIKeys(ctx)
	if err != nil || n != 1 {
		t.Fatalf("backfill read %d, %v", n, err)
	}
	keys, _ := s.APIKeys(ctx)
	if len(keys) != 1 || keys[0].Key != "sk-...old1" {
		t.Errorf("keys %+v", keys)
	}
	if n, err := s.BackfillAPIKeys(ctx); n != 0 || err != nil {
		t.Errorf("second backfill read %d, %v", n, err)
	}
}

// A deleted snapshot leaves nothing behind in the files: neither its
// metadata (stored in the clear) nor its blobs' ciphertext stays in free
// pages or WAL frames; the tombstone keeps only what it says it keeps.
func TestDeleteLeavesNoBytesInTheFiles(t *testing.T) {
	s, path := openTest(t)
	ctx := context.Background()
	m := meta("scrub me", time.Now())
	const marker = "private-note-7c1e0f3a9b"
	m.Notes = map[string]string{"capture": marker}
	snap, err := s.SaveSnapshot(ctx, m, map[string]io.Reader{"screenshot.png": bytes.NewReader(randBytes(200 << 10))})
	if err != nil {
		t.Fatal(err)
	}
	var cipher []byte
	if err := s.db.QueryRowContext(ctx, `SELECT data FROM blobs WHERE sha256 = ?`, snap.Artifacts[0].SHA256).Scan(&cipher); err != nil {
		t.Fatal(err)
	}
	// Pieces from the blob's start, middle and end: an overflow page of it left anywhere shows.
	probes := [][]byte{[]byte(marker), cipher[100:164], cipher[len(cipher)/2 : len(cipher)/2+64], cipher[len(cipher)-64:]}
	if _, err := s.DeleteSnapshot(ctx, snap.ID, "test", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range probes {
			if bytes.Contains(b, p) {
				t.Errorf("%s still holds probe %d of the deleted snapshot", filepath.Base(f), i)
			}
		}
	}
}
