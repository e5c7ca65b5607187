package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/thumb"
)

func TestBufPool(t *testing.T) {
	tests := []struct {
		name    string
		put     []int // capacities handed back, in order
		get     int
		wantCap int // 0: a new slice
		held    int // bytes pooled after the get
	}{
		{"empty pool allocates", nil, 100, 0, 0},
		{"smallest that fits", []int{300, 120, 1000}, 100, 120, 1300},
		{"none fits", []int{50, 60}, 100, 0, 110},
		{"oversized never pooled", []int{poolMaxBytes + 1}, 10, 0, 0},
		{"count bound drops the oldest", []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, 2, 2, 3 + 4 + 5 + 6 + 7 + 8 + 9},
		{"byte bound drops the oldest", []int{poolMaxBytes / 2, poolMaxBytes / 2, 10}, 1, 10, poolMaxBytes / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p bufPool
			defer p.drop()
			for _, c := range tt.put {
				p.put(make([]byte, 0, c))
			}
			b := p.get(tt.get)
			if len(b) != 0 || cap(b) < tt.get || (tt.wantCap != 0 && cap(b) != tt.wantCap) {
				t.Fatalf("get(%d): len %d cap %d, want cap %d", tt.get, len(b), cap(b), tt.wantCap)
			}
			if tt.wantCap == 0 && cap(b) != tt.get {
				t.Fatalf("get(%d) reused a buffer of cap %d from an unfit pool", tt.get, cap(b))
			}
			if h := p.held(); h != tt.held {
				t.Fatalf("held %d, want %d", h, tt.held)
			}
			p.drop()
			if p.held() != 0 {
				t.Fatal("drop kept buffers")
			}
		})
	}
}

// testPNG encodes a distinct, real screenshot for seed.
func testPNG(t *testing.T, seed int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 640, 400))
	for i := range img.Pix {
		img.Pix[i] = byte(i*seed + seed)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestPooledBuffersNeverLeakBetweenSnapshots: back-to-back uploads reuse
// staging and sealing memory (the pool), chunks are hashed in the
// background from the staged copy (never from the caller's buffer, reused
// at once), and the thumbnail of each
// screenshot is made after its commit from a buffer the pool gets back only
// then. Every artifact must read back as sent and every thumbnail must be
// the one of its own screenshot, however the uploads interleave with the
// thumbnails still being made.
func TestPooledBuffersNeverLeakBetweenSnapshots(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	type sent struct {
		id    string
		parts map[string][]byte
	}
	var all []sent
	for i := 1; i <= 6; i++ {
		parts := map[string][]byte{
			"screenshot.png": testPNG(t, i),
			"dom.html":       []byte(strings.Repeat(fmt.Sprintf("<div>row %d</div>", i), 20000)),
			"settings.json":  []byte(fmt.Sprintf(`{"api_keys":[%s]}`, strings.TrimSuffix(strings.Repeat(`{"name":"k"},`, i), ","))),
			"random.bin":     randBytes(300 << 10),
		}
		mimes := map[string]string{"screenshot.png": "image/png", "dom.html": "text/html", "settings.json": "application/json",
			"random.bin": "application/octet-stream"}
		var decls []ArtifactInfo
		for _, name := range []string{"dom.html", "random.bin", "screenshot.png", "settings.json"} {
			h := sha256.Sum256(parts[name])
			decls = append(decls, ArtifactInfo{Name: name, MIME: mimes[name], Size: int64(len(parts[name])), SHA256: hex.EncodeToString(h[:])})
		}
		u, err := s.BeginUpload(meta(fmt.Sprint("shot ", i), time.Now()), decls)
		if err != nil {
			t.Fatal(err)
		}
		// Chunks arrive in one scratch buffer that is scribbled over as
		// soon as Write returns, as the protocol's decode buffer is.
		scratch := make([]byte, 100<<10)
		for _, d := range decls {
			data := parts[d.Name]
			for off := 0; off < len(data); off += 100 << 10 {
				n := copy(scratch, data[off:min(off+100<<10, len(data))])
				if _, err := u.Write(d.Name, int64(off), scratch[:n]); err != nil {
					t.Fatal(err)
				}
				for k := range scratch {
					scratch[k] = 0xAA
				}
			}
		}
		snap, _, err := u.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if snap.APIKeyCount == nil || *snap.APIKeyCount != i {
			t.Fatalf("snapshot %d: api_key_count %v", i, snap.APIKeyCount)
		}
		all = append(all, sent{snap.ID, parts})
	}
	s.thumbs.Wait()
	if s.bufs.held() == 0 {
		t.Error("nothing came back to the pool: the test does not exercise reuse")
	}
	for _, sn := range all {
		for name, want := range sn.parts {
			if got := readAll(t, s, sn.id, name); !bytes.Equal(got, want) {
				t.Fatalf("snapshot %s: %s reads back different bytes", sn.id, name)
			}
		}
		want, err := thumb.Make(sn.parts["screenshot.png"])
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Thumbnail(ctx, hashHex(sn.parts["screenshot.png"]))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("snapshot %s: the thumbnail is not its screenshot's (%v)", sn.id, err)
		}
	}
}
