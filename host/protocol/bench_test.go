package protocol

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"testing"

	"github.com/ringfence/ringfence/host/store"
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
