package protocol

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/evidence"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// TestPropertyAcceptedInputsExportAndVerify sends random event.log and
// snapshot requests — odd times and offsets, odd Unicode, quotes and
// newlines, deep and invalid details, long URLs, reserved artifact names —
// and checks that every request is either refused with a stable code or
// stored so that a kit and a WACZ of everything verify with `ringfence
// verify`, and the kit passes the stand-alone checks docs/evidence-kit.md
// gives a third party (sha256sum, openssl, the Python chain check), run
// exactly as written there.
func TestPropertyAcceptedInputsExportAndVerify(t *testing.T) {
	for _, tool := range []string{"python3", "sha256sum", "openssl", "unzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed for the stand-alone checks: %v", tool, err)
		}
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("RINGFENCE_PROPERTY_SEED"); v != "" {
		fmt.Sscan(v, &seed)
	}
	t.Logf("seed %d (rerun with RINGFENCE_PROPERTY_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for round := 0; round < 3; round++ {
		t.Run(fmt.Sprint("round", round), func(t *testing.T) { propertyRound(t, rng) })
	}
}

var stableCodes = map[string]bool{spec.CodeBadJSON: true, spec.CodeBadRequest: true, spec.CodeTooLarge: true}

func propertyRound(t *testing.T, rng *rand.Rand) {
	ctx := context.Background()
	st := newStore(t, store.Options{})
	s := NewServer(st, nil, testKeys)
	accepted := 0
	check := func(what string, r ReplyOf) bool {
		t.Helper()
		if r.OK {
			accepted++
			return true
		}
		if !stableCodes[r.Error.Code] {
			t.Fatalf("%s: refused with %q (%s), want bad_json, bad_request or too_large", what, r.Error.Code, r.Error.Message)
		}
		return false
	}
	for i := 0; i < 40; i++ {
		body := map[string]any{"type": randType(rng), "rule_id": randText(rng, 40), "url": randURL(rng)}
		if rng.IntN(4) > 0 {
			body["at"] = randTime(rng)
		}
		// Built by hand: the detail may be invalid JSON or invalid UTF-8,
		// which json.Marshal would refuse or repair.
		b, _ := json.Marshal(body)
		if rng.IntN(5) > 0 {
			b = append(append(append(b[:len(b)-1], `,"detail":`...), randDetail(rng)...), '}')
		}
		frame := append(append([]byte(`{"id":"p","type":"event.log","body":`), b...), '}')
		check("event.log", decodeReply(t, s.Handle(context.Background(), frame)))
	}
	snaps := 0
	for i := 0; i < 8; i++ {
		if uploadRandom(t, s, rng, check) {
			snaps++
		}
	}
	if snaps == 0 { // the kit needs one snapshot
		m := metaJSON()
		m["captured_at"] = "2026-01-02T03:04:05.678Z"
		upload(t, s, m, []byte(`{}`))
	}
	t.Logf("%d requests accepted, %d snapshots", accepted, snaps)

	dir := t.TempDir()
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	src := evidence.StoreSource{Store: st}
	for _, format := range []string{evidence.FormatZip, evidence.FormatWACZ} {
		path := filepath.Join(dir, "kit."+format)
		opts, err := evidence.WithStaging(st, evidence.Options{SigningKey: key, HostVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := evidence.ExportFile(ctx, src, path, format, opts); err != nil {
			t.Fatalf("export %s: %v", format, err)
		}
		v, _, err := evidence.VerifyFile(ctx, path)
		if err != nil || len(v.Problems) != 0 {
			t.Fatalf("verify %s: %v %+v", format, err, v)
		}
	}
	standAloneChecks(t, filepath.Join(dir, "kit.zip"))
}

// standAloneChecks unzips the kit and runs docs/evidence-kit.md's commands.
func standAloneChecks(t *testing.T, kit string) {
	t.Helper()
	out := t.TempDir()
	if b, err := exec.Command("unzip", "-q", kit, "-d", out).CombinedOutput(); err != nil {
		t.Fatalf("unzip: %v %s", err, b)
	}
	doc, err := os.ReadFile("../../docs/evidence-kit.md")
	if err != nil {
		t.Fatal(err)
	}
	sec := string(doc)
	sec = sec[strings.Index(sec, "## How a third party verifies a kit"):strings.Index(sec, "## WACZ")]
	blocks := regexp.MustCompile("(?s)```(sh|python)\n(.*?)```").FindAllStringSubmatch(sec, -1)
	ran := 0
	for _, b := range blocks {
		lang, code := b[1], b[2]
		if strings.Contains(code, "from cryptography") {
			continue // a third-party package; openssl checks the same signature
		}
		if strings.Contains(code, "ringfence ") || strings.Contains(code, "openssl ts ") {
			continue // the timestamp recipe: needs our CLI or a TSA's answer, not a stand-alone check
		}
		code = strings.ReplaceAll(code, "/tmp/present", filepath.Join(t.TempDir(), "present"))
		var cmd *exec.Cmd
		if lang == "sh" {
			cmd = exec.Command("bash", "-euo", "pipefail", "-c", code)
		} else {
			cmd = exec.Command("python3", "-c", code)
		}
		cmd.Dir = out
		b, err := cmd.CombinedOutput()
		if err != nil || (lang == "sh" && strings.Contains(code, "diff") && strings.Contains(string(b), "<")) {
			t.Fatalf("docs/evidence-kit.md check failed: %v\n%s\n--- output:\n%s", err, code, b)
		}
		ran++
	}
	// Step 3's one-liner is inline text.
	if m := regexp.MustCompile("`(python3 -c 'import json;.*?sha256sum --strict -c)`").FindStringSubmatch(sec); m != nil {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", m[1])
		cmd.Dir = out
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("manifest check: %v\n%s", err, b)
		}
		ran++
	}
	if ran < 4 {
		t.Fatalf("only %d stand-alone checks found in docs/evidence-kit.md", ran)
	}
}

func uploadRandom(t *testing.T, s *Server, rng *rand.Rand, check func(string, ReplyOf) bool) bool {
	t.Helper()
	meta := metaJSON()
	meta["url"] = randURL(rng)
	meta["final_url"] = randURL(rng)
	meta["title"] = randText(rng, 80)
	meta["captured_at"] = randTime(rng)
	meta["language"] = randText(rng, 10)
	meta["notes"] = map[string]string{"page_language": randText(rng, 12), randText(rng, 8): randURL(rng)}
	names := []string{"dom.html", "screenshot.png", "text.txt", "settings.json", "page.mhtml", "meta.json", ".", "..", "x", "a-b_c.d"}
	mimes := map[string]string{"dom.html": "text/html", "screenshot.png": "image/png", "text.txt": "text/plain",
		"settings.json": "application/json", "page.mhtml": "multipart/related"}
	var arts []map[string]any
	data := map[string][]byte{}
	for _, i := range rng.Perm(len(names))[:1+rng.IntN(4)] {
		n := names[i]
		b := []byte(randText(rng, 200))
		if n == "settings.json" {
			b, _ = json.Marshal(map[string]any{"api_keys": []any{}, "note": string(b)})
		}
		mime := mimes[n]
		if mime == "" {
			mime = "application/octet-stream"
		}
		data[n] = b
		arts = append(arts, map[string]any{"name": n, "mime": mime, "size": len(b), "sha256": sum(b)})
	}
	r := call(t, s, "snapshot.begin", map[string]any{"meta": meta, "artifacts": arts})
	if !check("snapshot.begin", r) {
		return false
	}
	var b struct {
		UploadID string `json:"upload_id"`
	}
	json.Unmarshal(r.Body, &b)
	for n, d := range data {
		if r := call(t, s, "snapshot.chunk", map[string]any{"upload_id": b.UploadID, "artifact": n, "offset": 0,
			"data": base64.StdEncoding.EncodeToString(d)}); !r.OK {
			t.Fatalf("chunk of an accepted upload: %+v", r.Error)
		}
	}
	return check("snapshot.commit", call(t, s, "snapshot.commit", map[string]any{"upload_id": b.UploadID}))
}

// randTime is an RFC 3339 time anywhere in years 0..9999 (mostly near now),
// with any offset up to ±23:59 and 0..9 fraction digits.
func randTime(rng *rand.Rand) string {
	y := 2026
	switch rng.IntN(4) {
	case 0:
		y = rng.IntN(10000)
	case 1:
		y = []int{0, 1, 1969, 1999, 2000, 9999}[rng.IntN(6)]
	}
	frac := ""
	if n := rng.IntN(10); n > 0 {
		frac = "." + fmt.Sprintf("%09d", rng.IntN(1e9))[:n]
	}
	off := "Z"
	if rng.IntN(2) == 0 {
		off = fmt.Sprintf("%c%02d:%02d", "+-"[rng.IntN(2)], rng.IntN(24), rng.IntN(60))
	}
	return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d%s%s", y, 1+rng.IntN(12), 1+rng.IntN(28),
		rng.IntN(24), rng.IntN(60), rng.IntN(60), frac, off)
}

func randType(rng *rand.Rand) string {
	if rng.IntN(8) == 0 {
		return randText(rng, 10) // mostly invalid
	}
	return []string{"warning.shown", "guard.cancelled", "a", "x.y_z"}[rng.IntN(4)]
}

// randText mixes ASCII, JSON and HTML specials, control characters, line
// separators, astral characters, zero-width characters and secrets.
func randText(rng *rand.Rand, max int) string {
	pieces := []string{"a", "Z", "0", " ", "\"", "\\", "/", "<", ">", "&", "'", "\n", "\r", "\t", "\x00", "\x1f", "\x7f",
		"\u2028", "\u2029", "\u200b", "\u00ad", "é", "日本", "😀", "\ufeff", `"detail":`, "}", "{", "[", "%0A",
		"sk-proj-Ab3dEf9hIj2kLmN0pQrStUvWx", "?password=pw", "#token=t"}
	var b strings.Builder
	for n := rng.IntN(max + 1); n > 0; n-- {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

func randURL(rng *rand.Rand) string {
	u := "https://platform.openai.com/" + randText(rng, 30)
	if rng.IntN(6) == 0 {
		u += "?ref=" + strings.Repeat("r", 8000+rng.IntN(2000))
	}
	return u
}

// randDetail is JSON (sometimes too deep, sometimes invalid UTF-8 or not
// JSON at all) with random strings inside.
func randDetail(rng *rand.Rand) string {
	switch rng.IntN(10) {
	case 0:
		return "{\"a\":\"\xff\"}"
	case 1:
		return "not json"
	}
	var gen func(depth int) any
	gen = func(depth int) any {
		if depth <= 0 {
			return randText(rng, 12)
		}
		switch rng.IntN(4) {
		case 0:
			return []any{gen(depth - 1), rng.Float64(), nil}
		case 1:
			return map[string]any{randText(rng, 6): gen(depth - 1), "n": rng.IntN(1000)}
		case 2:
			return rng.IntN(2) == 0
		}
		return randText(rng, 20)
	}
	depth := rng.IntN(6)
	if rng.IntN(6) == 0 {
		depth = 20 + rng.IntN(30) // around MaxDetailDepth
	}
	b, _ := json.Marshal(gen(depth))
	return string(b)
}
