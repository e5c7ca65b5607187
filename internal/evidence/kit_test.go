package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

var kitTime = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func writeTestKit(t testing.TB, src Source, f Filter) []byte {
	t.Helper()
	var buf bytes.Buffer
	_, err := WriteKit(context.Background(), src, &buf, Options{
		Filter: f, SigningKey: testKey, HostVersion: "0.1.0-test", Now: kitTime, TempDir: t.TempDir(),
	})
	if err != nil {
		t.Fatalf("WriteKit: %v", err)
	}
	return buf.Bytes()
}

func verifyBytes(t testing.TB, kit []byte) *Verification {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(kit), int64(len(kit)))
	if err != nil {
		t.Fatalf("open kit: %v", err)
	}
	v, err := VerifyKit(context.Background(), zr)
	if err != nil {
		t.Fatalf("VerifyKit: %v", err)
	}
	return v
}

func kitFiles(t testing.TB, kit []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(kit), int64(len(kit)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}

// rezip rebuilds a kit, letting edit change, drop (nil) or add entries, the
// way someone tampering with an unzipped kit would.
func rezip(t testing.TB, kit []byte, edit func(files map[string][]byte, order []string) []string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(kit), int64(len(kit)))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, f := range zr.File {
		order = append(order, f.Name)
	}
	files := kitFiles(t, kit)
	order = edit(files, order)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, name := range order {
		b, ok := files[name]
		if !ok || b == nil {
			continue
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestExportThenVerify(t *testing.T) {
	src := demoSource(t)
	kit := writeTestKit(t, src, Filter{})
	v := verifyBytes(t, kit)
	if !v.OK() {
		t.Fatalf("fresh kit has problems: %v", v.Problems)
	}
	if v.Snapshots != 3 || v.Events != 4 || v.Fingerprint != testFingerprint(t) {
		t.Errorf("verification = %+v", v)
	}
	files := kitFiles(t, kit)
	for _, want := range []string{
		"index.html", "events.jsonl", "manifest.json", "manifest.json.sig", "public-key.pem", "SHA256SUMS",
		"snapshots/20261122T090000Z-cccccc/screenshot.png", "snapshots/20261122T090000Z-cccccc/meta.json",
		"snapshots/20261120T090000Z-aaaaaa/settings.json", "thumbnails/20261121T090000Z-bbbbbb.jpg",
	} {
		if _, ok := files[want]; !ok {
			t.Errorf("kit lacks %s", want)
		}
	}
	// Artifacts are the stored bytes, unchanged.
	if !bytes.Equal(files["snapshots/20261120T090000Z-aaaaaa/screenshot.png"], src.blobs["20261120T090000Z-aaaaaa/screenshot.png"]) {
		t.Error("screenshot bytes differ from the store's")
	}
	html := string(files["index.html"])
	for _, want := range []string{
		"20261120T090000Z-aaaaaa", "20261121T090000Z-bbbbbb", "20261122T090000Z-cccccc",
		"Improve the model for everyone", "Off", // the settings table
		`data-category="uploads"`, "Moderation notices", // uncovered categories still listed
		"The user chose to continue after the warning", "The user chose not to continue", // neutral words
		"2026-11-20 10:00:00 UTC&#43;01:00", // local time at the capture's offset
		"sha256sum --strict -c SHA256SUMS", `src="thumbnails/20261120T090000Z-aaaaaa.jpg"`,
		"What this kit shows — and what it cannot show", "this computer&#39;s clock", // the limits section
		"&lt;b&gt;kept&lt;/b&gt;", // event detail escaped, not markup
	} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "http://", "src=\"https:", "href=\"https:", "@import", "url("} {
		if strings.Contains(strings.ToLower(html), banned) {
			t.Errorf("index.html contains %q; the report must work offline with no script", banned)
		}
	}
}

func TestExportFilter(t *testing.T) {
	src := demoSource(t)
	cases := []struct {
		name string
		f    Filter
		want []string
	}{
		{"category", Filter{Categories: []string{"api_dashboard"}}, []string{"20261122T090000Z-cccccc"}},
		{"since", Filter{Since: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}, []string{"20261121T090000Z-bbbbbb", "20261122T090000Z-cccccc"}},
		{"ids", Filter{IDs: []string{"20261120T090000Z-aaaaaa"}}, []string{"20261120T090000Z-aaaaaa"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kit := writeTestKit(t, src, c.f)
			if v := verifyBytes(t, kit); !v.OK() || v.Snapshots != len(c.want) || v.Events != 4 {
				t.Fatalf("verification = %+v", v)
			}
			files := kitFiles(t, kit)
			n := 0
			for name := range files {
				if strings.HasSuffix(name, "/meta.json") {
					n++
				}
			}
			if n != len(c.want) {
				t.Errorf("%d snapshots in kit, want %d", n, len(c.want))
			}
			for _, id := range c.want {
				if _, ok := files[SnapshotDir(id)+"meta.json"]; !ok {
					t.Errorf("kit lacks %s", id)
				}
			}
		})
	}
	var buf bytes.Buffer
	_, err := WriteKit(context.Background(), src, &buf, Options{Filter: Filter{Categories: []string{"moderation"}}, SigningKey: testKey, TempDir: t.TempDir()})
	if !errors.Is(err, ErrEmpty) {
		t.Errorf("empty selection: err = %v, want ErrEmpty", err)
	}
}

func TestTamperingIsCaught(t *testing.T) {
	src := demoSource(t)
	kit := writeTestKit(t, src, Filter{})
	otherKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	shot := "snapshots/20261121T090000Z-bbbbbb/screenshot.png"
	cases := []struct {
		name     string
		edit     func(files map[string][]byte, order []string) []string
		wantFile string
	}{
		{"byte in an artifact", func(f map[string][]byte, o []string) []string {
			b := bytes.Clone(f[shot])
			b[len(b)/2] ^= 1
			f[shot] = b
			return o
		}, shot},
		{"byte in manifest.json", func(f map[string][]byte, o []string) []string {
			f["manifest.json"] = bytes.Replace(f["manifest.json"], []byte(`"snapshots": 3`), []byte(`"snapshots": 4`), 1)
			return o
		}, "manifest.json.sig"},
		{"removed file", func(f map[string][]byte, o []string) []string {
			f["snapshots/20261120T090000Z-aaaaaa/dom.html"] = nil
			return o
		}, "snapshots/20261120T090000Z-aaaaaa/dom.html"},
		{"added file", func(f map[string][]byte, o []string) []string {
			f["snapshots/20261120T090000Z-aaaaaa/extra.png"] = []byte("not captured")
			return append(o, "snapshots/20261120T090000Z-aaaaaa/extra.png")
		}, "snapshots/20261120T090000Z-aaaaaa/extra.png"},
		{"reordered events", func(f map[string][]byte, o []string) []string {
			lines := bytes.SplitAfter(f["events.jsonl"], []byte("\n"))
			lines[0], lines[1] = lines[1], lines[0]
			f["events.jsonl"] = bytes.Join(lines, nil)
			return o
		}, "events.jsonl"},
		{"swapped signature", func(f map[string][]byte, o []string) []string {
			f["manifest.json.sig"] = ed25519.Sign(otherKey, f["manifest.json"])
			return o
		}, "manifest.json.sig"},
		{"swapped key and signature", func(f map[string][]byte, o []string) []string {
			p, _ := PublicKeyPEM(otherKey.Public().(ed25519.PublicKey))
			f["public-key.pem"] = p
			f["manifest.json.sig"] = ed25519.Sign(otherKey, f["manifest.json"])
			return o
		}, "public-key.pem"},
		{"artifact and both hash lists rewritten", func(f map[string][]byte, o []string) []string {
			old := f[shot]
			f[shot] = testPNG(t, 640, 400, 99)
			oldSum, newSum := hexSum(old), hexSum(f[shot])
			f["SHA256SUMS"] = bytes.ReplaceAll(f["SHA256SUMS"], []byte(oldSum), []byte(newSum))
			f["manifest.json"] = bytes.ReplaceAll(f["manifest.json"], []byte(oldSum), []byte(newSum))
			return o
		}, "manifest.json.sig"},
		{"event edited", func(f map[string][]byte, o []string) []string {
			f["events.jsonl"] = bytes.Replace(f["events.jsonl"], []byte("warning.proceeded"), []byte("guard.cancelled"), 1)
			return o
		}, "events.jsonl"},
		{"removed SHA256SUMS", func(f map[string][]byte, o []string) []string {
			f["SHA256SUMS"] = nil
			return o
		}, "SHA256SUMS"},
		{"duplicate entry", func(f map[string][]byte, o []string) []string {
			return append(o, "index.html")
		}, "index.html"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := rezip(t, kit, c.edit)
			v := verifyBytes(t, bad)
			if v.OK() {
				t.Fatal("tampered kit verified")
			}
			found := false
			for _, p := range v.Problems {
				if p.File == c.wantFile {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem names %s; got %v", c.wantFile, v.Problems)
			}
		})
	}
	// The untouched rezip of the same files still verifies: the checks are about
	// content, not zip layout.
	if v := verifyBytes(t, rezip(t, kit, func(_ map[string][]byte, o []string) []string { return o })); !v.OK() {
		t.Errorf("rezipped intact kit: %v", v.Problems)
	}
}

// A changed byte in the zip file itself (not via rezip) is caught too.
func TestEveryByteMatters(t *testing.T) {
	kit := writeTestKit(t, demoSource(t), Filter{})
	// Flip bytes across the file; every flip must make the kit unreadable or
	// produce a problem.
	for off := 0; off < len(kit); off += len(kit)/97 + 1 {
		bad := bytes.Clone(kit)
		bad[off] ^= 0x20
		zr, err := zip.NewReader(bytes.NewReader(bad), int64(len(bad)))
		if err != nil {
			continue
		}
		v, err := VerifyKit(context.Background(), zr)
		if err != nil {
			continue
		}
		if v.OK() && !bytes.Equal(bad, kit) && !inertByte(kit, off) {
			t.Errorf("flipping byte %d of %d went unnoticed", off, len(kit))
		}
	}
}

// inertByte reports bytes of zip bookkeeping a reader legitimately ignores
// (local-header times and extra fields duplicated in the central directory);
// changing them does not change any file's content.
func inertByte(kit []byte, off int) bool {
	zr, _ := zip.NewReader(bytes.NewReader(kit), int64(len(kit)))
	for _, f := range zr.File {
		start, err := f.DataOffset()
		if err != nil {
			continue
		}
		if int64(off) >= start && int64(off) < start+int64(f.CompressedSize64) {
			return false // inside a file's data: must be caught
		}
	}
	return true
}

func TestSha256sumAcceptsKit(t *testing.T) {
	for _, tool := range []string{"sha256sum", "unzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: apt-get install -y coreutils unzip", tool)
		}
	}
	kit := writeTestKit(t, demoSource(t), Filter{})
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "kit.zip")
	if err := os.WriteFile(zipPath, kit, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "kit")
	if b, err := exec.Command("unzip", "-q", zipPath, "-d", out).CombinedOutput(); err != nil {
		t.Fatalf("unzip: %v\n%s", err, b)
	}
	cmd := exec.Command("sha256sum", "--strict", "-c", "SHA256SUMS")
	cmd.Dir = out
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, b)
	}
	if n := strings.Count(string(b), ": OK"); n < 20 {
		t.Errorf("sha256sum checked only %d files:\n%s", n, b)
	}
	// And it notices a change, so the check above is not vacuous.
	p := filepath.Join(out, "snapshots/20261120T090000Z-aaaaaa/dom.html")
	if err := os.WriteFile(p, []byte("changed"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command("sha256sum", "-c", "SHA256SUMS")
	cmd.Dir = out
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "dom.html: FAILED") {
		t.Errorf("sha256sum missed a changed file: %v\n%s", err, b)
	}
}

func TestOpenSSLVerifiesSignature(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("openssl is needed: apt-get install -y openssl")
	}
	files := kitFiles(t, writeTestKit(t, demoSource(t), Filter{}))
	dir := t.TempDir()
	for _, n := range []string{"manifest.json", "manifest.json.sig", "public-key.pem"} {
		if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func() (string, error) {
		cmd := exec.Command("openssl", "dgst", "-sha256", "-verify", "public-key.pem", "-signature", "manifest.json.sig", "manifest.json")
		cmd.Dir = dir
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	if out, err := run(); err != nil || !strings.Contains(out, "Verified OK") {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	bad := bytes.Clone(files["manifest.json"])
	bad[10] ^= 1
	os.WriteFile(filepath.Join(dir, "manifest.json"), bad, 0o600)
	if out, err := run(); err == nil {
		t.Errorf("openssl verified a changed manifest:\n%s", out)
	}
	// The documented fingerprint command.
	cmd := exec.Command("sh", "-c", "openssl pkey -pubin -in public-key.pem -outform DER | sha256sum")
	cmd.Dir = dir
	b, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimPrefix(testFingerprint(t), "SHA256:")
	// ...and what that prints, pasted as it is, is accepted as the fingerprint.
	if fp, err := ParseFingerprint(string(b)); err != nil || fp != testFingerprint(t) {
		t.Errorf("ParseFingerprint(%q) = %q, %v", b, fp, err)
	}
	if !strings.HasPrefix(string(b), want) {
		t.Errorf("fingerprint via openssl = %s, want %s", b, want)
	}
}

// testFingerprint is the fingerprint of the identity testKey derives.
func testFingerprint(t testing.TB) string {
	t.Helper()
	k, err := IdentityKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return Fingerprint(&k.PublicKey)
}

func hexSum(b []byte) string {
	fe, _ := (&kitZip{zw: zip.NewWriter(io.Discard)}).copy("x", bytes.NewReader(b), false, nil)
	return fe.SHA256
}

func TestExportNewNeverReplaces(t *testing.T) {
	src := demoSource(t)
	dir := t.TempDir()
	day := time.Date(2026, 11, 30, 10, 0, 0, 0, time.Local)
	keep := filepath.Join(dir, "ringfence-evidence-2026-11-30.zip")
	if err := os.WriteFile(keep, []byte("an earlier kit"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Four exports at once on the same day: four distinct new files.
	paths := make(chan string, 4)
	for i := 0; i < 4; i++ {
		go func() {
			p, _, err := ExportNew(context.Background(), src, dir, FormatZip, day, Options{SigningKey: testKey, Now: kitTime})
			if err != nil {
				t.Error(err)
			}
			paths <- p
		}()
	}
	seen := map[string]bool{}
	for i := 0; i < 4; i++ {
		seen[<-paths] = true
	}
	for i := 2; i <= 5; i++ {
		p := filepath.Join(dir, "ringfence-evidence-2026-11-30-"+strconv.Itoa(i)+".zip")
		if !seen[p] {
			t.Errorf("%s not written; got %v", p, seen)
		}
		b, _ := os.ReadFile(p)
		if v := verifyBytes(t, b); !v.OK() {
			t.Errorf("%s: %v", p, v.Problems)
		}
		// Decrypted evidence stays private to its owner until they share it.
		if st, err := os.Stat(p); err == nil && runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %o, want 600", p, st.Mode().Perm())
		}
	}
	if b, _ := os.ReadFile(keep); string(b) != "an earlier kit" {
		t.Error("the earlier kit was replaced")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A kit re-made and re-signed with another key is self-consistent, so it
// verifies; only the expected signer's fingerprint tells it apart.
func TestExpectSignerCatchesAResignedKit(t *testing.T) {
	src := demoSource(t)
	var honest, forged bytes.Buffer
	if _, err := WriteKit(context.Background(), src, &honest, Options{SigningKey: testKey, Now: kitTime}); err != nil {
		t.Fatal(err)
	}
	otherKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	if _, err := WriteKit(context.Background(), src, &forged, Options{SigningKey: otherKey, Now: kitTime}); err != nil {
		t.Fatal(err)
	}
	want := testFingerprint(t)
	cases := []struct {
		name string
		kit  []byte
		ok   bool
	}{
		{"signed by the expected key", honest.Bytes(), true},
		{"re-signed with another key", forged.Bytes(), false},
	}
	for _, c := range cases {
		v := verifyBytes(t, c.kit)
		if !v.OK() {
			t.Fatalf("%s: not self-consistent: %v", c.name, v.Problems)
		}
		v.ExpectSigner(want)
		if v.OK() != c.ok {
			t.Errorf("%s: ExpectSigner gave %v", c.name, v.Problems)
		}
		if !c.ok && (len(v.Problems) != 1 || v.Problems[0].File != FileSignature) {
			t.Errorf("%s: problems %v, want one naming %s", c.name, v.Problems, FileSignature)
		}
	}
}
