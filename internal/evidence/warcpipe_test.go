package evidence

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pipeSource is many snapshots whose artifacts cross every size the
// pipeline treats differently: empty, smaller and larger than one stored
// block (65 535 bytes), larger than the test's in-flight budget and than
// its stream threshold, incompressible (PNG) and text.
func pipeSource(t testing.TB) *memSource {
	m := &memSource{}
	rng := rand.New(rand.NewPCG(7, 9))
	noise := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	for i := range 24 {
		s := Snapshot{ID: fmt.Sprintf("20261101T%06dZ-pipe%02d", i, i), URL: "https://chatgpt.com/#settings/Account",
			FinalURL: "https://chatgpt.com/#settings/Account", Title: "ChatGPT — Account",
			CapturedAt: base.Add(time.Duration(i) * time.Hour), StoredAt: base.Add(time.Duration(i)*time.Hour + time.Second),
			Trigger: "auto", Category: "account_status", Notes: map[string]string{}}
		files := map[string][]byte{
			"screenshot.png": append(testPNG(t, 64, 40, byte(i)), noise(rng.IntN(3*maxStored))...),
			"dom.html":       bytes.Repeat([]byte(fmt.Sprintf("<p>row %d</p>", i)), 1+rng.IntN(20000)),
			"text.txt":       []byte(strings.Repeat("Setting: on\n", i)), // empty for the first
			"settings.json":  []byte(fmt.Sprintf(`{"fields":[{"label":"Email","value":"u%d@example.com"}]}`, i)),
		}
		mimes := map[string]string{"screenshot.png": "image/png", "dom.html": "text/html", "text.txt": "text/plain", "settings.json": "application/json"}
		if i%5 == 2 {
			files["fullpage.png"] = noise(300_000) // over the stream threshold below
			mimes["fullpage.png"] = "image/png"
		}
		m.addSnapshot(t, s, files, mimes)
	}
	m.addEvent("warning.shown", "bench", "https://chatgpt.com/#settings/Account", base, `{}`)
	return m
}

// testRecordID is a WARC-Record-ID that depends only on the record, so two
// writers' outputs can be compared byte for byte.
func testRecordID(r warcRecord) (string, error) {
	h := sha256.Sum256([]byte(r.Type + "\n" + r.TargetURI + "\n" + r.Date.String() + "\n" + fmt.Sprint(r.Extra)))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:], nil
}

func writeTunedWACZ(t testing.TB, src Source, tune waczTuning) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	tune.recordID = testRecordID
	o := Options{SigningKey: testKey, HostVersion: "0.1.0-test", Now: kitTime, TempDir: t.TempDir(), wacz: tune}
	_, err := WriteWACZ(context.Background(), src, &buf, o)
	return buf.Bytes(), err
}

// The pipelined writer writes exactly what the serial one does (every
// record streamed by the writer, one after another), whatever its workers
// and budget; and every index entry lands on one gzip member that holds
// its record.
func TestWACZPipelineMatchesSerial(t *testing.T) {
	src := pipeSource(t)
	serial, err := writeTunedWACZ(t, src, waczTuning{workers: 1, streamOver: -1})
	if err != nil {
		t.Fatal(err)
	}
	want := kitFiles(t, serial)
	for _, tc := range []struct {
		name string
		tune waczTuning
	}{
		{"defaults", waczTuning{}},
		{"one worker", waczTuning{workers: 1}},
		{"tiny budget, large records streamed", waczTuning{workers: 3, budget: 100_000, streamOver: 200_000}},
		{"four workers", waczTuning{workers: 4, budget: 1 << 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := writeTunedWACZ(t, src, tc.tune)
			if err != nil {
				t.Fatal(err)
			}
			got := kitFiles(t, w)
			if len(got) != len(want) {
				t.Fatalf("%d files, the serial writer's has %d", len(got), len(want))
			}
			for name, b := range want {
				// The signature is randomized; its hash line is not.
				if name == WACZDigest {
					continue
				}
				if !bytes.Equal(got[name], b) {
					t.Errorf("%s differs from the serial writer's (%d vs %d bytes)", name, len(got[name]), len(b))
				}
			}
			v, kind, err := Verify(context.Background(), bytes.NewReader(w), int64(len(w)))
			if err != nil || kind != "wacz" || !v.OK() {
				t.Errorf("verify: %s, %v, %+v", kind, err, v)
			}
			checkIndexMembers(t, got)
		})
	}
}

// checkIndexMembers reads every CDXJ entry's byte range of the WARC as one
// gzip member and checks the record it holds; the ranges tile the WARC
// after its warcinfo record, so no member has anything after it.
func checkIndexMembers(t *testing.T, files map[string][]byte) {
	t.Helper()
	warc := files[WACZWarc]
	type span struct{ off, n int64 }
	var spans []span
	for _, l := range strings.Split(strings.TrimSpace(string(files[WACZIndex])), "\n") {
		var f cdxFields
		if err := json.Unmarshal([]byte(l[strings.IndexByte(l, '{'):]), &f); err != nil {
			t.Fatal(err)
		}
		off, _ := strconv.ParseInt(f.Offset, 10, 64)
		n, _ := strconv.ParseInt(f.Length, 10, 64)
		spans = append(spans, span{off, n})
		hdr, block := parseOneRecord(t, warc[off:off+n])
		sum := hex.EncodeToString(sha256Of(block))
		if hdr.Get("Warc-Target-Uri") != f.URL || hdr.Get("Warc-Block-Digest") != "sha256:"+sum || f.Digest != sum {
			t.Errorf("entry %s at %d: record %q, digest %s", f.URL, off, hdr.Get("Warc-Target-Uri"), hdr.Get("Warc-Block-Digest"))
		}
		// A PNG is stored, not squeezed again: the member is its bytes
		// plus headers and 5 bytes per stored block.
		if f.MIME == "image/png" && n > int64(len(block))+int64(len(block))/maxStored*5+1024 {
			t.Errorf("PNG %s: member of %d bytes for %d bytes of block", f.URL, n, len(block))
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].off < spans[j].off })
	info, _ := parseOneRecord(t, warc[:spans[0].off])
	if info.Get("Warc-Type") != "warcinfo" {
		t.Errorf("the WARC starts with a %s record", info.Get("Warc-Type"))
	}
	end := spans[0].off
	for _, s := range spans {
		if s.off != end {
			t.Errorf("a member starts at %d, the one before ends at %d", s.off, end)
		}
		end = s.off + s.n
	}
	if end != int64(len(warc)) {
		t.Errorf("the last member ends at %d, the WARC at %d", end, len(warc))
	}
}

func sha256Of(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// storedGzip's members read back, with their CRC and size, however the
// bytes arrive.
func TestStoredGzip(t *testing.T) {
	data := make([]byte, 3*maxStored+17)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, n := range []int{0, 1, maxStored - 1, maxStored, maxStored + 1, len(data)} {
		for _, chunk := range []int{1 << 30, 1000, maxStored} {
			var buf bytes.Buffer
			w := newStoredGzip(&buf)
			for p := data[:n]; len(p) > 0; {
				k := min(chunk, len(p))
				if _, err := w.Write(p[:k]); err != nil {
					t.Fatal(err)
				}
				p = p[k:]
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("%d bytes in %d: %v", n, chunk, err)
			}
			got, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(got, data[:n]) {
				t.Errorf("%d bytes in chunks of %d: read %d bytes, %v", n, chunk, len(got), err)
			}
			// 10 bytes of header, 5 per block (one per write, more when
			// a write is longer than a block), the final empty block, the
			// 8-byte trailer.
			blocks := 0
			for k := n; k > 0; k -= min(chunk, k) {
				blocks += (min(chunk, k) + maxStored - 1) / maxStored
			}
			if want := 10 + n + 5*blocks + 5 + 8; buf.Len() != want {
				t.Errorf("%d bytes in chunks of %d: %d bytes of gzip, want %d", n, chunk, buf.Len(), want)
			}
		}
	}
}

// failingSource fails to open one artifact, or returns one with other
// bytes than those recorded.
type failingSource struct {
	*memSource
	fail, damage string // "id/name"
}

func (f *failingSource) OpenArtifact(ctx context.Context, id, name string) (io.ReadCloser, error) {
	switch id + "/" + name {
	case f.fail:
		return nil, errors.New("disk on fire")
	case f.damage:
		rc, err := f.memSource.OpenArtifact(ctx, id, name)
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(rc)
		b[len(b)/2] ^= 1
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	return f.memSource.OpenArtifact(ctx, id, name)
}

// An artifact that cannot be read, or whose bytes are not the recorded
// ones, fails the export naming it, wherever it is in the pipeline.
func TestWACZPipelineFailures(t *testing.T) {
	src := pipeSource(t)
	for _, tc := range []struct {
		name string
		src  Source
		want string
	}{
		{"unreadable", &failingSource{memSource: src, fail: "20261101T000013Z-pipe13/dom.html"}, "snapshot 20261101T000013Z-pipe13: open dom.html: disk on fire"},
		{"damaged", &failingSource{memSource: src, damage: "20261101T000005Z-pipe05/screenshot.png"}, "the store is damaged"},
		{"damaged, streamed", &failingSource{memSource: src, damage: "20261101T000007Z-pipe07/fullpage.png"}, "the store is damaged"},
	} {
		for _, tune := range []waczTuning{{workers: 1, streamOver: -1}, {workers: 2, budget: 100_000, streamOver: 200_000}} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, tune.workers), func(t *testing.T) {
				_, err := writeTunedWACZ(t, tc.src, tune)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want %q", err, tc.want)
				}
			})
		}
	}
}

// storedSource hands artifacts over as the store keeps them: compressible
// ones of 512 bytes or more as compress/flate's raw stream at the fastest
// level (with a sync flush after the first 64 KiB of a large one, as the
// store's sampling makes), the rest as they are. streams replaces the
// stream of an artifact ("id/name").
type storedSource struct {
	*memSource
	streams map[string][]byte
}

func (s *storedSource) ArtifactStored(ctx context.Context, id, name string) ([]byte, bool, error) {
	if z, ok := s.streams[id+"/"+name]; ok {
		return z, true, nil
	}
	rc, err := s.OpenArtifact(ctx, id, name)
	if err != nil {
		return nil, false, err
	}
	b, _ := io.ReadAll(rc)
	mime := ""
	for _, sn := range s.snaps {
		for _, a := range sn.Artifacts {
			if sn.ID == id && a.Name == name {
				mime = a.MIME
			}
		}
	}
	if len(b) < 512 || !compressible(mime) {
		return b, false, nil
	}
	return deflateLikeTheStore(b), true, nil
}

func deflateLikeTheStore(b []byte) []byte {
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	if len(b) > 2*65536 {
		fw.Write(b[:65536])
		fw.Flush()
		b = b[65536:]
	}
	fw.Write(b)
	fw.Close()
	return z.Bytes()
}

// A deflated artifact's stream goes into its gzip member as the store
// keeps it (nothing compressed twice); the WACZ is the same whichever
// pipeline writes it, and verifies.
func TestWACZSplicesTheStoreStream(t *testing.T) {
	src := &storedSource{memSource: pipeSource(t)}
	serial, err := writeTunedWACZ(t, src, waczTuning{workers: 1, streamOver: -1})
	if err != nil {
		t.Fatal(err)
	}
	w, err := writeTunedWACZ(t, src, waczTuning{workers: 3, budget: 100_000, streamOver: 200_000})
	if err != nil {
		t.Fatal(err)
	}
	want, got := kitFiles(t, serial), kitFiles(t, w)
	for name, b := range want {
		if name != WACZDigest && !bytes.Equal(got[name], b) {
			t.Errorf("%s differs from the serial writer's", name)
		}
	}
	v, _, err := Verify(context.Background(), bytes.NewReader(w), int64(len(w)))
	if err != nil || !v.OK() {
		t.Fatalf("verify: %v, %+v", err, v)
	}
	checkIndexMembers(t, got)
	spliced := 0
	for _, s := range src.snaps {
		for _, a := range s.Artifacts {
			z, deflated, _ := src.ArtifactStored(context.Background(), s.ID, a.Name)
			if !deflated {
				continue
			}
			// All of the stream but its last block's header byte(s).
			if !bytes.Contains(got[WACZWarc], z[:len(z)-6]) {
				t.Errorf("%s/%s: its deflate stream is not in the WARC", s.ID, a.Name)
			}
			spliced++
		}
	}
	if spliced < 24 {
		t.Errorf("only %d deflated artifacts", spliced)
	}
}

// Streams that do not end as compress/flate ends them, or that seem to but
// do not, are inflated and compressed again; a stream of other bytes than
// those recorded fails the export.
func TestWACZUnusualStoreStreams(t *testing.T) {
	base := pipeSource(t)
	const id = "20261101T000003Z-pipe03"
	dom := base.blobs[id+"/dom.html"]
	// One final stored block: ends in its data, not in 00 00 ff ff.
	final := appendStored(nil, string(dom[:1000]), true)
	// Ends in 05 00 00 ff ff as data: finalBit finds a "BFINAL" in it.
	lookalike := appendStored(nil, "\x05\x00\x00\xff\xff", true)
	// Compressed like the store, but of other bytes.
	other := bytes.Clone(dom)
	other[0] ^= 1
	for _, tc := range []struct {
		name    string
		art     string
		payload []byte // the artifact's bytes
		z       []byte
		want    string // "" = intact
	}{
		{"one final data block", "dom.html", dom[:1000], final, ""},
		{"a look-alike tail", "text.txt", []byte("\x05\x00\x00\xff\xff"), lookalike, ""},
		{"other bytes", "dom.html", dom, deflateLikeTheStore(other), "the store is damaged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &memSource{blobs: map[string][]byte{}, events: base.events}
			for _, s := range base.snaps {
				files, mimes := map[string][]byte{}, map[string]string{}
				for _, a := range s.Artifacts {
					files[a.Name], mimes[a.Name] = base.blobs[s.ID+"/"+a.Name], a.MIME
				}
				if s.ID == id {
					files[tc.art] = tc.payload
				}
				s.Artifacts = nil
				m.addSnapshot(t, s, files, mimes)
			}
			src := &storedSource{memSource: m, streams: map[string][]byte{id + "/" + tc.art: tc.z}}
			w, err := writeTunedWACZ(t, src, waczTuning{})
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			v, _, err := Verify(context.Background(), bytes.NewReader(w), int64(len(w)))
			if err != nil || !v.OK() {
				t.Fatalf("verify: %v, %+v", err, v)
			}
			checkIndexMembers(t, kitFiles(t, w))
		})
	}
}

// splice takes compress/flate's streams of any length as they are and
// leaves every other stream to the long way, writing nothing.
func TestSplice(t *testing.T) {
	text := []byte(strings.Repeat("Improve the model for everyone: on\n", 5000))
	tail := []byte("\x05\x00\x00\xff\xff")
	for _, tc := range []struct {
		name    string
		payload []byte
		z       []byte
		found   bool // finalBit finds a BFINAL to clear
		ok      bool
	}{
		{"flate, short", text[:600], deflateLikeTheStore(text[:600]), true, true},
		{"flate, with a sync flush", text, deflateLikeTheStore(text), true, true},
		{"flate, one byte", text[:1], deflateLikeTheStore(text[:1]), true, true},
		{"one final data block", text[:600], appendStored(nil, string(text[:600]), true), false, false},
		{"a look-alike tail", tail, appendStored(nil, string(tail), true), true, false},
		{"other bytes", append([]byte{'i'}, text[1:600]...), deflateLikeTheStore(text[:600]), true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, found := finalBit(tc.z); found != tc.found {
				t.Errorf("finalBit found %v, want %v", found, tc.found)
			}
			rec := warcRecord{Type: "resource", TargetURI: "https://chatgpt.com/", ContentType: "text/html",
				Length: int64(len(tc.payload)), SHA256: hex.EncodeToString(sha256Of(tc.payload))}
			e := recordEncoder{recordID: testRecordID}
			var member bytes.Buffer
			tee := &capBuffer{limit: 1 << 20}
			ok, err := e.splice(&member, rec, tc.z, tee)
			if err != nil || ok != tc.ok {
				t.Fatalf("splice: %v, %v; want ok %v", ok, err, tc.ok)
			}
			if !ok {
				if member.Len() != 0 || len(tee.buf) != 0 || tee.total != 0 {
					t.Errorf("wrote %d bytes and teed %d", member.Len(), tee.total)
				}
				return
			}
			if !bytes.Equal(tee.buf, tc.payload) {
				t.Errorf("teed %d bytes, want the %d of the block", len(tee.buf), len(tc.payload))
			}
			hdr, block := parseOneRecord(t, member.Bytes())
			if !bytes.Equal(block, tc.payload) || hdr.Get("Warc-Target-Uri") != rec.TargetURI {
				t.Errorf("the member holds %q with %d bytes", hdr.Get("Warc-Target-Uri"), len(block))
			}
		})
	}
}

// The zip kit takes a deflated artifact's stream as the store keeps it as
// the entry's data; unzip and sha256sum accept the kit, and ringfence
// verify does; a stream of other bytes, or one that does not inflate,
// fails the export.
func TestKitTakesTheStoreStream(t *testing.T) {
	base := pipeSource(t)
	src := &storedSource{memSource: base}
	kit := writeTestKit(t, src, Filter{})
	if v := verifyBytes(t, kit); !v.OK() {
		t.Fatalf("verify: %v", v.Problems)
	}
	zr, err := zip.NewReader(bytes.NewReader(kit), int64(len(kit)))
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		entries[f.Name] = f
	}
	raw := 0
	for _, s := range base.snaps {
		for _, a := range s.Artifacts {
			z, deflated, _ := src.ArtifactStored(context.Background(), s.ID, a.Name)
			f := entries[SnapshotDir(s.ID)+a.Name]
			if !deflated || f == nil {
				continue
			}
			rc, err := f.OpenRaw()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			if !bytes.Equal(b, z) || !f.Modified.Equal(kitTime) {
				t.Errorf("%s: %d raw bytes (the store's stream has %d), modified %v", f.Name, len(b), len(z), f.Modified)
			}
			raw++
		}
	}
	if raw < 24 {
		t.Errorf("only %d entries took the store's stream", raw)
	}
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "kit.zip")
	if err := os.WriteFile(zipPath, kit, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("unzip", "-q", zipPath, "-d", filepath.Join(dir, "kit")).CombinedOutput(); err != nil {
		t.Fatalf("unzip: %v\n%s", err, b)
	}
	cmd := exec.Command("sha256sum", "--strict", "-c", "SHA256SUMS")
	cmd.Dir = filepath.Join(dir, "kit")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, b)
	}

	const id = "20261101T000004Z-pipe04"
	other := bytes.Clone(base.blobs[id+"/dom.html"])
	other[len(other)/2] ^= 1
	for _, tc := range []struct {
		name, want string
		z          []byte
	}{
		{"other bytes", "differ from those recorded", deflateLikeTheStore(other)},
		{"not a deflate stream", "corrupt input", []byte("not deflate at all")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := &storedSource{memSource: base, streams: map[string][]byte{id + "/dom.html": tc.z}}
			var buf bytes.Buffer
			_, err := WriteKit(context.Background(), bad, &buf, Options{SigningKey: testKey, HostVersion: "0.1.0-test", Now: kitTime, TempDir: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
