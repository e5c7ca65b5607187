package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func writeTestWACZ(t testing.TB, src Source) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := WriteWACZ(context.Background(), src, &buf, Options{SigningKey: testKey, HostVersion: "0.1.0-test", Now: kitTime, TempDir: t.TempDir()}); err != nil {
		t.Fatalf("WriteWACZ: %v", err)
	}
	return buf.Bytes()
}

func TestWACZStructure(t *testing.T) {
	src := demoSource(t)
	w := writeTestWACZ(t, src)
	zr, err := zip.NewReader(bytes.NewReader(w), int64(len(w)))
	if err != nil {
		t.Fatal(err)
	}
	files := kitFiles(t, w)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == WACZWarc && f.Method != zip.Store {
			t.Errorf("%s is compressed in the zip; WACZ requires STORE", f.Name)
		}
	}
	sort.Strings(names)
	want := []string{WACZWarc, WACZDigest, WACZDataPackage, WACZIndex, WACZPages, WACZReport, WACZEvents, WACZChecklist}
	for _, id := range []string{"20261120T090000Z-aaaaaa", "20261121T090000Z-bbbbbb", "20261122T090000Z-cccccc"} {
		want = append(want, "ringfence/snapshots/"+id+"/meta.json", "ringfence/snapshots/"+id+"/settings.json", "ringfence/thumbnails/"+id+".jpg")
	}
	sort.Strings(want)
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("entries = %v, want %v", names, want)
	}

	// datapackage.json: profile, version, every resource's hash and size.
	var dp DataPackage
	if err := json.Unmarshal(files[WACZDataPackage], &dp); err != nil {
		t.Fatal(err)
	}
	// Every file but the two datapackage files is a listed resource.
	if dp.Profile != "data-package" || dp.WACZVersion != "1.1.1" || len(dp.Resources) != len(want)-2 {
		t.Fatalf("datapackage = %+v", dp)
	}
	if dp.Ringfence == nil || dp.Ringfence.EventChain == nil || dp.Ringfence.EventChain.Count != 4 {
		t.Errorf("datapackage.json ringfence = %+v, want the 4-event chain", dp.Ringfence)
	}
	// The whole event log, the checklist and the report travel with it.
	if n := strings.Count(string(files[WACZEvents]), "\n"); n != 4 {
		t.Errorf("%s has %d events, want 4", WACZEvents, n)
	}
	report := string(files[WACZReport])
	for _, w := range []string{"The user chose not to continue", `src="thumbnails/20261120T090000Z-aaaaaa.jpg"`, "ringfence verify FILE.wacz --expect-fingerprint " + testFingerprint(t)} {
		if !strings.Contains(report, w) {
			t.Errorf("%s lacks %q", WACZReport, w)
		}
	}
	if !strings.Contains(string(files[WACZChecklist]), `"category": "uploads"`) {
		t.Errorf("%s:\n%s", WACZChecklist, files[WACZChecklist])
	}
	for _, r := range dp.Resources {
		sum := sha256.Sum256(files[r.Path])
		if r.Hash != "sha256:"+hex.EncodeToString(sum[:]) || r.Bytes != int64(len(files[r.Path])) {
			t.Errorf("resource %s: hash/bytes %s/%d do not match the file", r.Path, r.Hash, r.Bytes)
		}
	}

	// datapackage-digest.json: the hash, and the signature with a standard
	// ECDSA verifier (P-384, SHA-256 over the hash string, raw r‖s).
	var d DataPackageDigest
	if err := json.Unmarshal(files[WACZDigest], &d); err != nil {
		t.Fatal(err)
	}
	dsum := sha256.Sum256(files[WACZDataPackage])
	if d.Path != "datapackage.json" || d.Hash != "sha256:"+hex.EncodeToString(dsum[:]) {
		t.Errorf("digest = %+v", d)
	}
	spki, _ := base64.StdEncoding.DecodeString(d.SignedData.PublicKey)
	k, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.(*ecdsa.PublicKey)
	if pub.Curve.Params().BitSize != 384 {
		t.Errorf("curve %s, want P-384", pub.Curve.Params().Name)
	}
	sig, _ := base64.StdEncoding.DecodeString(d.SignedData.Signature)
	if len(sig) != 96 {
		t.Fatalf("signature is %d bytes, want 96 (r‖s)", len(sig))
	}
	h := sha256.Sum256([]byte(d.SignedData.Hash))
	if !ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])) {
		t.Error("signature does not verify")
	}
	h2 := sha256.Sum256([]byte(d.SignedData.Hash + "x"))
	if ecdsa.Verify(pub, h2[:], new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])) {
		t.Error("signature verifies for another message")
	}
	// The key is stable per signing key (derived), so a reviewer can pin it.
	w2 := writeTestWACZ(t, src)
	var d2 DataPackageDigest
	json.Unmarshal(kitFiles(t, w2)[WACZDigest], &d2)
	if d2.SignedData.PublicKey != d.SignedData.PublicKey {
		t.Error("WACZ public key changes between exports")
	}

	// indexes/index.cdx: sorted, and each line's offset/length is one gzip
	// member holding a record with that URI and digest.
	warc := files[WACZWarc]
	lines := strings.Split(strings.TrimSpace(string(files[WACZIndex])), "\n")
	if len(lines) != 12 {
		t.Errorf("%d index lines, want 12 (3 snapshots × 4 artifacts)", len(lines))
	}
	if !sort.SliceIsSorted(lines, func(i, j int) bool { return lines[i] < lines[j] }) {
		t.Error("CDXJ is not sorted")
	}
	var sawDOM, sawView bool
	for _, l := range lines {
		parts := strings.SplitN(l, " ", 3)
		var e map[string]string
		if err := json.Unmarshal([]byte(parts[2]), &e); err != nil {
			t.Fatal(err)
		}
		off, _ := strconv.Atoi(e["offset"])
		n, _ := strconv.Atoi(e["length"])
		hdr, block := parseOneRecord(t, warc[off:off+n])
		if hdr.Get("Warc-Type") != "resource" || hdr.Get("Warc-Target-Uri") != e["url"] {
			t.Errorf("record at %d: %v, index says %s", off, hdr, e["url"])
		}
		bs := sha256.Sum256(block)
		if e["digest"] != hex.EncodeToString(bs[:]) || e["status"] != "" {
			t.Errorf("record at %d: digest mismatch", off)
		}
		if e["url"] == "https://platform.openai.com/api-keys" {
			sawDOM = parts[0] == "com,openai,platform)/api-keys" && e["mime"] == "text/html" &&
				bytes.Equal(block, src.blobs["20261122T090000Z-cccccc/dom.html"])
		}
		if e["url"] == "urn:view:https://chatgpt.com/" && e["mime"] == "image/png" {
			sawView = true
		}
	}
	if !sawDOM || !sawView {
		t.Errorf("DOM resource at its URL: %v; urn:view: screenshot: %v\n%s", sawDOM, sawView, files[WACZIndex])
	}

	// pages.jsonl: header then one page per snapshot.
	pl := strings.Split(strings.TrimSpace(string(files[WACZPages])), "\n")
	if len(pl) != 4 || !strings.Contains(pl[0], `"json-pages-1.0"`) || !strings.Contains(pl[1], `"url":"https://platform.openai.com/api-keys"`) {
		t.Errorf("pages.jsonl:\n%s", files[WACZPages])
	}
	// Settings tabs keep their fragment and have titles that differ.
	for _, w := range []string{`"url":"https://chatgpt.com/#settings/Account"`, `"url":"https://chatgpt.com/#settings/DataControls"`,
		`"title":"ChatGPT — Account"`, `"title":"ChatGPT — Data controls"`} {
		if !strings.Contains(string(files[WACZPages]), w) {
			t.Errorf("pages.jsonl lacks %s:\n%s", w, files[WACZPages])
		}
	}

	v, kind, err := Verify(context.Background(), bytes.NewReader(w), int64(len(w)))
	if err != nil || kind != "wacz" || !v.OK() {
		t.Fatalf("Verify = %v %s %v", v, kind, err)
	}
	// One identity: the WACZ names the same fingerprint as a kit.
	if v.Fingerprint != testFingerprint(t) || v.Events != 4 {
		t.Errorf("WACZ fingerprint %s, events %d; want %s, 4", v.Fingerprint, v.Events, testFingerprint(t))
	}
}

func TestPageTitle(t *testing.T) {
	for _, c := range []struct{ title, url, want string }{
		{"ChatGPT", "https://chatgpt.com/#settings/Account", "ChatGPT — Settings › Account"},
		{"ChatGPT", "https://chatgpt.com/#settings/DataControls", "ChatGPT — Settings › Data Controls"},
		{"ChatGPT — Account", "https://chatgpt.com/#settings/Account", "ChatGPT — Account"},
		{"API keys", "https://platform.openai.com/api-keys", "API keys"},
		{"", "https://chatgpt.com/#settings/data-controls", "Settings › Data controls"},
	} {
		if got := pageTitle(Snapshot{Title: c.title, URL: c.url}); got != c.want {
			t.Errorf("pageTitle(%q, %q) = %q, want %q", c.title, c.url, got, c.want)
		}
	}
}

// A WACZ unzipped and zipped again with Info-ZIP, stored (zip -r -0), has
// the same bytes in every file (plus directory entries): it verifies.
func TestRepackedWACZVerifies(t *testing.T) {
	if _, err := exec.LookPath("zip"); err != nil {
		t.Fatal("zip is needed: apt-get install -y zip")
	}
	if _, err := exec.LookPath("unzip"); err != nil {
		t.Fatal("unzip is needed: apt-get install -y unzip")
	}
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.wacz")
	if err := os.WriteFile(orig, writeTestWACZ(t, demoSource(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	un := filepath.Join(dir, "un")
	if out, err := exec.Command("unzip", "-q", orig, "-d", un).CombinedOutput(); err != nil {
		t.Fatalf("unzip: %v\n%s", err, out)
	}
	cmd := exec.Command("zip", "-q", "-r", "-0", "../repacked.wacz", ".")
	cmd.Dir = un
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("zip: %v\n%s", err, out)
	}
	v, kind, err := VerifyFile(context.Background(), filepath.Join(dir, "repacked.wacz"))
	if err != nil || kind != "wacz" || !v.OK() {
		t.Fatalf("repacked WACZ: %v %s %+v", err, kind, v)
	}
	if v.Fingerprint != testFingerprint(t) {
		t.Errorf("fingerprint %s", v.Fingerprint)
	}
}

func parseOneRecord(t testing.TB, member []byte) (textproto.MIMEHeader, []byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(member))
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(bytes.NewReader(raw))
	if l, _ := br.ReadString('\n'); l != "WARC/1.1\r\n" {
		t.Fatalf("record starts %q", l)
	}
	h, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(h.Get("Content-Length"))
	block := make([]byte, n)
	io.ReadFull(br, block)
	rest, _ := io.ReadAll(br)
	if string(rest) != "\r\n\r\n" {
		t.Errorf("record ends %q, want CRLF CRLF", rest)
	}
	return h, block
}

func TestWACZTampering(t *testing.T) {
	w := writeTestWACZ(t, demoSource(t))
	cases := []struct {
		name     string
		edit     func(f map[string][]byte, o []string) []string
		wantFile string
	}{
		{"byte in the WARC", func(f map[string][]byte, o []string) []string {
			b := bytes.Clone(f[WACZWarc])
			b[len(b)/2] ^= 1
			f[WACZWarc] = b
			return o
		}, WACZWarc},
		{"index reordered", func(f map[string][]byte, o []string) []string {
			l := strings.Split(strings.TrimSpace(string(f[WACZIndex])), "\n")
			l[0], l[len(l)-1] = l[len(l)-1], l[0]
			f[WACZIndex] = []byte(strings.Join(l, "\n") + "\n")
			return o
		}, WACZIndex},
		{"datapackage edited", func(f map[string][]byte, o []string) []string {
			f[WACZDataPackage] = bytes.Replace(f[WACZDataPackage], []byte("Ringfence evidence"), []byte("Ringfence evidencE"), 1)
			return o
		}, WACZDataPackage},
		{"added file", func(f map[string][]byte, o []string) []string {
			f["extra.txt"] = []byte("x")
			return append(o, "extra.txt")
		}, "extra.txt"},
		{"signature swapped", func(f map[string][]byte, o []string) []string {
			var d DataPackageDigest
			json.Unmarshal(f[WACZDigest], &d)
			sig, _ := base64.StdEncoding.DecodeString(d.SignedData.Signature)
			sig[5] ^= 1
			d.SignedData.Signature = base64.StdEncoding.EncodeToString(sig)
			f[WACZDigest], _ = json.Marshal(d)
			return o
		}, WACZDigest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := rezipStored(t, w, c.edit)
			v, _, err := Verify(context.Background(), bytes.NewReader(bad), int64(len(bad)))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range v.Problems {
				if p.File == c.wantFile {
					return
				}
			}
			t.Errorf("no problem names %s: %v", c.wantFile, v.Problems)
		})
	}
}

// rezipStored is rezip keeping the WARC stored, as a WACZ needs.
func rezipStored(t testing.TB, w []byte, edit func(map[string][]byte, []string) []string) []byte {
	t.Helper()
	zr, _ := zip.NewReader(bytes.NewReader(w), int64(len(w)))
	var order []string
	for _, f := range zr.File {
		order = append(order, f.Name)
	}
	files := kitFiles(t, w)
	order = edit(files, order)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, n := range order {
		fw, _ := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		fw.Write(files[n])
	}
	zw.Close()
	return out.Bytes()
}

func TestSURT(t *testing.T) {
	for in, want := range map[string]string{
		"https://chatgpt.com/":                         "com,chatgpt)/",
		"https://www.Example.com/A/b?z=1&a=2":          "com,example)/a/b?a=2&z=1",
		"https://platform.openai.com:8443/api-keys":    "com,openai,platform:8443)/api-keys",
		"urn:view:https://chatgpt.com/":                "urn:view:https://chatgpt.com/",
		"https://platform.openai.com/settings/org/bil": "com,openai,platform)/settings/org/bil",
	} {
		if got := SURT(in); got != want {
			t.Errorf("SURT(%q) = %q, want %q", in, got, want)
		}
	}
}

// A page URL with a newline (or any control character) must not end its
// WARC header line and inject another header, nor split a CDXJ line.
func TestWARCHeaderInjection(t *testing.T) {
	m := &memSource{}
	evil := "https://chatgpt.com/x\r\nWARC-Injected: yes\nX-Evil: 1 two"
	s := Snapshot{ID: "20261120T090000Z-dddddd", URL: evil, FinalURL: evil, Title: "t",
		CapturedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), Trigger: "button", Category: "other"}
	m.addSnapshot(t, s, map[string][]byte{"dom.html": []byte("<p>x</p>"), "text.txt": []byte("x")},
		map[string]string{"dom.html": "text/html", "text.txt": "text/plain"})
	w := writeTestWACZ(t, m)
	files := kitFiles(t, w)
	zr, err := gzip.NewReader(bytes.NewReader(files[WACZWarc]))
	if err != nil {
		t.Fatal(err)
	}
	warc, _ := io.ReadAll(zr)
	for _, bad := range []string{"\r\nWARC-Injected", "\nWARC-Injected", "\nX-Evil"} {
		if bytes.Contains(warc, []byte(bad)) {
			t.Errorf("WARC has an injected header line %q", bad)
		}
	}
	if !bytes.Contains(warc, []byte("WARC-Target-URI: https://chatgpt.com/x%0D%0AWARC-Injected:%20yes%0AX-Evil:%201%20two\r\n")) {
		t.Errorf("target URI not percent-encoded:\n%s", warc[:min(len(warc), 1500)])
	}
	for _, line := range strings.Split(strings.TrimSpace(string(files[WACZIndex])), "\n") {
		if !strings.HasPrefix(line, "com,chatgpt)/") && !strings.HasPrefix(line, "urn:") {
			t.Errorf("CDXJ line split: %q", line)
		}
		var f map[string]string
		parts := strings.SplitN(line, " ", 3)
		if len(parts) != 3 || json.Unmarshal([]byte(parts[2]), &f) != nil {
			t.Errorf("CDXJ line %q is not <key> <ts> {json}", line)
		}
	}
	if v, _, err := Verify(context.Background(), bytes.NewReader(w), int64(len(w))); err != nil || len(v.Problems) != 0 {
		t.Fatalf("verify: %v %+v", err, v)
	}
}

// thumbSource is demoSource with the store's cached thumbnails: a marker
// JPEG per screenshot hash, so a kit shows whether the cache was used.
type thumbSource struct {
	*memSource
	asked atomic.Int64 // the WACZ export asks from its workers
}

func (t *thumbSource) Thumbnail(_ context.Context, sha string) ([]byte, error) {
	t.asked.Add(1)
	return []byte("cached-thumbnail-of-" + sha), nil
}

// Both kit formats take the store's thumbnail instead of decoding the PNG
// (decoding was most of a WACZ export's CPU).
func TestKitsUseCachedThumbnails(t *testing.T) {
	for _, format := range []struct {
		name   string
		write  func(testing.TB, Source) []byte
		prefix string
	}{
		{"zip", func(t testing.TB, src Source) []byte { return writeTestKit(t, src, Filter{}) }, ""},
		{"wacz", writeTestWACZ, WACZExtraDir},
	} {
		t.Run(format.name, func(t *testing.T) {
			src := &thumbSource{memSource: demoSource(t)}
			files := kitFiles(t, format.write(t, src))
			snaps, err := src.Snapshots(context.Background(), Filter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range snaps {
				shot := screenshotIndex(s)
				got := string(files[format.prefix+thumbPath(s.ID)])
				if want := "cached-thumbnail-of-" + s.Artifacts[shot].SHA256; got != want {
					t.Errorf("%s: thumbnail %q, want the cached %q", s.ID, got, want)
				}
			}
			if n := src.asked.Load(); n != int64(len(snaps)) {
				t.Errorf("asked for %d cached thumbnails, want %d", n, len(snaps))
			}
		})
	}
}
