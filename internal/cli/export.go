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
	c := newCommand(e, "export [--out FILE] [--since DATE] [--until DATE] [--category C]... [--snapshot ID]... [--format zip|wacz] [--json]",
		"Write an evidence kit: one zip with every selected snapshot's artifacts, an offline report\n"+
			"(index.html), the hash-chained event log, manifest.json, SHA256SUMS and an Ed25519 signature.\n"+
			"--format wacz writes a WACZ 1.1.1 web archive instead. Without --out the file is\n"+
			"ringfence-evidence-YYYY-MM-DD.zip (or .wacz) in the current folder, -2, -3, ... when\n"+
			"that name is taken (never replaced). DATE is YYYY-MM-DD or RFC 3339.\n"+
			"Check a kit with 'ringfence verify FILE'; docs/evidence-kit.md explains the format.")
	out := c.fs.String("out", "", "write the kit to `FILE`")
	since := c.fs.String("since", "", "only snapshots captured at or after `DATE`")
	until := c.fs.String("until", "", "only snapshots captured before `DATE`")
	var cats, ids csvFlag
	c.fs.Var(&cats, "category", "only this evidence `category` (repeatable): "+strings.Join(store.Categories, ", "))
	c.fs.Var(&ids, "snapshot", "only the snapshot with this `ID` (repeatable)")
	format := c.fs.String("format", evidence.FormatZip, "zip (evidence kit) or wacz (web archive)")
	asJSON := c.fs.Bool("json", false, "print the result as JSON")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(e.Stderr, "ringfence export: "+format+"\n", a...)
		return ExitUsage
	}
	if *format != evidence.FormatZip && *format != evidence.FormatWACZ {
		return usage("--format must be zip or wacz, not %q", *format)
	}
	for _, cat := range cats {
		if !slices.Contains(store.Categories, cat) {
			return usage("--category %q is not one of %s", cat, strings.Join(store.Categories, ", "))
		}
	}
	f := evidence.Filter{Categories: cats, IDs: ids}
	var err error
	if f.Since, err = store.ParseBound(*since); err != nil {
		return usage("--since: %v", err)
	}
	if f.Until, err = store.ParseBound(*until); err != nil {
		return usage("--until: %v", err)
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
	opts, err := evidence.WithStaging(st, evidence.Options{Filter: f, SigningKey: key, HostVersion: version.Version})
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
	path := *out
	var res evidence.Result
	if path != "" {
		res, err = evidence.ExportFile(ctx, src, path, *format, opts)
	} else {
		// A new dated file in the current folder; an earlier kit is never replaced.
		var wd string
		if wd, err = os.Getwd(); err == nil {
			path, res, err = evidence.ExportNew(ctx, src, wd, *format, time.Now(), opts)
		}
	}
	if tty {
		fmt.Fprint(e.Stderr, "\r\033[K")
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
	fmt.Fprintf(e.Stdout, "Wrote %s\n  %d snapshot(s), %d event(s), %d file(s)\n", abs, res.Snapshots, res.Events, res.Files)
	if *format == evidence.FormatZip {
		fmt.Fprintf(e.Stdout, "  signing key %s\n  open index.html inside the zip to read it; check it with: ringfence verify %s\n", res.Fingerprint, path)
	} else {
		fmt.Fprintf(e.Stdout, "  open it in ReplayWeb.page; check it with: ringfence verify %s\n", path)
	}
	return ExitOK
}

func runVerify(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "verify FILE [--expect-fingerprint SHA256:...] [--json]",
		"Check an evidence kit (or a WACZ): every file's SHA-256 against manifest.json and SHA256SUMS,\n"+
			"the Ed25519 signature, each snapshot against the hashes recorded at capture, the event\n"+
			"chain, and that no file is missing or extra. Prints one line per problem, naming the file.\n"+
			"A kit carries its own public key: a good signature proves nothing changed after signing;\n"+
			"--expect-fingerprint also proves who signed it (the fingerprint ringfence export printed).\n"+
			"Exit status 0 only when the kit is intact, 1 when anything is wrong.")
	asJSON := c.fs.Bool("json", false, "print the result as JSON")
	expect := c.fs.String("expect-fingerprint", "", "fail unless the kit is signed by the key with this `FINGERPRINT` (SHA256:…)")
	pos, code, ok := c.parse(e, args, 1, 1)
	if !ok {
		return code
	}
	v, kind, err := evidence.VerifyFile(ctx, pos[0])
	if err != nil {
		fmt.Fprintf(e.Stderr, "ringfence verify: %s: %v\n", pos[0], err)
		return ExitFailure
	}
	if *expect != "" {
		v.ExpectSigner(*expect)
	}
	if *asJSON {
		if v.Problems == nil {
			v.Problems = []evidence.Problem{}
		}
		writeJSON(e.Stdout, map[string]any{"file": pos[0], "kind": kind, "ok": v.OK(), "verification": v})
	} else if v.OK() {
		if kind == "wacz" {
			fmt.Fprintf(e.Stdout, "OK: %s is an intact WACZ (%d files, %d snapshots), signed by ECDSA P-384 key %s\n", pos[0], v.Files, v.Snapshots, v.Fingerprint)
		} else {
			fmt.Fprintf(e.Stdout, "OK: %s is intact: %d files, %d snapshots, %d events (chain head %s), signed by %s\n",
				pos[0], v.Files, v.Snapshots, v.Events, v.ChainHead, v.Fingerprint)
			if *expect == "" {
				fmt.Fprintln(e.Stdout, "  (the signer is the key inside the kit: compare its fingerprint with the one the kit's author gave you, or pass --expect-fingerprint)")
			}
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
