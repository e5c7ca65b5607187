package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/benchdata"
)

// BenchmarkIngest is the upload path: stage in chunks, verify, seal, commit.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "x.db"), testKey(1))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.SetBytes(2 << 20)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		shot, dom := benchdata.Snapshot()
		var decls []ArtifactInfo
		for _, p := range []struct {
			n string
			d []byte
		}{{"dom.html", dom}, {"shot.png", shot}} {
			h := sha256.Sum256(p.d)
			decls = append(decls, ArtifactInfo{Name: p.n, MIME: map[string]string{"dom.html": "text/html", "shot.png": "image/png"}[p.n], Size: int64(len(p.d)), SHA256: hex.EncodeToString(h[:])})
		}
		b.StartTimer()
		u, err := s.BeginUpload(Snapshot{URL: "u", CapturedAt: time.Now(), Trigger: "auto"}, decls)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range []struct {
			n string
			d []byte
		}{{"dom.html", dom}, {"shot.png", shot}} {
			for off := 0; off < len(p.d); off += 512 << 10 {
				u.Write(p.n, int64(off), p.d[off:min(off+512<<10, len(p.d))])
			}
		}
		if _, _, err := u.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawInsert(b *testing.B) {
	db, _ := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "raw.db")+"?_busy_timeout=15000&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate")
	defer db.Close()
	db.Exec(`CREATE TABLE raw (id INTEGER PRIMARY KEY, name TEXT, data BLOB)`)
	b.SetBytes(2 << 20)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		shot, dom := benchdata.Snapshot()
		b.StartTimer()
		tx, _ := db.Begin()
		tx.Exec(`INSERT INTO raw (name, data) VALUES (?, ?)`, "shot", shot)
		tx.Exec(`INSERT INTO raw (name, data) VALUES (?, ?)`, "dom", dom)
		tx.Commit()
	}
}
