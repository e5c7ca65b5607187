package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/platform"
	"github.com/ringfence/ringfence/internal/store"
	"github.com/ringfence/ringfence/internal/version"
)

func runVersion(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "version [--json]", "Print the host version and the native messaging protocol version.")
	asJSON := c.fs.Bool("json", false, "print JSON")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	if *asJSON {
		writeJSON(e.Stdout, map[string]any{"version": version.Version, "protocol_version": version.Protocol})
		return ExitOK
	}
	fmt.Fprintf(e.Stdout, "ringfence %s (protocol %d)\n", version.Version, version.Protocol)
	return ExitOK
}

func fail(e *Env, verb string, err error) int {
	fmt.Fprintf(e.Stderr, "ringfence %s: %v\n", verb, err)
	if errors.Is(err, store.ErrNotFound) {
		return ExitNotFound
	}
	return ExitFailure
}

func runList(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "list [--json] [--limit N] [--category C] [--since DATE] [--until DATE]",
		"List stored snapshots, newest first. DATE is YYYY-MM-DD or RFC 3339 (UTC unless it has an offset).")
	asJSON := c.fs.Bool("json", false, "print a JSON array of snapshots (with their artifacts)")
	limit := c.fs.Int("limit", 0, "show at most `N` snapshots (0 = all)")
	category := c.fs.String("category", "", "only snapshots of this evidence category")
	since := c.fs.String("since", "", "only snapshots captured at or after `DATE`")
	until := c.fs.String("until", "", "only snapshots captured before `DATE`")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	if *limit < 0 {
		fmt.Fprintln(e.Stderr, "ringfence list: --limit must be 0 (all) or more")
		return ExitUsage
	}
	f := store.Filter{Limit: *limit}
	if *category != "" {
		if !slices.Contains(store.Categories, *category) {
			fmt.Fprintf(e.Stderr, "ringfence list: --category %q is not one of %s\n", *category, strings.Join(store.Categories, ", "))
			return ExitUsage
		}
		f.Categories = []string{*category}
	}
	var err error
	if f.Since, err = store.ParseBound(*since); err != nil {
		fmt.Fprintf(e.Stderr, "ringfence list: --since: %v\n", err)
		return ExitUsage
	}
	if f.Until, err = store.ParseBound(*until); err != nil {
		fmt.Fprintf(e.Stderr, "ringfence list: --until: %v\n", err)
		return ExitUsage
	}
	// Listing reads no blob: the data key (a D-Bus round trip or more
	// with the OS keyring) is fetched in the background and not waited for.
	st, _, err := openStoreLazy(ctx, e)
	if err != nil {
		return fail(e, "list", err)
	}
	defer st.Close()
	if *asJSON {
		// Streamed from one query: 10 000 snapshots in well under the
		// time building them all first took.
		if err := st.WriteListJSON(ctx, e.Stdout, f); err != nil {
			return fail(e, "list", err)
		}
		return ExitOK
	}
	snaps, err := st.ListSnapshots(ctx, f)
	if err != nil {
		return fail(e, "list", err)
	}
	if len(snaps) == 0 {
		if *category != "" || *since != "" || *until != "" {
			fmt.Fprintln(e.Stdout, "No snapshot matches.")
		} else {
			fmt.Fprintln(e.Stdout, "No snapshots yet.")
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCAPTURED (UTC)\tCATEGORY\tTRIGGER\tFILES\tBYTES\tTITLE")
	for _, s := range snaps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", s.ID, s.CapturedAt.Format("2006-01-02 15:04:05"),
			s.Category, s.Trigger, len(s.Artifacts), s.Bytes(), clip(s.Title, 50))
	}
	tw.Flush()
	return ExitOK
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func runShow(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "show ID [--json] [--artifact NAME --out FILE]",
		"Show one snapshot's metadata and artifacts, or with --artifact write one decrypted artifact\n"+
			"(byte-identical to what the extension captured) to FILE ('-' for standard output).")
	asJSON := c.fs.Bool("json", false, "print JSON")
	artifact := c.fs.String("artifact", "", "the artifact `NAME` to write")
	out := c.fs.String("out", "", "where to write the artifact (`FILE`, or - for standard output)")
	pos, code, ok := c.parse(e, args, 1, 1)
	if !ok {
		return code
	}
	if (*artifact == "") != (*out == "") {
		fmt.Fprintln(e.Stderr, "ringfence show: --artifact and --out go together")
		return ExitUsage
	}
	st, _, err := openStore(ctx, e)
	if err != nil {
		return fail(e, "show", err)
	}
	defer st.Close()
	snap, err := st.GetSnapshot(ctx, pos[0])
	if err != nil {
		return fail(e, "show", err)
	}
	if *artifact != "" {
		if err := writeArtifact(ctx, e, st, snap.ID, *artifact, *out); err != nil {
			return fail(e, "show", err)
		}
		return ExitOK
	}
	if *asJSON {
		writeJSON(e.Stdout, snap)
		return ExitOK
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	row := func(k string, v any) { fmt.Fprintf(tw, "%s\t%v\n", k, v) }
	row("id", snap.ID)
	row("captured", fmt.Sprintf("%s UTC (local offset %+d min)", snap.CapturedAt.Format("2006-01-02 15:04:05.000"), snap.TZOffsetMinutes))
	row("stored", snap.StoredAt.Format("2006-01-02 15:04:05.000")+" UTC")
	row("url", snap.URL)
	if snap.FinalURL != snap.URL {
		row("final url", snap.FinalURL)
	}
	row("title", snap.Title)
	row("category", snap.Category+" ("+snap.CategorySource+")")
	row("trigger", snap.Trigger)
	row("browser", strings.TrimSpace(snap.Browser+" "+snap.BrowserVersion))
	row("versions", fmt.Sprintf("extension %s, host %s", snap.ExtensionVersion, snap.HostVersion))
	row("viewport", fmt.Sprintf("%dx%d @%gx, %s", snap.ViewportWidth, snap.ViewportHeight, snap.DevicePixelRatio, snap.Language))
	if snap.APIKeyCount != nil {
		row("api keys", *snap.APIKeyCount)
	}
	for _, r := range snap.Redactions {
		row("redacted", fmt.Sprintf("%d × %s in %s", r.Count, r.Rule, r.Artifact))
	}
	for k, v := range snap.Notes {
		row("note", k+": "+v)
	}
	tw.Flush()
	fmt.Fprintln(e.Stdout, "\nArtifacts:")
	tw = tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tMIME\tBYTES\tSHA-256")
	for _, a := range snap.Artifacts {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", a.Name, a.MIME, a.Size, a.SHA256)
	}
	tw.Flush()
	return ExitOK
}

// writeArtifact writes via a temp file and rename, so FILE is either the
// whole artifact or untouched.
func writeArtifact(ctx context.Context, e *Env, st *store.Store, id, name, out string) error {
	r, err := st.OpenArtifact(ctx, id, name)
	if err != nil {
		return err
	}
	defer r.Close()
	if out == "-" {
		_, err = io.Copy(e.Stdout, r)
		return err
	}
	// Named like an export's partial kit and tracked the same way: the
	// artifact is decrypted, so a killed `show` must not leave it behind.
	tmp, err := os.CreateTemp(dirOf(out), ".ringfence-show.partial-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	release, err := st.TrackPartial(tmp.Name())
	if err != nil {
		return err
	}
	defer release()
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return os.Rename(tmp.Name(), out)
}

func dirOf(p string) string {
	i := strings.LastIndexAny(p, `/\`)
	if i < 0 {
		return "."
	}
	if i == 0 {
		return p[:1]
	}
	return p[:i]
}

func runEvents(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "events [--json]",
		"Print the append-only event log (warnings shown, what the user did), oldest first.\n"+
			"--json prints JSON Lines: one event per line, with the fields its hash covers\n"+
			"(docs/data-model.md gives the formula to recompute the chain).")
	asJSON := c.fs.Bool("json", false, "print JSON Lines")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	st, _, err := openStore(ctx, e)
	if err != nil {
		return fail(e, "events", err)
	}
	defer st.Close()
	var tw *tabwriter.Writer
	if !*asJSON {
		tw = tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tAT (UTC)\tTYPE\tRULE\tURL")
	}
	enc := json.NewEncoder(e.Stdout)
	err = st.Events(ctx, func(ev store.Event) error {
		if *asJSON {
			return enc.Encode(ev)
		}
		_, err := fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", ev.Seq, ev.At.Format("2006-01-02 15:04:05.000"), ev.Type, ev.RuleID, ev.URL)
		return err
	})
	if tw != nil {
		tw.Flush()
	}
	if err != nil {
		return fail(e, "events", err)
	}
	return ExitOK
}

func runDoctor(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "doctor [--json]",
		"Check the data folder, the database, the keyring and the browser registrations.\n"+
			"Exit status 1 when any check fails; each failure says how to fix it.")
	asJSON := c.fs.Bool("json", false, "print JSON")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	home, err := dataHome(e)
	var checks []check
	if err != nil {
		checks = append(checks, check{Name: "data folder", Detail: err.Error(), Fix: "set RINGFENCE_HOME to a writable folder"})
	} else {
		checks = append(checks, storeChecks(ctx, home)...)
		checks = append(checks, browserChecks(ctx, e, home)...)
	}
	ok := true
	for _, ch := range checks {
		ok = ok && ch.OK
	}
	if *asJSON {
		writeJSON(e.Stdout, map[string]any{"ok": ok, "home": home, "checks": checks})
	} else {
		for _, ch := range checks {
			mark := "ok  "
			if !ch.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(e.Stdout, "[%s] %s", mark, ch.Name)
			if ch.Detail != "" {
				fmt.Fprintf(e.Stdout, ": %s", ch.Detail)
			}
			fmt.Fprintln(e.Stdout)
			if !ch.OK && ch.Fix != "" {
				fmt.Fprintf(e.Stdout, "       fix: %s\n", ch.Fix)
			}
		}
	}
	if !ok {
		return ExitFailure
	}
	return ExitOK
}

// storeChecks covers the data folder, the keyring and the database.
func storeChecks(ctx context.Context, home string) []check {
	var out []check
	dir := check{Name: "data folder", Detail: home}
	if err := os.MkdirAll(home, 0o700); err != nil {
		dir.Detail, dir.Fix = err.Error(), "make "+home+" writable, or set RINGFENCE_HOME"
	} else if f, err := os.CreateTemp(home, ".doctor-*"); err != nil {
		dir.Detail, dir.Fix = "not writable: "+err.Error(), "make "+home+" writable, or set RINGFENCE_HOME"
	} else {
		f.Close()
		os.Remove(f.Name())
		dir.OK = true
	}
	out = append(out, dir)
	if !dir.OK {
		return out
	}
	// A killed export or upload leaves decrypted or staged evidence behind:
	// remove it and say so.
	left := check{Name: "temporary files", OK: true, Detail: "no leftovers of killed exports or uploads"}
	if removed := store.SweepStaging(store.StagingDirOf(platform.DB(home)), time.Hour); len(removed) > 0 {
		left.Detail = fmt.Sprintf("removed %d left by killed exports or uploads: %s", len(removed), strings.Join(removed, ", "))
	}
	out = append(out, left)

	ring, err := keys.Open(ctx, home)
	kc := check{Name: "keyring"}
	if err != nil {
		kc.Detail, kc.Fix = err.Error(), "check that "+home+" is writable"
		return append(out, kc)
	}
	st := ring.Status()
	kc.OK = st.OK
	kc.Detail = st.Backend
	if st.Detail != "" {
		kc.Detail += " — " + st.Detail
	}
	if !st.OK {
		kc.Fix = "unlock or start the OS keyring (e.g. log in to the desktop session), then run doctor again"
	}
	out = append(out, kc)

	db := check{Name: "database", Detail: platform.DB(home)}
	if _, err := os.Stat(platform.DB(home)); errors.Is(err, os.ErrNotExist) {
		db.OK, db.Detail = true, platform.DB(home)+" (not created yet: the first snapshot creates it)"
		return append(out, db)
	}
	key, err := ring.DataKey(ctx)
	if err != nil {
		db.Detail, db.Fix = err.Error(), "unlock the OS keyring and run doctor again"
		return append(out, db)
	}
	s, err := store.Open(ctx, platform.DB(home), key)
	if err != nil {
		db.Detail, db.Fix = err.Error(), "restore the keyring entry or key file this database was created with"
		return append(out, db)
	}
	defer s.Close()
	res, err := s.IntegrityCheck(ctx)
	switch {
	case err != nil:
		db.Detail, db.Fix = err.Error(), "copy the database elsewhere and run: sqlite3 ringfence.db .recover"
	case res != "ok":
		db.Detail, db.Fix = "integrity_check: "+res, "copy the database elsewhere and run: sqlite3 ringfence.db .recover"
	default:
		v, _ := s.SchemaVersion(ctx)
		stats, _ := s.Stats(ctx)
		db.OK = true
		db.Detail = fmt.Sprintf("%s: integrity ok, schema %d, %d snapshots, %d events", platform.DB(home), v, stats.Snapshots, stats.Events)
	}
	out = append(out, db)

	chain := check{Name: "event log"}
	bad, err := s.VerifyChain(ctx)
	switch {
	case err != nil:
		chain.Detail = err.Error()
	case bad != 0:
		chain.Detail, chain.Fix = fmt.Sprintf("hash chain broken at event %d", bad), "the event table was edited outside ringfence; keep a copy of the database as evidence"
	default:
		chain.OK, chain.Detail = true, "hash chain intact"
	}
	return append(out, chain)
}
