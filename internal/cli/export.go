package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/evidence"
	"github.com/ringfence/ringfence/internal/store"
	"github.com/ringfence/ringfence/internal/version"
)

// csvFlag collects a flag given several times (--snapshot A --snapshot B);
// commas also separate values.
type csvFlag []string

func (l *csvFlag) String() string { return strings.Join(*l, ",") }
func (l *csvFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func runExport(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "export [--out PATH] [--since DATE] [--until DATE] [--category C]... [--snapshot ID]... [--format zip|wacz|pdf] [--with-pdf] [--lang LANG] [--json]",
		"Write an evidence kit: one zip with every selected snapshot's artifacts, a report for people\n"+
			"(index.html, and report.pdf with --with-pdf), the hash-chained event log, manifest.json,\n"+
			"SHA256SUMS and a signature. --format wacz writes a WACZ 1.1.1 web archive with the same\n"+
			"signing key; --format pdf writes only the report, as a PDF. Without --out, or with --out\n"+
			"naming a folder, the file is ringfence-evidence-YYYY-MM-DD.zip (.wacz, .pdf) there, -2, -3, ...\n"+
			"when that name is taken (never replaced); --out FILE must end in the format's extension.\n"+
			"DATE is YYYY-MM-DD or RFC 3339. LANG is en, de, fr, es or ja (default en).\n"+
			"Check a kit with 'ringfence verify FILE'; docs/evidence-kit.md explains the format.")
	out := c.fs.String("out", "", "write the kit to `PATH`: a file name, or an existing folder to put a dated kit in")
	since := c.fs.String("since", "", "only snapshots captured at or after `DATE`")
	until := c.fs.String("until", "", "only snapshots captured before `DATE`")
	var cats, ids csvFlag
	c.fs.Var(&cats, "category", "only this evidence `category` (repeatable): "+strings.Join(store.Categories, ", "))
	c.fs.Var(&ids, "snapshot", "only the snapshot with this `ID` (repeatable)")
	format := c.fs.String("format", evidence.FormatZip, "`FORMAT`: zip (evidence kit), wacz (web archive) or pdf (the report alone)")
	withPDF := c.fs.Bool("with-pdf", false, "also put the report as report.pdf into the kit (zip only)")
	lang := c.fs.String("lang", "en", "`LANG`, the report's language: "+strings.Join(evidence.Languages, ", "))
	asJSON := c.fs.Bool("json", false, "print the result as JSON")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(e.Stderr, "ringfence export: "+format+"\n", a...)
		return ExitUsage
	}
	switch *format {
	case evidence.FormatZip, evidence.FormatWACZ, evidence.FormatPDF:
	default:
		return usage("--format must be zip, wacz or pdf, not %q", *format)
	}
	if *withPDF && *format != evidence.FormatZip {
		return usage("--with-pdf puts a PDF into a zip kit; with --format %s leave it out", *format)
	}
	if !evidence.ValidLang(*lang) {
		return usage("--lang %q is not one of %s", *lang, strings.Join(evidence.Languages, ", "))
	}
	for _, cat := range cats {
		if !slices.Contains(store.Categories, cat) {
			return usage("--category %q is not one of %s", cat, strings.Join(store.Categories, ", "))
		}
	}
	f := evidence.Filter{Categories: cats, IDs: ids}
	var err error
	if f.Since, err = parseDate(*since); err != nil {
		return usage("--since: %v", err)
	}
	if f.Until, err = parseDate(*until); err != nil {
		return usage("--until: %v", err)
	}
	// --out: an existing folder gets a new dated file inside it; a file name
	// must carry the format's extension, so "--out k.pdf" never holds a zip.
	path, dir := *out, ""
	if path == "" {
		if dir, err = os.Getwd(); err != nil {
			return fail(e, "export", err)
		}
	} else if st, err := os.Stat(path); err == nil && st.IsDir() {
		dir, path = path, ""
	} else if ext := strings.ToLower(filepath.Ext(path)); ext != "."+*format {
		want := strings.TrimSuffix(path, filepath.Ext(path)) + "." + *format
		hint := ""
		switch ext {
		case ".zip", ".wacz", ".pdf":
			hint = fmt.Sprintf(", or add --format %s", ext[1:])
		}
		return usage("--out %s does not end in .%s, the extension of --format %s: name it %s%s", path, *format, *format, want, hint)
	}

	st, ring, err := openStore(ctx, e)
	if err != nil {
		return fail(e, "export", err)
	}
	defer st.Close()
	key, err := ring.SigningKey(ctx)
	if err != nil {
		return fail(e, "export", fmt.Errorf("signing key: %w", err))
	}
	opts, err := evidence.WithStaging(st, evidence.Options{Filter: f, SigningKey: key, HostVersion: version.Version, Lang: *lang, WithPDF: *withPDF})
	if err != nil {
		return fail(e, "export", err)
	}
	tty := isTerminal(e.Stderr)
	if tty {
		// Redraw at most ten times a second.
		opts.Progress = evidence.Throttle(func(done, total int, stage string) {
			fmt.Fprintf(e.Stderr, "\rExporting %s: %d/%d snapshots ", stage, done, total)
		}, 100*time.Millisecond)
	}
	src := evidence.StoreSource{Store: st}
	var res evidence.Result
	if path != "" {
		res, err = evidence.ExportFile(ctx, src, path, *format, opts)
	} else {
		// A new dated file; an earlier kit is never replaced.
		path, res, err = evidence.ExportNew(ctx, src, dir, *format, time.Now(), opts)
	}
	if tty {
		fmt.Fprint(e.Stderr, "\r\033[K")
	}
	var unknown *evidence.UnknownIDsError
	if errors.As(err, &unknown) {
		fmt.Fprintf(e.Stderr, "ringfence export: --snapshot: %s not found (or outside --since/--until/--category); nothing written (see 'ringfence list')\n", strings.Join(unknown.IDs, ", "))
		return ExitNotFound
	}
	if errors.Is(err, evidence.ErrEmpty) {
		fmt.Fprintln(e.Stderr, "ringfence export: no snapshot matches; nothing written (see 'ringfence list')")
		return ExitNotFound
	}
	if err != nil {
		return fail(e, "export", err)
	}
	abs, _ := filepath.Abs(path)
	// A kit carries the log as stored; say now if it cannot verify.
	if bad, err := st.VerifyChain(ctx); err == nil && bad != 0 {
		fmt.Fprintf(e.Stderr, "ringfence export: warning: the stored event log is broken at seq %d (changed outside Ringfence); 'ringfence verify' will report it\n", bad)
	}
	if *asJSON {
		writeJSON(e.Stdout, map[string]any{"path": abs, "format": *format, "snapshots": res.Snapshots,
			"events": res.Events, "files": res.Files, "chain_head": res.ChainHead, "fingerprint": res.Fingerprint})
		return ExitOK
	}
	fmt.Fprintf(e.Stdout, "Wrote %s\n  %d snapshot(s), %d event(s), %d file(s)\n  signing key %s\n", abs, res.Snapshots, res.Events, res.Files, res.Fingerprint)
	switch *format {
	case evidence.FormatZip:
		fmt.Fprintf(e.Stdout, "  open index.html inside the zip to read it; check it with: ringfence verify %s\n", path)
		fmt.Fprintf(e.Stdout, "  add a trusted timestamp with: ringfence timestamp request %s\n", path)
	case evidence.FormatWACZ:
		fmt.Fprintf(e.Stdout, "  open it in ReplayWeb.page; check it with: ringfence verify %s\n", path)
	case evidence.FormatPDF:
		fmt.Fprintln(e.Stdout, "  the report alone: the files it lists are in the zip kit ('ringfence export')")
	}
	return ExitOK
}

// parseDate reads --since/--until, saying what is accepted when it fails
// (Go's own error shows its reference layout, which helps nobody).
func parseDate(s string) (time.Time, error) {
	t, err := store.ParseBound(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date: use YYYY-MM-DD (2026-11-30) or RFC 3339 (2026-11-30T14:00:00Z or 2026-11-30T15:00:00+01:00)", s)
	}
	return t, nil
}

func runVerify(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "verify FILE [--expect-fingerprint SHA256:...] [--json]",
		"Check an evidence kit (or a WACZ): every file's SHA-256 against manifest.json and SHA256SUMS\n"+
			"(datapackage.json for a WACZ), the signature, each snapshot against the hashes recorded at\n"+
			"capture, the event chain, an attached trusted timestamp, and that no file is missing or\n"+
			"extra. Prints one line per problem, naming the file.\n"+
			"A file carries its own public key: a good signature proves nothing changed after signing;\n"+
			"--expect-fingerprint also proves who signed it (the fingerprint ringfence export printed,\n"+
			"with or without \"SHA256:\", in any case). Kits and WACZ files share one signing key.\n"+
			"Exit status 0 only when the file is intact, 1 when anything is wrong, 2 for bad arguments.")
	asJSON := c.fs.Bool("json", false, "print the result as JSON")
	expect := c.fs.String("expect-fingerprint", "", "fail unless the file is signed by the key with this `FINGERPRINT` (SHA256:<hex> or the bare hex)")
	pos, code, ok := c.parse(e, args, 1, 1)
	if !ok {
		return code
	}
	want := ""
	if *expect != "" {
		fp, err := evidence.ParseFingerprint(*expect)
		if err != nil {
			fmt.Fprintf(e.Stderr, "ringfence verify: --expect-fingerprint: %v\n", err)
			return ExitUsage
		}
		want = fp
	}
	v, kind, err := evidence.VerifyFile(ctx, pos[0])
	if err != nil {
		fmt.Fprintf(e.Stderr, "ringfence verify: %s: %v\n", pos[0], err)
		return ExitFailure
	}
	if want != "" {
		v.ExpectSigner(want)
	}
	if *asJSON {
		if v.Problems == nil {
			v.Problems = []evidence.Problem{}
		}
		writeJSON(e.Stdout, map[string]any{"file": pos[0], "kind": kind, "ok": v.OK(), "verification": v})
	} else if v.OK() {
		what := "is intact"
		if kind == "wacz" {
			what = "is an intact WACZ"
		}
		fmt.Fprintf(e.Stdout, "OK: %s %s: %d files, %d snapshots, %d events (chain head %s), signed by %s\n",
			pos[0], what, v.Files, v.Snapshots, v.Events, orDash(v.ChainHead), v.Fingerprint)
		if want != "" {
			fmt.Fprintln(e.Stdout, "  the signer is the expected key")
		} else {
			fmt.Fprintln(e.Stdout, "  (the signer is the key inside the file: compare its fingerprint with the one its author gave you, or pass --expect-fingerprint)")
		}
		if ts := v.Timestamp; ts != nil {
			fmt.Fprintf(e.Stdout, "  timestamped by %s at %s\n  (whether to trust that TSA is yours to decide: openssl ts -verify with its CA certificate, docs/evidence-kit.md)\n",
				ts.TSA, ts.Time.Format(time.RFC3339))
		} else {
			fmt.Fprintln(e.Stdout, "  no trusted timestamp: its times come from the clock of the computer that made it")
		}
	} else {
		for _, p := range v.Problems {
			fmt.Fprintln(e.Stdout, p.String())
		}
		fmt.Fprintf(e.Stderr, "ringfence verify: %s is NOT intact: %d problem(s)\n", pos[0], len(v.Problems))
	}
	if !v.OK() {
		return ExitFailure
	}
	return ExitOK
}

func orDash(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func runTimestamp(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "timestamp request KIT [--out FILE.tsq] [--tsa URL] | timestamp attach KIT RESPONSE.tsr [--request FILE.tsq]",
		"Add an RFC 3161 trusted timestamp to a kit or WACZ, prepared offline (Ringfence never goes\n"+
			"online). 'request' writes KIT.tsq, a timestamp request for the SHA-256 of the kit's\n"+
			"signature, and prints the commands that send it to a timestamp authority (TSA) of your\n"+
			"choice. 'attach' checks the TSA's response against the kit (and the request) and stores it\n"+
			"in the kit as timestamp.tsr; the signature and every hash stay valid. 'ringfence verify'\n"+
			"then reports who timestamped it and when.")
	outFlag := c.fs.String("out", "", "write the request to `FILE` (default: KIT.tsq)")
	tsa := c.fs.String("tsa", "https://freetsa.org/tsr", "the timestamp authority's `URL` to show in the commands")
	reqFlag := c.fs.String("request", "", "the request `FILE` the response answers (default: KIT.tsq, when it exists)")
	pos, code, ok := c.parse(e, args, 2, 3)
	if !ok {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(e.Stderr, "ringfence timestamp: "+format+"\n", a...)
		return ExitUsage
	}
	kit := pos[1]
	switch pos[0] {
	case "request":
		if len(pos) != 2 {
			return usage("request takes one file: ringfence timestamp request KIT")
		}
		data, _, err := evidence.TimestampedData(kit)
		if err != nil {
			return fail(e, "timestamp", err)
		}
		tsq, err := evidence.NewTimestampRequest(data)
		if err != nil {
			return fail(e, "timestamp", err)
		}
		out := *outFlag
		if out == "" {
			out = kit + ".tsq"
		}
		if err := os.WriteFile(out, tsq, 0o644); err != nil {
			return fail(e, "timestamp", err)
		}
		tsr := strings.TrimSuffix(out, ".tsq") + ".tsr"
		fmt.Fprintf(e.Stdout, "Wrote %s: an RFC 3161 request for the SHA-256 of the kit's signature.\n\n", out)
		fmt.Fprintf(e.Stdout, "Send it to a timestamp authority (any RFC 3161 TSA; Ringfence itself never goes online):\n")
		fmt.Fprintf(e.Stdout, "  curl -sS -H 'Content-Type: application/timestamp-query' --data-binary @%s -o %s %s\n", shellQuote(out), shellQuote(tsr), *tsa)
		fmt.Fprintf(e.Stdout, "Look at what it answered:\n  openssl ts -reply -in %s -text\n", shellQuote(tsr))
		fmt.Fprintf(e.Stdout, "Then store it in the kit:\n  ringfence timestamp attach %s %s\n", shellQuote(kit), shellQuote(tsr))
		return ExitOK
	case "attach":
		if len(pos) != 3 {
			return usage("attach takes the kit and the response: ringfence timestamp attach KIT RESPONSE.tsr")
		}
		resp, err := os.ReadFile(pos[2])
		if err != nil {
			return fail(e, "timestamp", err)
		}
		reqPath := *reqFlag
		if reqPath == "" {
			if _, err := os.Stat(kit + ".tsq"); err == nil {
				reqPath = kit + ".tsq"
			}
		}
		var req []byte
		if reqPath != "" {
			if req, err = os.ReadFile(reqPath); err != nil {
				return fail(e, "timestamp", err)
			}
		}
		info, err := evidence.AttachTimestamp(ctx, kit, resp, req)
		if err != nil {
			fmt.Fprintf(e.Stderr, "ringfence timestamp: %s: %v; the kit is unchanged\n", pos[2], err)
			return ExitFailure
		}
		fmt.Fprintf(e.Stdout, "Attached %s to %s: timestamped by %s at %s\n", pos[2], kit, info.TSA, info.Time.Format(time.RFC3339))
		if reqPath == "" {
			fmt.Fprintln(e.Stdout, "  (no request file found: checked against the kit's signature only)")
		}
		fmt.Fprintf(e.Stdout, "  check it with: ringfence verify %s\n", shellQuote(kit))
		return ExitOK
	}
	return usage("unknown subcommand %q: use 'request' or 'attach'", pos[0])
}

// shellQuote quotes s for a POSIX shell when it needs it, so printed
// commands can be pasted as they are.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@+=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isTerminal reports whether w is a character device (a terminal), so the
// progress line never lands in a pipe or a log file.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
