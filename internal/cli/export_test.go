package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/evidence"
	"github.com/ringfence/ringfence/internal/evidence/tsatest"
	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/platform"
	"github.com/ringfence/ringfence/internal/store"
	"github.com/ringfence/ringfence/internal/testkeyring"
)

// TestExportVerifyRealStore runs `ringfence export` and `ringfence verify`
// against a real SQLite store whose keys live in a real Secret Service
// (gnome-keyring on a private D-Bus session).
func TestExportVerifyRealStore(t *testing.T) {
	if os.Getenv(testkeyring.Env) != "1" {
		testkeyring.Rerun(t, "TestExportVerifyRealStore")
		return
	}
	ctx := context.Background()
	home := t.TempDir()
	ring, err := keys.Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	if st := ring.Status(); st.Backend != keys.BackendSecretService {
		t.Fatalf("keyring backend %q (%s): gnome-keyring must be running on the session bus", st.Backend, st.Detail)
	}
	seedStore(t, ctx, ring, home)
	sk, err := ring.SigningKey(ctx)
	if err != nil {
		t.Fatal(err)
	}

	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
			if k == platform.EnvHome {
				return home
			}
			return os.Getenv(k)
		}}
		code := Main(ctx, env, append([]string{"ringfence"}, args...))
		return code, out.String(), errb.String()
	}
	dir := t.TempDir()
	kit := filepath.Join(dir, "kit.zip")

	code, out, errs := run("export", "--out", kit)
	if code != ExitOK {
		t.Fatalf("export: %d\n%s%s", code, out, errs)
	}
	if errs != "" {
		t.Errorf("export wrote to stderr with no terminal: %q", errs)
	}
	ident, err := evidence.IdentityKey(sk)
	if err != nil {
		t.Fatal(err)
	}
	fp := evidence.Fingerprint(&ident.PublicKey)
	if !strings.Contains(out, "3 snapshot(s), 3 event(s)") || !strings.Contains(out, fp) {
		t.Errorf("export output:\n%s", out)
	}
	code, out, _ = run("verify", kit)
	if code != ExitOK || !strings.HasPrefix(out, "OK: ") {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	// The kit is signed by the keyring's key, and holds the decrypted bytes.
	files := unzipAll(t, kit)
	pub, err := evidence.ParsePublicKeyPEM(files["public-key.pem"])
	if err != nil || !ident.PublicKey.Equal(pub) {
		t.Errorf("kit key is not the keyring's signing key: %v", err)
	}
	if got := files["snapshots/"+firstID(t, ctx, ring, home)+"/dom.html"]; !bytes.Contains(got, []byte("<h1>Account</h1>")) {
		t.Errorf("dom.html in kit = %q", got)
	}

	// A changed byte in an artifact: exit 1, the file named.
	bad := filepath.Join(dir, "bad.zip")
	tamper(t, kit, bad, func(name string, b []byte) []byte {
		if strings.HasSuffix(name, "/dom.html") {
			b = bytes.Clone(b)
			b[0] ^= 1
		}
		return b
	})
	code, out, _ = run("verify", bad)
	if code != ExitFailure || !strings.Contains(out, "/dom.html: ") {
		t.Errorf("verify tampered: %d\n%s", code, out)
	}

	// WACZ, filters and errors.
	wacz := filepath.Join(dir, "kit.wacz")
	if code, out, errs := run("export", "--format", "wacz", "--out", wacz); code != ExitOK {
		t.Fatalf("export wacz: %d %s%s", code, out, errs)
	}
	if code, out, _ := run("verify", wacz); code != ExitOK || !strings.Contains(out, "intact WACZ") || !strings.Contains(out, "signed by "+fp) {
		t.Errorf("verify wacz: %d %s", code, out)
	}
	// Who signed it: one fingerprint for kit and WACZ, pasted as export
	// printed it, as sha256sum prints it, or upper-case; another key fails
	// naming the file that holds the signature; a malformed one is a usage error.
	bare := strings.TrimPrefix(fp, "SHA256:")
	otherFP := "SHA256:" + strings.Repeat("0", 64)
	for file, sigFile := range map[string]string{kit: "manifest.json.sig", wacz: "datapackage-digest.json"} {
		for _, form := range []string{fp, bare, strings.ToUpper(bare), bare + "  -"} {
			if code, out, errs := run("verify", "--expect-fingerprint", form, file); code != ExitOK || !strings.Contains(out, "the signer is the expected key") {
				t.Errorf("verify --expect-fingerprint %q %s: %d\n%s%s", form, file, code, out, errs)
			}
		}
		if code, out, _ := run("verify", "--expect-fingerprint", otherFP, file); code != ExitFailure || !strings.Contains(out, sigFile+": signed by "+fp) {
			t.Errorf("verify --expect-fingerprint (wrong key) %s: %d\n%s", file, code, out)
		}
		if code, out, errs := run("verify", "--expect-fingerprint", "SHA256:00", file); code != ExitUsage || !strings.Contains(errs, "64 hex digits") {
			t.Errorf("verify --expect-fingerprint (malformed) %s: %d\n%s%s", file, code, out, errs)
		}
	}
	one := filepath.Join(dir, "one.zip")
	if code, _, errs := run("export", "--category", "api_dashboard", "--out", one); code != ExitOK {
		t.Fatalf("export --category: %d %s", code, errs)
	}
	if n := countSuffix(unzipAll(t, one), "/meta.json"); n != 1 {
		t.Errorf("--category api_dashboard kit has %d snapshots", n)
	}
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"export", "--category", "moderation", "--out", filepath.Join(dir, "none.zip")}, ExitNotFound},
		{[]string{"export", "--format", "tar"}, ExitUsage},
		{[]string{"export", "--category", "nope"}, ExitUsage},
		{[]string{"export", "--since", "yesterday"}, ExitUsage},
		{[]string{"export", "--lang", "xx"}, ExitUsage},
		{[]string{"export", "--format", "wacz", "--with-pdf"}, ExitUsage},
		{[]string{"export", "--out", filepath.Join(dir, "k.pdf")}, ExitUsage},
		{[]string{"export", "--format", "wacz", "--out", filepath.Join(dir, "k.zip")}, ExitUsage},
		{[]string{"export", "--out", filepath.Join(dir, "k")}, ExitUsage},
		{[]string{"timestamp", "fetch", kit}, ExitUsage},
		{[]string{"timestamp", "--help"}, ExitOK},
		{[]string{"export", "--help"}, ExitOK},
		{[]string{"verify", "--help"}, ExitOK},
		{[]string{"verify"}, ExitUsage},
		{[]string{"verify", filepath.Join(dir, "missing.zip")}, ExitFailure},
	}
	for _, c := range cases {
		if code, out, errs := run(c.args...); code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.args, code, c.code, out, errs)
		}
	}
	for _, f := range []string{"none.zip", "k.pdf", "k.zip", "k"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("a refused export left %s behind", f)
		}
	}
	// The messages say what is wrong and what is accepted.
	if _, _, errs := run("export", "--since", "yesterday"); !strings.Contains(errs, "YYYY-MM-DD") || strings.Contains(errs, "2006-01-02") {
		t.Errorf("bad date message: %q", errs)
	}
	if _, _, errs := run("export", "--out", filepath.Join(dir, "k.pdf")); !strings.Contains(errs, "k.zip") || !strings.Contains(errs, "--format pdf") {
		t.Errorf("extension message: %q", errs)
	}
	// Unknown snapshot ids: exit 3 naming them, nothing written.
	typo := filepath.Join(dir, "typo.zip")
	code, _, errs = run("export", "--snapshot", firstID(t, ctx, ring, home), "--snapshot", "20260101T000000Z-typo", "--out", typo)
	if code != ExitNotFound || !strings.Contains(errs, "20260101T000000Z-typo") || strings.Contains(errs, firstID(t, ctx, ring, home)) {
		t.Errorf("export with an unknown id: %d %q", code, errs)
	}
	if _, err := os.Stat(typo); !os.IsNotExist(err) {
		t.Error("an export with an unknown id wrote a kit")
	}
	// --out an existing folder writes a dated kit inside it.
	sub := filepath.Join(dir, "kits")
	os.Mkdir(sub, 0o700)
	code, out, errs = run("export", "--out", sub, "--with-pdf", "--lang", "de")
	inside := filepath.Join(sub, "ringfence-evidence-"+time.Now().Format("2006-01-02")+".zip")
	if code != ExitOK || !strings.Contains(out, inside) {
		t.Fatalf("export --out FOLDER: %d %s%s", code, out, errs)
	}
	if code, out, _ := run("verify", inside); code != ExitOK {
		t.Errorf("verify kit with PDF: %d %s", code, out)
	}
	inFiles := unzipAll(t, inside)
	if !bytes.HasPrefix(inFiles["report.pdf"], []byte("%PDF-")) || !bytes.Contains(inFiles["index.html"], []byte("Beweispaket")) {
		t.Error("--with-pdf --lang de: no PDF, or the report is not in German")
	}
	// --format pdf: the report alone.
	pdf := filepath.Join(dir, "report.PDF")
	if code, out, errs := run("export", "--format", "pdf", "--out", pdf); code != ExitOK {
		t.Fatalf("export --format pdf: %d %s%s", code, out, errs)
	}
	if b, _ := os.ReadFile(pdf); !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Error("--format pdf did not write a PDF")
	}
	// Help spells flags the way usage does.
	if _, out, _ := run("export", "--help"); !strings.Contains(out, "  --json\n") || !strings.Contains(out, "  --out PATH") || strings.Contains(out, "\n  -json") {
		t.Errorf("export --help:\n%s", out)
	}

	// Timestamp round trip with the real TSA stand-in (openssl ts -reply).
	tsa := tsatest.New(t, "CLI Test TSA")
	code, out, errs = run("timestamp", "request", kit)
	if code != ExitOK || !strings.Contains(out, "curl -sS -H 'Content-Type: application/timestamp-query' --data-binary @"+kit+".tsq") ||
		!strings.Contains(out, "ringfence timestamp attach "+kit+" "+kit+".tsr") {
		t.Fatalf("timestamp request: %d\n%s%s", code, out, errs)
	}
	tsr := tsa.Reply(kit + ".tsq")
	if code, out, errs := run("timestamp", "attach", kit, tsr); code != ExitOK || !strings.Contains(out, "timestamped by "+tsa.Subject) {
		t.Fatalf("timestamp attach: %d\n%s%s", code, out, errs)
	}
	if code, out, _ := run("verify", "--expect-fingerprint", fp, kit); code != ExitOK || !strings.Contains(out, "timestamped by "+tsa.Subject+" at ") {
		t.Errorf("verify timestamped kit: %d\n%s", code, out)
	}
	// A response for another kit is refused (exit 1), the kit unchanged.
	if code, _, errs := run("timestamp", "request", wacz); code != ExitOK {
		t.Fatalf("timestamp request wacz: %s", errs)
	}
	before, _ := os.ReadFile(kit)
	if code, _, errs := run("timestamp", "attach", kit, tsa.Reply(wacz+".tsq")); code != ExitFailure || !strings.Contains(errs, "another file") {
		t.Errorf("attach another file's response: %d %q", code, errs)
	}
	if after, _ := os.ReadFile(kit); !bytes.Equal(before, after) {
		t.Error("a refused attach changed the kit")
	}
	// Default name: in the current folder, with the date, never overwriting.
	t.Chdir(dir)
	for _, want := range []string{".zip", "-2.zip"} {
		code, out, errs := run("export")
		name := "ringfence-evidence-" + time.Now().Format("2006-01-02") + want
		if code != ExitOK || !strings.Contains(out, filepath.Join(dir, name)) {
			t.Errorf("default export: %d %s%s (want %s)", code, out, errs, name)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*partial*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Someone with the database file drops the append-only trigger and edits
	// an event: export warns, and the kit fails verification naming events.jsonl.
	db, err := sql.Open("sqlite", platform.DB(home))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DROP TRIGGER events_no_update; UPDATE events SET type = 'warning.dismissed' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	edited := filepath.Join(dir, "edited.zip")
	code, _, errs = run("export", "--out", edited)
	if code != ExitOK || !strings.Contains(errs, "event log is broken at seq 2") {
		t.Errorf("export of an edited log: %d, stderr %q", code, errs)
	}
	code, out, _ = run("verify", edited)
	if code != ExitFailure || !strings.Contains(out, "events.jsonl: line 2 (seq 2): hash does not match") {
		t.Errorf("verify of an edited log: %d\n%s", code, out)
	}
}

func seedStore(t *testing.T, ctx context.Context, ring *keys.Ring, home string) {
	t.Helper()
	st := openRingStore(t, ctx, ring, home)
	defer st.Close()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for i, c := range []struct{ url, cat, title string }{
		{"https://chatgpt.com/#settings/DataControls", "consent_training", "Data controls"},
		{"https://chatgpt.com/#settings/Account", "account_status", "Account"},
		{"https://platform.openai.com/api-keys", "api_dashboard", "API keys"},
	} {
		meta := store.Snapshot{URL: c.url, Title: c.title, CapturedAt: at.Add(time.Duration(i) * time.Hour), Trigger: "button",
			Category: c.cat, Browser: "Chromium", Artifacts: []store.ArtifactInfo{
				{Name: "dom.html", MIME: "text/html"}, {Name: "settings.json", MIME: "application/json"}, {Name: "screenshot.png", MIME: "image/png"}}}
		_, err := st.SaveSnapshot(ctx, meta, map[string]io.Reader{
			"dom.html":       strings.NewReader("<html><body><h1>" + c.title + "</h1></body></html>"),
			"settings.json":  strings.NewReader(`{"controls":[{"label":"Improve the model for everyone","state":false}]}`),
			"screenshot.png": bytes.NewReader(bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 100)), // not decodable: no thumbnail, still exported
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, typ := range []string{"warning.shown", "guard.cancelled", "warning.shown"} {
		if _, err := st.AppendEvent(ctx, store.Event{Type: typ, RuleID: "chatgpt.delete-account", URL: "https://chatgpt.com/#settings/Account"}); err != nil {
			t.Fatal(err)
		}
	}
}

func firstID(t *testing.T, ctx context.Context, ring *keys.Ring, home string) string {
	t.Helper()
	st := openRingStore(t, ctx, ring, home)
	defer st.Close()
	s, err := st.ListSnapshots(ctx, store.Filter{Categories: []string{"account_status"}})
	if err != nil || len(s) != 1 {
		t.Fatal(err)
	}
	return s[0].ID
}

func unzipAll(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

func countSuffix(m map[string][]byte, suffix string) int {
	n := 0
	for k := range m {
		if strings.HasSuffix(k, suffix) {
			n++
		}
	}
	return n
}

func tamper(t *testing.T, src, dst string, edit func(string, []byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		w, _ := zw.Create(f.Name)
		w.Write(edit(f.Name, b))
	}
	zw.Close()
	if err := os.WriteFile(dst, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// hostBinary is the real bin/ringfence: $RINGFENCE_BIN (scripts/test-go.sh
// sets it) or the one `make host` wrote.
func hostBinary(tb testing.TB) string {
	tb.Helper()
	bin := os.Getenv("RINGFENCE_BIN")
	if bin == "" {
		bin, _ = filepath.Abs("../../bin/ringfence")
	}
	if _, err := os.Stat(bin); err != nil {
		tb.Fatalf("%s: %v (run make host, or set RINGFENCE_BIN)", bin, err)
	}
	return bin
}

// TestExportProgressOnTerminal runs the real binary under script(1), which
// gives it a terminal: the progress line appears there, and only there.
func TestExportProgressOnTerminal(t *testing.T) {
	bin := hostBinary(t)
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatal("script(1) is missing: apt-get install -y bsdutils")
	}
	ctx := context.Background()
	home := t.TempDir()
	ring, err := keys.Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	seedStore(t, ctx, ring, home)
	kit := filepath.Join(t.TempDir(), "kit.zip")
	cmd := exec.Command("script", "-qec", bin+" export --out "+kit, "/dev/null")
	cmd.Env = append(os.Environ(), platform.EnvHome+"="+home)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("export on a terminal: %v\n%q", err, out)
	}
	if !bytes.Contains(out, []byte("\rExporting artifacts: 3/3 snapshots")) || !bytes.Contains(out, []byte("\r\x1b[KWrote ")) {
		t.Errorf("no progress line on the terminal:\n%q", out)
	}
	// Piped, the same command is silent on stderr.
	cmd = exec.Command(bin, "export", "--out", strings.TrimSuffix(kit, ".zip")+"-2.zip")
	cmd.Env = append(os.Environ(), platform.EnvHome+"="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() != 0 {
		t.Errorf("piped export: %v, stderr %q", err, stderr.String())
	}
}
