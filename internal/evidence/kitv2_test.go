package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/evidence/tsatest"
)

func TestParseFingerprint(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	want := "SHA256:" + hex
	for _, in := range []string{want, hex, strings.ToUpper(hex), "sha256:" + strings.ToUpper(hex), " " + want + "\n", hex + "  -\n"} {
		if got, err := ParseFingerprint(in); err != nil || got != want {
			t.Errorf("ParseFingerprint(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "SHA256:00", "SHA256:" + hex[:63] + "g", "MD5:" + hex, hex + hex} {
		if got, err := ParseFingerprint(in); err == nil {
			t.Errorf("ParseFingerprint(%q) = %q, want an error", in, got)
		}
	}
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The fingerprint export prints pins the signer of a kit and of a WACZ
// alike, in any of the forms a reviewer pastes; another key fails naming
// the file that holds the signature.
func TestExpectFingerprintBothFormats(t *testing.T) {
	src := demoSource(t)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	dir := t.TempDir()
	write := func(name string, key ed25519.PrivateKey, wacz bool) (string, Result) {
		var buf bytes.Buffer
		o := Options{SigningKey: key, Now: kitTime, TempDir: t.TempDir()}
		var res Result
		var err error
		if wacz {
			res, err = WriteWACZ(context.Background(), src, &buf, o)
		} else {
			res, err = WriteKit(context.Background(), src, &buf, o)
		}
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, dir, name, buf.Bytes()), res
	}
	fp := testFingerprint(t)
	bare := strings.TrimPrefix(fp, "SHA256:")
	for _, c := range []struct {
		name, sigFile string
		wacz          bool
	}{{"kit.zip", FileSignature, false}, {"kit.wacz", WACZDigest, true}} {
		path, res := write(c.name, testKey, c.wacz)
		if res.Fingerprint != fp {
			t.Errorf("%s: export printed %s, want %s", c.name, res.Fingerprint, fp)
		}
		forged, _ := write("forged-"+c.name, other, c.wacz)
		for _, form := range []string{fp, bare, strings.ToUpper(bare)} {
			want, err := ParseFingerprint(form)
			if err != nil {
				t.Fatal(err)
			}
			v, _, err := VerifyFile(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			v.ExpectSigner(want)
			if !v.OK() {
				t.Errorf("%s with %q: %v", c.name, form, v.Problems)
			}
			v, _, _ = VerifyFile(context.Background(), forged)
			if !v.OK() {
				t.Fatalf("forged %s is not self-consistent: %v", c.name, v.Problems)
			}
			v.ExpectSigner(want)
			if len(v.Problems) != 1 || v.Problems[0].File != c.sigFile {
				t.Errorf("forged %s: problems %v, want one naming %s", c.name, v.Problems, c.sigFile)
			}
		}
	}
}

func TestUnknownSnapshotIDs(t *testing.T) {
	var buf bytes.Buffer
	_, err := WriteKit(context.Background(), demoSource(t), &buf, Options{SigningKey: testKey, Now: kitTime,
		Filter: Filter{IDs: []string{"20261120T090000Z-aaaaaa", "20261120T090000Z-typo", "nope"}}})
	var u *UnknownIDsError
	if !errors.As(err, &u) || strings.Join(u.IDs, ",") != "20261120T090000Z-typo,nope" {
		t.Fatalf("err = %v, want the two unknown ids named", err)
	}
	if buf.Len() != 0 {
		t.Error("a kit was written although ids were unknown")
	}
}

// The RFC 3161 round trip against a real TSA (openssl ts -reply): request,
// response, attach, verify — and the reviewer's own `openssl ts -verify`.
func TestTimestampRoundTrip(t *testing.T) {
	tsa := tsatest.New(t, "Ringfence Test TSA 1")
	dir := t.TempDir()
	kit := writeFile(t, dir, "kit.zip", writeTestKit(t, demoSource(t), Filter{}))
	before, _ := os.ReadFile(kit)

	request := func(path string) (string, []byte) {
		data, kind, err := TimestampedData(path)
		if err != nil {
			t.Fatal(err)
		}
		if kind != "kit" && kind != "wacz" {
			t.Fatalf("kind %q", kind)
		}
		tsq, err := NewTimestampRequest(data)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, dir, filepath.Base(path)+".tsq", tsq), tsq
	}
	tsqPath, tsq := request(kit)
	tsrPath := tsa.Reply(tsqPath)
	tsr, _ := os.ReadFile(tsrPath)

	info, err := AttachTimestamp(context.Background(), kit, tsr, tsq)
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	if info.TSA != tsa.Subject {
		t.Errorf("TSA %q, want %q", info.TSA, tsa.Subject)
	}
	v, _, err := VerifyFile(context.Background(), kit)
	if err != nil || !v.OK() {
		t.Fatalf("verify after attach: %v %v", err, v.Problems)
	}
	if v.Timestamp == nil || v.Timestamp.TSA != tsa.Subject || v.Timestamp.Time.IsZero() {
		t.Fatalf("verify reports timestamp %+v", v.Timestamp)
	}
	// Every byte of every other file is unchanged: the signature still holds.
	after := kitFiles(t, mustRead(t, kit))
	for name, b := range kitFiles(t, before) {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s changed when the timestamp was attached", name)
		}
	}
	if !bytes.Equal(after[FileTimestamp], tsr) {
		t.Errorf("%s is not the TSA's response", FileTimestamp)
	}
	// The independent check a reviewer runs, with the TSA's CA.
	sig := writeFile(t, dir, "manifest.json.sig", after[FileSignature])
	if out, err := tsa.Verify(sig, tsrPath); err != nil || !strings.Contains(out, "Verification: OK") {
		t.Errorf("openssl ts -verify: %v\n%s", err, out)
	}
	if out, err := tsa.Verify(writeFile(t, dir, "other.sig", []byte("another signature")), tsrPath); err == nil {
		t.Errorf("openssl ts -verify accepted other data:\n%s", out)
	}

	// A response for another kit is refused, and the kit stays as it was.
	other := writeFile(t, dir, "other.zip", writeTestKit(t, demoSource(t), Filter{Categories: []string{"api_dashboard"}}))
	otherTsq, _ := request(other)
	otherTsr, _ := os.ReadFile(tsa.Reply(otherTsq))
	kept := mustRead(t, kit)
	if _, err := AttachTimestamp(context.Background(), kit, otherTsr, nil); err == nil || !strings.Contains(err.Error(), "another file") {
		t.Errorf("attach of another kit's response: %v", err)
	}
	if !bytes.Equal(mustRead(t, kit), kept) {
		t.Error("a refused attach changed the kit")
	}
	// A response to a different request for the same kit (another nonce).
	_, tsq2 := request(kit)
	if _, err := AttachTimestamp(context.Background(), kit, tsr, tsq2); err == nil || !strings.Contains(err.Error(), "nonce") {
		t.Errorf("attach against another request: %v", err)
	}
	// Slipped in by hand, it fails verification naming the file.
	if err := rewriteWith(context.Background(), kit, FileTimestamp, otherTsr); err != nil {
		t.Fatal(err)
	}
	v, _, _ = VerifyFile(context.Background(), kit)
	if v.OK() || v.Problems[0].File != FileTimestamp || !strings.Contains(v.Problems[0].Message, "another file") {
		t.Errorf("verify with another kit's timestamp: %v", v.Problems)
	}
	// Garbage is not a timestamp.
	if _, err := AttachTimestamp(context.Background(), other, []byte("not DER"), nil); err == nil {
		t.Error("garbage attached as a timestamp")
	}

	// The same for a WACZ: the signature inside datapackage-digest.json.
	wacz := writeFile(t, dir, "kit.wacz", writeTestWACZ(t, demoSource(t)))
	wq, wtsq := request(wacz)
	wtsr, _ := os.ReadFile(tsa.Reply(wq))
	if _, err := AttachTimestamp(context.Background(), wacz, wtsr, wtsq); err != nil {
		t.Fatalf("attach to WACZ: %v", err)
	}
	v, kind, err := VerifyFile(context.Background(), wacz)
	if err != nil || kind != "wacz" || !v.OK() || v.Timestamp == nil || v.Timestamp.TSA != tsa.Subject {
		t.Errorf("verify timestamped WACZ: %v %s %+v", err, kind, v)
	}
}

func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every phrase exists in every language (brand names excepted), and a kit
// made with each language says so.
func TestReportLanguages(t *testing.T) {
	for _, lang := range Languages[1:] {
		for k := range catalog()["en"] {
			if _, ok := catalog()[lang][k]; !ok && !strings.HasPrefix(k, "site.") {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for k := range catalog()[lang] {
			if _, ok := catalog()["en"][k]; !ok {
				t.Errorf("%s has %q, which English lacks", lang, k)
			}
		}
	}
	for _, c := range []struct{ tag, lang, title string }{
		{"", "en", "Evidence kit"}, {"de-DE", "de", "Beweispaket"}, {"fr", "fr", "Dossier de preuves"},
		{"es_ES", "es", "Paquete de pruebas"}, {"ja", "ja", "証拠キット"}, {"pt-BR", "en", "Evidence kit"},
	} {
		var buf bytes.Buffer
		if _, err := WriteKit(context.Background(), demoSource(t), &buf, Options{SigningKey: testKey, Now: kitTime, Lang: c.tag, TempDir: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
		html := string(kitFiles(t, buf.Bytes())[FileIndex])
		if !strings.Contains(html, `<html lang="`+c.lang+`">`) || !strings.Contains(html, "<h1>"+c.title+"</h1>") {
			t.Errorf("--lang %q: report is not in %s", c.tag, c.lang)
		}
	}
}

// What a reader sees outside the "technical details" folds is plain words:
// no snapshot ids, event types, rule ids, notes keys or JSON; the account
// and the limits are stated; tokens do not wrap.
func TestReportIsForPeople(t *testing.T) {
	html := string(kitFiles(t, writeTestKit(t, demoSource(t), Filter{}))[FileIndex])
	visible := regexp.MustCompile(`(?s)<details>.*?</details>|<style>.*?</style>|<[^>]*>`).ReplaceAllString(html, " ")
	for _, banned := range []string{"20261120T090000Z-aaaaaa", "warning.shown", "guard.cancelled", "chatgpt.delete-account",
		"category_rule", "openai_key", `{"`, "controls controls", "(none)", "api_keys", "trigger="} {
		if strings.Contains(visible, banned) {
			t.Errorf("the report shows %q outside the technical details", banned)
		}
	}
	for _, want := range []string{"a@example.com", "What this kit shows — and what it cannot show", "Capture environment",
		"Chromium 156.0", "UTC+01:00", "Delete account (ChatGPT)", "with the toolbar button", "Switches and choices",
		"1 × Openai key"} {
		if !strings.Contains(strings.ReplaceAll(visible, "&#43;", "+"), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// Times, hashes and the fingerprint are marked as tokens that never wrap.
	if !strings.Contains(html, `<span class="tok hash" id="fingerprint">`+testFingerprint(t)+`</span>`) || !strings.Contains(html, ".tok{white-space:nowrap}") {
		t.Error("the fingerprint is not a non-wrapping token")
	}
	if !strings.Contains(html, "@media print") || !strings.Contains(html, "@page") {
		t.Error("no print styles")
	}
}

// pdfText extracts the PDF's text with poppler's pdftotext, an independent
// reader; the test fails if it is missing.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is needed: apt-get install -y poppler-utils")
	}
	p := writeFile(t, t.TempDir(), "r.pdf", pdf)
	out, err := exec.Command("pdftotext", "-layout", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestPDF(t *testing.T) {
	src := demoSource(t)
	var buf bytes.Buffer
	res, err := WritePDF(context.Background(), src, &buf, Options{SigningKey: testKey, Now: kitTime, HostVersion: "0.1.0-test", Lang: "de", TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || res.Snapshots != 3 || res.Events != 4 {
		t.Fatalf("not a PDF, or result %+v", res)
	}
	text := pdfText(t, buf.Bytes())
	want := []string{testFingerprint(t), "Beweispaket", "Was dieses Paket zeigt – und was es nicht zeigen kann", "a@example.com",
		"https://chatgpt.com/#settings/Account", "Es wurde gewählt, nicht fortzufahren"}
	for _, s := range src.snaps {
		for _, a := range s.Artifacts {
			want = append(want, a.SHA256)
		}
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("PDF text lacks %q", w)
		}
	}

	// --with-pdf: the same PDF inside the kit, listed and verified.
	buf.Reset()
	if _, err := WriteKit(context.Background(), src, &buf, Options{SigningKey: testKey, Now: kitTime, WithPDF: true, TempDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if v := verifyBytes(t, buf.Bytes()); !v.OK() {
		t.Fatalf("kit with PDF: %v", v.Problems)
	}
	files := kitFiles(t, buf.Bytes())
	if !strings.Contains(pdfText(t, files[FilePDF]), "What this kit shows") || !strings.Contains(string(files[FileManifest]), `"path": "report.pdf"`) {
		t.Error("report.pdf missing from the kit or its manifest")
	}
	// A Japanese kit's PDF falls back to English (core fonts), not to '?'.
	buf.Reset()
	if _, err := WritePDF(context.Background(), src, &buf, Options{SigningKey: testKey, Now: kitTime, Lang: "ja", TempDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, buf.Bytes()); !strings.Contains(text, "Evidence kit") || strings.Contains(text, "???") {
		t.Errorf("ja PDF:\n%.400s", text)
	}
}

var _ = zip.Store
