package protocol

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"testing"

	"github.com/ringfence/ringfence/internal/store"
)

// BenchmarkSnapshot2MB runs a 2 MB snapshot (begin, chunks, commit) through
// Handle, as frames, the way the host process does.
func BenchmarkSnapshot2MB(b *testing.B) {
	s := NewServer(newStore(b, store.Options{}), nil, testKeys)
	ctx := context.Background()
	b.SetBytes(2 << 20)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		data := make([]byte, 2<<20)
		rand.Read(data)
		frames := [][]byte{mustJSON(Request{ID: "1", Type: "snapshot.begin", Body: mustJSON(map[string]any{"meta": metaJSON(),
			"artifacts": []map[string]any{{"name": "shot.png", "mime": "image/png", "size": len(data), "sha256": sum(data)}}})})}
		for off := 0; off < len(data); off += ChunkSize {
			frames = append(frames, mustJSON(Request{ID: "2", Type: "snapshot.chunk", Body: mustJSON(map[string]any{
				"upload_id": "u-" + itoa(i+1), "artifact": "shot.png", "offset": off, "data": data[off : off+ChunkSize]})}))
		}
		frames = append(frames, mustJSON(Request{ID: "3", Type: "snapshot.commit", Body: mustJSON(map[string]any{"upload_id": "u-" + itoa(i+1)})}))
		b.StartTimer()
		for _, f := range frames {
			var r ReplyOf
			json.Unmarshal(s.Handle(ctx, f), &r)
			if !r.OK {
				b.Fatal(r.Error)
			}
		}
	}
}

func itoa(i int) string { return string(mustJSON(i)) }

// BenchmarkServe2MB is BenchmarkSnapshot2MB through Serve and a Client over
// OS pipes, as between a browser and the host process.
func BenchmarkServe2MB(b *testing.B) {
	s := NewServer(newStore(b, store.Options{}), nil, testKeys)
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	go s.Serve(context.Background(), inR, outW)
	c := NewClient(inW, outR)
	b.SetBytes(2 << 20)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		shot := make([]byte, 1600<<10)
		rand.Read(shot)
		dom := make([]byte, 400<<10)
		rand.Read(dom)
		b.StartTimer()
		if _, err := c.UploadSnapshot(context.Background(), metaJSON(), []Artifact{{"shot.png", "image/png", shot}, {"dom.html", "text/html", dom}}, 0); err != nil {
			b.Fatal(err)
		}
	}
	inW.Close()
}
