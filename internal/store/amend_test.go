package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// amendOnce adds the named artifacts to snapshot id with the given notes.
func amendOnce(t *testing.T, s *Store, id, captureID string, notes map[string]string, arts map[string][]byte) (Snapshot, []Committed, error) {
	t.Helper()
	var decls []ArtifactInfo
	for name, b := range arts {
		decls = append(decls, ArtifactInfo{Name: name, MIME: "image/png", Size: int64(len(b)), SHA256: hashHex(b)})
	}
	m := Snapshot{CaptureID: captureID, Notes: notes}
	u, err := s.BeginAmend(context.Background(), id, m, decls)
	if err != nil {
		return Snapshot{}, nil, err
	}
	for name, b := range arts {
		if _, err := u.Write(name, 0, b); err != nil {
			t.Fatal(err)
		}
	}
	return u.Commit(context.Background())
}

func TestAmendAddsArtifactsAndLogsThem(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	const capture = "c0ffee00-1111-2222-3333-444455556666"
	first, _ := commitOnce(t, s, capture, "tall page")
	tile1, tile2 := randBytes(3000), randBytes(5000)
	snap, arts, err := amendOnce(t, s, first.ID, capture, map[string]string{"fullpage": "2 tiles"},
		map[string][]byte{"fullpage-01.png": tile1, "fullpage-02.png": tile2})
	if err != nil {
		t.Fatal(err)
	}
	if snap.ID != first.ID || snap.Duplicate || len(arts) != 2 || arts[0].Deduplicated {
		t.Fatalf("amend answered %s dup=%v %+v", snap.ID, snap.Duplicate, arts)
	}
	got, err := s.GetSnapshot(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range got.Artifacts {
		names = append(names, a.Name)
	}
	if strings.Join(names, ",") != "dom.html,fullpage-01.png,fullpage-02.png" || got.Notes["fullpage"] != "2 tiles" {
		t.Errorf("after the amend: artifacts %v notes %v", names, got.Notes)
	}
	if !bytes.Equal(readAll(t, s, first.ID, "fullpage-02.png"), tile2) {
		t.Error("fullpage-02.png does not read back")
	}
	if n := count(t, s, "snapshots"); n != 1 {
		t.Errorf("%d snapshots, want 1", n)
	}
	// The chain records the amendment with every added artifact's hash, and still verifies.
	var ev []Event
	s.Events(ctx, func(e Event) error { ev = append(ev, e); return nil })
	if len(ev) != 1 || ev[0].Type != EventSnapshotAmended {
		t.Fatalf("events %+v", ev)
	}
	var d struct {
		SnapshotID string         `json:"snapshot_id"`
		Artifacts  []ArtifactInfo `json:"artifacts"`
	}
	json.Unmarshal(ev[0].Detail, &d)
	want := map[string]string{"fullpage-01.png": hashHex(tile1), "fullpage-02.png": hashHex(tile2)}
	if d.SnapshotID != first.ID || len(d.Artifacts) != 2 || want[d.Artifacts[0].Name] != d.Artifacts[0].SHA256 ||
		want[d.Artifacts[1].Name] != d.Artifacts[1].SHA256 {
		t.Errorf("snapshot.amended detail %s", ev[0].Detail)
	}
	if bad, err := s.VerifyChain(ctx); err != nil || bad != 0 {
		t.Errorf("chain after the amend: bad row %d, %v", bad, err)
	}
	// The dashboard's feed says which snapshot changed.
	var kind, ref string
	if err := s.db.QueryRow(`SELECT kind, ref FROM feed WHERE kind = 'snapshot.amended'`).Scan(&kind, &ref); err != nil || ref != first.ID {
		t.Errorf("feed row %q %q: %v", kind, ref, err)
	}
}

// A retry of a stored amend (the reply was lost with the port) stores
// nothing twice, in this process or another one that opened the store.
func TestAmendRetryIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	const capture = "abcdef12-1111-2222-3333-444455556666"
	first, _ := commitOnce(t, s, capture, "page")
	tile := randBytes(4000)
	if _, _, err := amendOnce(t, s, first.ID, capture, map[string]string{"fullpage": "1 tile"}, map[string][]byte{"fullpage.png": tile}); err != nil {
		t.Fatal(err)
	}
	other, err := Open(ctx, path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for name, st := range map[string]*Store{"same process": s, "another process": other} {
		snap, arts, err := amendOnce(t, st, first.ID, capture, map[string]string{"fullpage": "1 tile", "upload_attempt": "2"},
			map[string][]byte{"fullpage.png": tile})
		if err != nil || !snap.Duplicate || len(arts) != 1 || !arts[0].Deduplicated {
			t.Errorf("%s: retry answered dup=%v %+v %v", name, snap.Duplicate, arts, err)
		}
	}
	if n := count(t, s, "artifacts"); n != 2 {
		t.Errorf("%d artifact rows, want 2", n)
	}
	if n := count(t, s, "events"); n != 1 {
		t.Errorf("%d events, want 1 snapshot.amended", n)
	}
	if got, _ := s.GetSnapshot(ctx, first.ID); got.Notes["upload_attempt"] != "" {
		t.Errorf("a duplicate amend changed the notes: %v", got.Notes)
	}
	// A notes-only amend (the tiles could not be taken) is idempotent too.
	for i := 0; i < 2; i++ {
		if _, _, err := amendOnce(t, s, first.ID, capture, map[string]string{"mhtml": "omitted: the page closed"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s, "events"); n != 2 {
		t.Errorf("%d events after a repeated notes-only amend, want 2", n)
	}
}

func TestAmendRefusals(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	const capture = "11111111-2222-3333-4444-555555555555"
	first, _ := commitOnce(t, s, capture, "page")
	imp, err := s.SaveImport(ctx, Snapshot{URL: "import:mail.eml", CapturedAt: time.Now()},
		map[string]io.Reader{"mail.eml": strings.NewReader("Subject: hi")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := commitOnce(t, s, "old-capture-0001", "old")
	if _, err := s.db.Exec(`UPDATE snapshots SET stored_at = ? WHERE id = ?`, fmtTime(time.Now().Add(-2*AmendWindow)), old.ID); err != nil {
		t.Fatal(err)
	}
	deleted, _ := commitOnce(t, s, "deleted-capture-1", "deleted")
	if _, err := s.DeleteSnapshot(ctx, deleted.ID, "test", ""); err != nil {
		t.Fatal(err)
	}
	png := randBytes(100)
	many := map[string][]byte{}
	for i := 0; i < MaxArtifacts; i++ {
		many[strings.Repeat("x", i+1)+".png"] = []byte{byte(i)}
	}
	for _, c := range []struct {
		name, id, capture string
		arts              map[string][]byte
		want              error
	}{
		{"unknown snapshot", "20261130T010203Z-00000000", capture, map[string][]byte{"fullpage.png": png}, ErrUnknownSnapshot},
		{"deleted snapshot", deleted.ID, "deleted-capture-1", map[string][]byte{"fullpage.png": png}, ErrUnknownSnapshot},
		{"name it already has", first.ID, capture, map[string][]byte{"dom.html": png}, ErrArtifactExists},
		{"some it already has", first.ID, capture, map[string][]byte{"dom.html": []byte("<p>page</p>"), "fullpage.png": png}, ErrArtifactExists},
		{"an import", imp.ID, "", map[string][]byte{"fullpage.png": png}, ErrNotAmendable},
		{"stored too long ago", old.ID, "old-capture-0001", map[string][]byte{"fullpage.png": png}, ErrNotAmendable},
		{"another capture's id", first.ID, "99999999-2222-3333-4444-555555555555", map[string][]byte{"fullpage.png": png}, ErrCaptureMismatch},
		{"no capture id", first.ID, "", map[string][]byte{"fullpage.png": png}, ErrCaptureMismatch},
		{"settings.json", first.ID, capture, map[string][]byte{"settings.json": []byte("{}")}, ErrInvalid},
		{"too many artifacts", first.ID, capture, many, ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := amendOnce(t, s, c.id, c.capture, nil, c.arts)
			if !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
	if n := count(t, s, "artifacts"); n != 3 {
		t.Errorf("%d artifact rows after the refusals, want 3 (nothing added)", n)
	}
	if bad, err := s.VerifyChain(ctx); err != nil || bad != 0 {
		t.Errorf("chain: bad row %d, %v", bad, err)
	}
}

// Checked again at commit, inside the transaction: a snapshot deleted (or
// amended by another port) while the amend's chunks arrived.
func TestAmendRecheckedAtCommit(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	const capture = "22222222-2222-3333-4444-555555555555"
	first, _ := commitOnce(t, s, capture, "page")
	png := randBytes(100)
	open := func() *Upload {
		u, err := s.BeginAmend(ctx, first.ID, Snapshot{CaptureID: capture}, []ArtifactInfo{{Name: "page.mhtml", MIME: "multipart/related", Size: 100, SHA256: hashHex(png)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.Write("page.mhtml", 0, png); err != nil {
			t.Fatal(err)
		}
		return u
	}
	a, b := open(), open()
	if _, _, err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if snap, _, err := b.Commit(ctx); err != nil || !snap.Duplicate {
		t.Errorf("the same amend from a second port: dup=%v %v", snap.Duplicate, err)
	}
	c := func() *Upload {
		u, err := s.BeginAmend(ctx, first.ID, Snapshot{CaptureID: capture}, []ArtifactInfo{{Name: "fullpage.png", MIME: "image/png", Size: 100, SHA256: hashHex(png)}})
		if err != nil {
			t.Fatal(err)
		}
		u.Write("fullpage.png", 0, png)
		return u
	}()
	if _, err := s.DeleteSnapshot(ctx, first.ID, "test", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Commit(ctx); !errors.Is(err, ErrUnknownSnapshot) {
		t.Errorf("amend of a snapshot deleted meanwhile: %v", err)
	}
	if n := count(t, s, "artifacts"); n != 0 {
		t.Errorf("%d artifact rows left", n)
	}
}
