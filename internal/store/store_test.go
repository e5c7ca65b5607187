package store

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ringfence.db")
	s, err := Open(context.Background(), path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func meta(title string, at time.Time) Snapshot {
	return Snapshot{URL: "https://chatgpt.com/#settings/Account", Title: title, CapturedAt: at,
		Trigger: "button", Browser: "Chromium", Category: "account_status"}
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func readAll(t *testing.T, s *Store, id, name string) []byte {
	t.Helper()
	r, err := s.OpenArtifact(context.Background(), id, name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSaveAndReadBack(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	png := randBytes(300_000)
	html := []byte(strings.Repeat("<div class=\"setting\">Improve the model for everyone: off</div>\n", 5000))
	m := meta("Account", time.Date(2026, 11, 30, 10, 2, 3, 456e6, time.UTC))
	m.Artifacts = []ArtifactInfo{{Name: "screenshot.png", MIME: "image/png"}, {Name: "dom.html", MIME: "text/html"}}
	m.Redactions = []Redaction{{Rule: "openai_key", Artifact: "dom.html", Count: 2}}
	m.Notes = map[string]string{"screenshot": "visible only"}
	snap, err := s.SaveSnapshot(ctx, m, map[string]io.Reader{"screenshot.png": bytes.NewReader(png), "dom.html": bytes.NewReader(html)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(snap.ID, "20261130T100203Z-") {
		t.Errorf("id %q does not start with the capture time", snap.ID)
	}
	got, err := s.GetSnapshot(ctx, snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CapturedAt.Equal(m.CapturedAt) || got.Title != "Account" || got.Redactions[0].Count != 2 || got.Notes["screenshot"] != "visible only" {
		t.Errorf("metadata did not round-trip: %+v", got)
	}
	if len(got.Artifacts) != 2 || got.Artifacts[0].Name != "dom.html" || got.Artifacts[1].MIME != "image/png" {
		t.Fatalf("artifacts: %+v", got.Artifacts)
	}
	if b := readAll(t, s, snap.ID, "screenshot.png"); !bytes.Equal(b, png) {
		t.Error("screenshot.png is not byte-identical")
	}
	if b := readAll(t, s, snap.ID, "dom.html"); !bytes.Equal(b, html) {
		t.Error("dom.html is not byte-identical")
	}
	// Compressed where it pays, stored as is where it does not.
	comp := map[string]string{}
	rows, _ := s.db.Query(`SELECT sha256, compression FROM blobs`)
	for rows.Next() {
		var sha, c string
		rows.Scan(&sha, &c)
		comp[sha] = c
	}
	rows.Close()
	if comp[hashHex(html)] != "deflate" || comp[hashHex(png)] != "none" {
		t.Errorf("compression choices: %v", comp)
	}
	if _, err := s.GetSnapshot(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing snapshot: %v", err)
	}
	if _, err := s.OpenArtifact(ctx, snap.ID, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing artifact: %v", err)
	}
}

func TestBlobsAreEncryptedAndDeduplicated(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	secret := []byte(strings.Repeat("training opt-out: ON; plan: Pro; email: someone@example.com\n", 100))
	for i := 0; i < 3; i++ {
		if _, err := s.SaveSnapshot(ctx, meta("t", time.Now()), map[string]io.Reader{"page.txt": bytes.NewReader(secret)}); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM blobs`).Scan(&n)
	if n != 1 {
		t.Errorf("3 identical artifacts made %d blobs, want 1", n)
	}
	s.Close()
	// Nothing of the plaintext is in the file, not even compressed-looking text.
	for _, f := range []string{path, path + "-wal"} {
		raw, _ := readFile(f)
		if bytes.Contains(raw, []byte("someone@example.com")) || bytes.Contains(raw, []byte("training opt-out")) {
			t.Errorf("%s contains plaintext", f)
		}
	}
	// Another key cannot open the store.
	if _, err := Open(ctx, path, testKey(2)); !errors.Is(err, ErrWrongKey) {
		t.Errorf("open with the wrong key: %v, want ErrWrongKey", err)
	}
}

func TestTamperedBlobFailsAuthentication(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	a, _ := s.SaveSnapshot(ctx, meta("a", time.Now()), map[string]io.Reader{"a.txt": strings.NewReader("first artifact")})
	b, _ := s.SaveSnapshot(ctx, meta("b", time.Now()), map[string]io.Reader{"b.txt": strings.NewReader("second artifact")})
	// Swap the ciphertexts: the AAD binds each to its own hash.
	var na, nb []byte
	var da, db []byte
	s.db.QueryRow(`SELECT nonce, data FROM blobs WHERE sha256 = ?`, a.Artifacts[0].SHA256).Scan(&na, &da)
	s.db.QueryRow(`SELECT nonce, data FROM blobs WHERE sha256 = ?`, b.Artifacts[0].SHA256).Scan(&nb, &db)
	s.db.Exec(`UPDATE blobs SET nonce = ?, data = ? WHERE sha256 = ?`, nb, db, a.Artifacts[0].SHA256)
	if _, err := s.OpenArtifact(ctx, a.ID, "a.txt"); err == nil {
		t.Error("a swapped blob decrypted")
	}
}

// A deflated blob whose inflated bytes are not the ones its hash names
// (sealed correctly, so GCM passes) fails at EOF.
func TestDeflatedBlobIsVerifiedAtEOF(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	text := strings.Repeat("Improve the model for everyone: on\n", 100)
	snap, err := s.SaveSnapshot(ctx, meta("a", time.Now()), map[string]io.Reader{"text.txt": strings.NewReader(text)})
	if err != nil {
		t.Fatal(err)
	}
	sha := snap.Artifacts[0].SHA256
	var comp string
	s.db.QueryRow(`SELECT compression FROM blobs WHERE sha256 = ?`, sha).Scan(&comp)
	if comp != "deflate" {
		t.Fatalf("compression %q, want deflate", comp)
	}
	rc, err := s.OpenArtifact(ctx, snap.ID, "text.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(rc); err != nil || string(got) != text {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	rc.Close()

	// Same length, other bytes, sealed under the same hash.
	other := strings.Repeat("Improve the model for everyone: no\n", 100)
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	fw.Write([]byte(other))
	fw.Close()
	aead, err := s.cipher(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nonce := randBytes(aead.NonceSize())
	if _, err := s.db.Exec(`UPDATE blobs SET nonce = ?, data = ? WHERE sha256 = ?`, nonce, aead.Seal(nil, nonce, z.Bytes(), blobAAD(sha)), sha); err != nil {
		t.Fatal(err)
	}
	rc, err = s.OpenArtifact(ctx, snap.ID, "text.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadAll(rc); err == nil || !strings.Contains(err.Error(), "inflates to different bytes") {
		t.Errorf("reading the swapped bytes: %v, want the hash mismatch", err)
	}
}

// ArtifactStored hands over an artifact as the store keeps it: the raw
// deflate stream of a compressed one, the bytes of one stored as it is.
func TestArtifactStored(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	text := strings.Repeat("Improve the model for everyone: on\n", 100)
	png := randBytes(4000)
	m := meta("a", time.Now())
	m.Artifacts = []ArtifactInfo{{Name: "text.txt", MIME: "text/plain"}, {Name: "screenshot.png", MIME: "image/png"}}
	snap, err := s.SaveSnapshot(ctx, m, map[string]io.Reader{"text.txt": strings.NewReader(text), "screenshot.png": bytes.NewReader(png)})
	if err != nil {
		t.Fatal(err)
	}
	z, deflated, err := s.ArtifactStored(ctx, snap.ID, "text.txt")
	if err != nil || !deflated {
		t.Fatalf("text.txt: deflated %v, %v", deflated, err)
	}
	if got, err := io.ReadAll(flate.NewReader(bytes.NewReader(z))); err != nil || string(got) != text {
		t.Errorf("text.txt inflates to %d bytes, %v", len(got), err)
	}
	b, deflated, err := s.ArtifactStored(ctx, snap.ID, "screenshot.png")
	if err != nil || deflated || !bytes.Equal(b, png) {
		t.Errorf("screenshot.png: %d bytes, deflated %v, %v", len(b), deflated, err)
	}
	if _, _, err := s.ArtifactStored(ctx, snap.ID, "nope.txt"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing artifact: %v, want ErrNotFound", err)
	}
}

func TestListFilters(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i, cat := range []string{"account_status", "api_dashboard", "consent_training", "api_dashboard"} {
		m := meta(fmt.Sprint(i), base.Add(time.Duration(i)*24*time.Hour))
		m.Category = cat
		snap, err := s.SaveSnapshot(ctx, m, map[string]io.Reader{"page.txt": strings.NewReader(fmt.Sprint("page ", i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, snap.ID)
	}
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"all newest first", Filter{}, []string{ids[3], ids[2], ids[1], ids[0]}},
		{"limit", Filter{Limit: 2}, []string{ids[3], ids[2]}},
		{"category", Filter{Categories: []string{"api_dashboard"}}, []string{ids[3], ids[1]}},
		{"since until", Filter{Since: base.Add(24 * time.Hour), Until: base.Add(3 * 24 * time.Hour)}, []string{ids[2], ids[1]}},
		{"ids", Filter{IDs: []string{ids[0], ids[2]}}, []string{ids[2], ids[0]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListSnapshots(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []string
			for _, g := range got {
				gotIDs = append(gotIDs, g.ID)
				if len(g.Artifacts) != 1 {
					t.Errorf("%s has %d artifacts", g.ID, len(g.Artifacts))
				}
			}
			if fmt.Sprint(gotIDs) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", gotIDs, tt.want)
			}
		})
	}
}

func TestUploadVerification(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	data := []byte("hello, evidence")
	decl := []ArtifactInfo{{Name: "page.txt", MIME: "text/plain", Size: int64(len(data)), SHA256: hashHex(data)}}
	tests := []struct {
		name   string
		decl   []ArtifactInfo
		writes func(u *Upload) error
		want   error
	}{
		{"ok", decl, func(u *Upload) error {
			if _, err := u.Write("page.txt", 0, data[:5]); err != nil {
				return err
			}
			_, err := u.Write("page.txt", 5, data[5:])
			return err
		}, nil},
		{"out of order", decl, func(u *Upload) error { _, err := u.Write("page.txt", 3, data); return err }, ErrOutOfOrder},
		{"past declared size", decl, func(u *Upload) error { _, err := u.Write("page.txt", 0, append(data, 'x')); return err }, ErrSizeMismatch},
		{"short", decl, func(u *Upload) error { _, err := u.Write("page.txt", 0, data[:3]); return err }, ErrSizeMismatch},
		{"checksum", decl, func(u *Upload) error {
			_, err := u.Write("page.txt", 0, bytes.ToUpper(data))
			return err
		}, ErrChecksum},
		{"undeclared artifact", decl, func(u *Upload) error { _, err := u.Write("other.txt", 0, data); return err }, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := s.BeginUpload(meta(tt.name, time.Now()), tt.decl)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.writes(u)
			if err == nil {
				_, _, err = u.Commit(ctx)
			} else {
				u.Abort()
			}
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			list, _ := s.ListSnapshots(ctx, Filter{})
			found := false
			for _, l := range list {
				found = found || l.Title == tt.name
			}
			if found != (tt.want == nil) {
				t.Errorf("snapshot visible = %v after %v", found, err)
			}
		})
	}
	ents, _ := readDir(s.uploads)
	if len(ents) != 0 {
		t.Errorf("staging files left behind: %v", ents)
	}
}

func TestValidation(t *testing.T) {
	ok := ArtifactInfo{Name: "a.txt", MIME: "text/plain", Size: 1, SHA256: strings.Repeat("a", 64)}
	tests := []struct {
		name  string
		mod   func(m *Snapshot, d *[]ArtifactInfo)
		error error
	}{
		{"valid", func(m *Snapshot, d *[]ArtifactInfo) {}, nil},
		{"no url", func(m *Snapshot, d *[]ArtifactInfo) { m.URL = "" }, ErrInvalid},
		{"no time", func(m *Snapshot, d *[]ArtifactInfo) { m.CapturedAt = time.Time{} }, ErrInvalid},
		{"bad trigger", func(m *Snapshot, d *[]ArtifactInfo) { m.Trigger = "magic" }, ErrInvalid},
		{"bad category", func(m *Snapshot, d *[]ArtifactInfo) { m.Category = "misc" }, ErrInvalid},
		{"bad name", func(m *Snapshot, d *[]ArtifactInfo) { (*d)[0].Name = "../etc/passwd" }, ErrInvalid},
		{"duplicate", func(m *Snapshot, d *[]ArtifactInfo) { *d = append(*d, (*d)[0]) }, ErrInvalid},
		{"bad sha", func(m *Snapshot, d *[]ArtifactInfo) { (*d)[0].SHA256 = "XYZ" }, ErrInvalid},
		{"no mime", func(m *Snapshot, d *[]ArtifactInfo) { (*d)[0].MIME = "" }, ErrInvalid},
		{"huge artifact", func(m *Snapshot, d *[]ArtifactInfo) { (*d)[0].Size = MaxArtifactSize + 1 }, ErrTooLarge},
		{"too many", func(m *Snapshot, d *[]ArtifactInfo) {
			for i := 0; i < MaxArtifacts; i++ {
				*d = append(*d, ArtifactInfo{Name: fmt.Sprint("f", i), MIME: "x/y", SHA256: ok.SHA256})
			}
		}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := meta("v", time.Now())
			d := []ArtifactInfo{ok}
			tt.mod(&m, &d)
			if err := validate(&m, d); !errors.Is(err, tt.error) && !(err == nil && tt.error == nil) {
				t.Errorf("got %v, want %v", err, tt.error)
			}
		})
	}
}

func TestEventChain(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	for i := 0; i < 5; i++ {
		e, err := s.AppendEvent(ctx, Event{Type: "warning.shown", RuleID: "chatgpt.delete-account",
			URL: "https://chatgpt.com/#settings/Account", Detail: json.RawMessage(fmt.Sprintf(`{ "n" : %d, "html": "<b>&</b>" }`, i))})
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != int64(i+1) {
			t.Errorf("seq %d, want %d", e.Seq, i+1)
		}
	}
	if _, err := s.AppendEvent(ctx, Event{Type: "Bad Type"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad type: %v", err)
	}
	if _, err := s.AppendEvent(ctx, Event{Type: "x", Detail: json.RawMessage(`{`)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad detail: %v", err)
	}
	// Recompute the chain from exported JSON lines alone, as a verifier would.
	var lines bytes.Buffer
	enc := json.NewEncoder(&lines)
	s.Events(ctx, func(e Event) error { return enc.Encode(e) })
	prev := GenesisHash
	for _, line := range bytes.Split(bytes.TrimSpace(lines.Bytes()), []byte("\n")) {
		var e Event
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatal(err)
		}
		if e.PrevHash != prev || ChainHash(prev, e) != e.Hash {
			t.Fatalf("chain does not recompute from JSONL at seq %d: %s", e.Seq, line)
		}
		prev = e.Hash
	}
	if bad, err := s.VerifyChain(ctx); bad != 0 || err != nil {
		t.Fatalf("VerifyChain = %d, %v", bad, err)
	}
	// The table refuses edits; and if someone drops the guard, the chain shows it.
	if _, err := s.db.Exec(`UPDATE events SET type = 'warning.ignored' WHERE seq = 3`); err == nil {
		t.Fatal("an UPDATE of events succeeded")
	}
	if _, err := s.db.Exec(`DELETE FROM events WHERE seq = 2`); err == nil {
		t.Fatal("a DELETE of events succeeded")
	}
	s.db.Exec(`DROP TRIGGER events_no_update`)
	s.db.Exec(`UPDATE events SET type = 'warning.ignored' WHERE seq = 3`)
	if bad, _ := s.VerifyChain(ctx); bad != 3 {
		t.Errorf("tampered chain: first bad seq %d, want 3", bad)
	}
}

func TestChainHashIsFixed(t *testing.T) {
	// Pinned so the documented formula and the code cannot drift apart:
	// docs/data-model.md shows the same input.
	e := Event{Seq: 1, At: time.Date(2026, 11, 30, 10, 2, 3, 456e6, time.UTC), Type: "warning.shown",
		RuleID: "chatgpt.delete-account", URL: "https://chatgpt.com/#settings/Account", Detail: json.RawMessage(`{"lang":"en"}`)}
	input := "ringfence-event-v1\n" + "64:" + GenesisHash + "\n" + "1:1\n" + "24:2026-11-30T10:02:03.456Z\n" +
		"13:warning.shown\n" + "22:chatgpt.delete-account\n" + "37:https://chatgpt.com/#settings/Account\n" + "13:{\"lang\":\"en\"}\n"
	if got, want := ChainHash(GenesisHash, e), hashHex([]byte(input)); got != want {
		t.Errorf("ChainHash = %s, want sha256 of the documented input %s", got, want)
	}
}

func TestIdentitySummary(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, err := s.IdentitySummary(ctx)
	if err != nil || id.Snapshots != 0 || id.APIKeys != nil || id.LastSnapshotAt != nil {
		t.Fatalf("empty store: %+v %v", id, err)
	}
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	m := meta("keys", t0)
	m.Category = "api_dashboard"
	keys, _ := s.SaveSnapshot(ctx, m, map[string]io.Reader{"settings.json": strings.NewReader(`{"api_keys":[{"name":"prod"},{"name":"ci"},{"name":"x"},{"name":"y"}]}`)})
	m2 := meta("account", t0.Add(time.Hour))
	s.SaveSnapshot(ctx, m2, map[string]io.Reader{"settings.json": strings.NewReader(`{"toggles":[]}`)})
	id, err = s.IdentitySummary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.Snapshots != 2 || !id.LastSnapshotAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("counts: %+v", id)
	}
	if id.APIKeys == nil || id.APIKeys.Count != 4 || id.APIKeys.SnapshotID != keys.ID || !id.APIKeys.SeenAt.Equal(t0) {
		t.Errorf("api keys: %+v", id.APIKeys)
	}
	if id.Categories["api_dashboard"].SnapshotID != keys.ID || len(id.Categories) != 2 {
		t.Errorf("categories: %+v", id.Categories)
	}
}

func TestStorageFull(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "small.db")
	s, err := OpenWith(ctx, path, testKey(1), Options{MaxBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.SaveSnapshot(ctx, meta("big", time.Now()), map[string]io.Reader{"shot.png": bytes.NewReader(randBytes(1 << 20))})
	if !errors.Is(err, ErrStorageFull) {
		t.Fatalf("over the cap: %v, want ErrStorageFull", err)
	}
	if n, _ := s.ListSnapshots(ctx, Filter{}); len(n) != 0 {
		t.Error("a snapshot is visible after a full-disk failure")
	}
	if res, _ := s.IntegrityCheck(ctx); res != "ok" {
		t.Errorf("integrity after SQLITE_FULL: %s", res)
	}
	// ENOSPC from the file system maps the same way.
	if !errors.Is(classify(fmt.Errorf("write: %w", syscall.ENOSPC)), ErrStorageFull) {
		t.Error("ENOSPC is not storage full")
	}
}

func TestConcurrentWritersInOneProcess(t *testing.T) {
	ctx := context.Background()
	_, path := openTest(t)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, path, testKey(1)) // a store per writer, like separate processes
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			for i := 0; i < 10; i++ {
				if _, err := s.SaveSnapshot(ctx, meta("c", time.Now()), map[string]io.Reader{"p.txt": bytes.NewReader(randBytes(1000))}); err != nil {
					errs <- err
				}
				if _, err := s.AppendEvent(ctx, Event{Type: "warning.shown"}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s, _ := Open(ctx, path, testKey(1))
	defer s.Close()
	st, _ := s.Stats(ctx)
	if st.Snapshots != 40 || st.Events != 40 {
		t.Errorf("stats %+v, want 40 and 40", st)
	}
	if bad, _ := s.VerifyChain(ctx); bad != 0 {
		t.Errorf("chain broken at %d", bad)
	}
}

func TestMigrationsRecorded(t *testing.T) {
	s, path := openTest(t)
	v, err := s.SchemaVersion(context.Background())
	if err != nil || v != len(migrations) {
		t.Fatalf("schema version %d, %v", v, err)
	}
	s.Close()
	// Reopening applies nothing twice.
	s2, err := Open(context.Background(), path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var n int
	s2.db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != len(migrations) {
		t.Errorf("%d migration rows, want %d", n, len(migrations))
	}
	var mode string
	s2.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode %s", mode)
	}
	var ps int
	s2.db.QueryRow(`PRAGMA page_size`).Scan(&ps)
	if ps != pageSize {
		t.Errorf("page_size %d, want %d", ps, pageSize)
	}
	var fk int
	s2.db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
	if fk != 1 {
		t.Error("foreign keys off")
	}
}

func TestCharsetChecks(t *testing.T) {
	tests := []struct {
		fn   func(string) bool
		in   string
		want bool
	}{
		{validArtifactName, "screenshot.png", true},
		{validArtifactName, "a_b-c.9", true},
		{validArtifactName, "", false},
		{validArtifactName, strings.Repeat("a", 65), false},
		{validArtifactName, "Dom.html", false},
		{validArtifactName, "a/b", false},
		{validSHA256, strings.Repeat("0f", 32), true},
		{validSHA256, strings.Repeat("0F", 32), false},
		{validSHA256, strings.Repeat("0", 63), false},
		{validEventType, "warning.shown", true},
		{validEventType, "guard_cancelled", true},
		{validEventType, ".x", false},
		{validEventType, "Warning", false},
		{validEventType, "a1", false},
		{validEventType, strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestDocumentedExampleHash pins the event hash shown in docs/protocol.md's
// example exchange and docs/data-model.md, so the docs stay true.
func TestDocumentedExampleHash(t *testing.T) {
	e := Event{Seq: 1, At: time.Date(2026, 11, 30, 10, 2, 5, 0, time.UTC), Type: "warning.shown",
		RuleID: "platform.revoke-key", URL: "https://platform.openai.com/api-keys", Detail: json.RawMessage(`{"lang":"en"}`)}
	if got := ChainHash(GenesisHash, e); got != "5cb931b9b6fadc00cd2653f7ee078d1a3c4d99c978d5571e895a1900e18fee6f" {
		t.Errorf("ChainHash = %s; docs/protocol.md and docs/data-model.md show 5cb931b9…", got)
	}
}

func TestSweepRemovesOnlyStaleStaging(t *testing.T) {
	s, _ := openTest(t)
	os.MkdirAll(s.uploads, 0o700)
	stale, fresh, other := filepath.Join(s.uploads, "u-1.part"), filepath.Join(s.uploads, "u-2.part"), filepath.Join(s.uploads, "keep.txt")
	for _, f := range []string{stale, fresh, other} {
		os.WriteFile(f, []byte("x"), 0o600)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	os.Chtimes(other, old, old)
	s.sweepUploads(time.Hour)
	for f, want := range map[string]bool{stale: false, fresh: true, other: true} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(f), err == nil, want)
		}
	}
}

func TestLargeUploadSpillsAndCommits(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	big := randBytes(memStage + 1<<20) // past the in-memory limit: staged in a file
	u, err := s.BeginUpload(meta("big", time.Now()), []ArtifactInfo{{Name: "shot.png", MIME: "image/png", Size: int64(len(big)), SHA256: hashHex(big)}})
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(big); off += 1 << 20 {
		if _, err := u.Write("shot.png", int64(off), big[off:min(off+1<<20, len(big))]); err != nil {
			t.Fatal(err)
		}
	}
	if ents, _ := os.ReadDir(s.uploads); len(ents) != 1 {
		t.Fatalf("%d staging files, want 1 (spilled)", len(ents))
	}
	snap, _, err := u.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b := readAll(t, s, snap.ID, "shot.png"); !bytes.Equal(b, big) {
		t.Error("spilled artifact is not byte-identical")
	}
	if ents, _ := os.ReadDir(s.uploads); len(ents) != 0 {
		t.Errorf("%d staging files left after commit", len(ents))
	}
}

func TestJSONTimesKeepMilliseconds(t *testing.T) {
	at := time.Date(2026, 11, 30, 10, 2, 3, 690_000_000, time.FixedZone("CET", 3600))
	cases := []struct {
		name string
		v    any
		want []string
	}{
		{"event", Event{Seq: 1, At: at, Type: "warning.shown"}, []string{`"at":"2026-11-30T09:02:03.690Z"`}},
		{"snapshot", Snapshot{ID: "x", CapturedAt: at, StoredAt: at.Add(time.Second)},
			[]string{`"captured_at":"2026-11-30T09:02:03.690Z"`, `"stored_at":"2026-11-30T09:02:04.690Z"`}},
	}
	for _, c := range cases {
		b, err := json.Marshal(c.v)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s: %s lacks %s", c.name, b, w)
			}
		}
		if strings.Count(string(b), `"at"`)+strings.Count(string(b), `"captured_at"`) != 1 {
			t.Errorf("%s: duplicated time field in %s", c.name, b)
		}
	}
}

// A data folder whose path holds URI syntax ("#", "?", "%") opens that very
// file, with its pragmas: unescaped, SQLite would cut the path at "#" or "?".
func TestPathWithURISyntax(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a#b?c%41d")
	path := filepath.Join(dir, "ringfence.db")
	s, err := Open(ctx, path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SaveSnapshot(ctx, meta("x", time.Now()), nil); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("the database is not at %s: %v", path, err)
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; the pragmas were lost", mode, err)
	}
}
