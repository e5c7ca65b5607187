package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/dashboard"
	"github.com/ringfence/ringfence/internal/importer"
	"github.com/ringfence/ringfence/internal/redact"
	"github.com/ringfence/ringfence/internal/store"
	"github.com/ringfence/ringfence/internal/version"
)

func runServe(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "serve [--addr 127.0.0.1:0] [--open] [--unsafe-listen] [--print-token]",
		"Serve the evidence dashboard (the case workspace) on loopback. The first line printed is the\n"+
			"URL to open, with the access token. Scripts use 'Authorization: Bearer TOKEN'.\n"+
			"Stops cleanly on Ctrl-C / SIGTERM. docs/dashboard.md explains the security model.")
	addr := c.fs.String("addr", "127.0.0.1:0", "listen on `HOST:PORT` (port 0 = any free port)")
	open := c.fs.Bool("open", false, "open the dashboard in the default browser")
	unsafe := c.fs.Bool("unsafe-listen", false, "allow a non-loopback --addr (anyone who can reach it and has the token sees your evidence)")
	printToken := c.fs.Bool("print-token", false, "print the access token and exit")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		fmt.Fprintf(e.Stderr, "ringfence serve: --addr %q: %v\n", *addr, err)
		return ExitUsage
	}
	if !dashboard.IsLoopback(*addr) {
		if !*unsafe {
			fmt.Fprintf(e.Stderr, "ringfence serve: refusing to listen on %s: not a loopback address (use 127.0.0.1, ::1 or localhost, or add --unsafe-listen)\n", *addr)
			return ExitUsage
		}
		fmt.Fprintf(e.Stderr, "ringfence serve: WARNING: listening on %s, reachable from other machines; the token is the only protection and HTTP is not encrypted\n", *addr)
	}
	home, err := dataHome(e)
	if err != nil {
		return fail(e, "serve", err)
	}
	st, ring, err := openStore(ctx, e)
	if err != nil {
		return fail(e, "serve", err)
	}
	defer st.Close()
	token, err := ring.DashboardToken(ctx)
	if err != nil {
		return fail(e, "serve", fmt.Errorf("dashboard token: %w", err))
	}
	if *printToken {
		fmt.Fprintln(e.Stdout, token)
		return ExitOK
	}
	if n, err := st.BackfillAPIKeys(ctx); err != nil {
		fmt.Fprintf(e.Stderr, "ringfence serve: %v\n", err)
	} else if n > 0 {
		fmt.Fprintf(e.Stderr, "ringfence serve: API-key inventory filled from %d earlier snapshot(s)\n", n)
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *addr)
	if err != nil {
		return fail(e, "serve", err)
	}
	srv, err := dashboard.New(dashboard.Config{
		Store: st, Token: token, SigningKey: ring.SigningKey, HostVersion: version.Version,
		ExportDir: filepath.Join(home, "exports"),
		Logf:      func(f string, a ...any) { fmt.Fprintf(e.Stderr, "ringfence serve: "+f+"\n", a...) },
	})
	if err != nil {
		ln.Close()
		return fail(e, "serve", err)
	}
	url := dashboard.URL(ln.Addr(), token)
	fmt.Fprintln(e.Stdout, url)
	if err := dashboard.WriteRecord(home, dashboard.Record{PID: os.Getpid(), Addr: ln.Addr().String(), StartedAt: time.Now().UTC()}); err != nil {
		fmt.Fprintf(e.Stderr, "ringfence serve: %v\n", err)
	}
	defer dashboard.RemoveRecord(home, os.Getpid())
	if *open {
		if err := openBrowser(url); err != nil {
			fmt.Fprintf(e.Stderr, "ringfence serve: could not open a browser (%v); open the URL above\n", err)
		}
	}
	if err := srv.Serve(ctx, ln); err != nil {
		return fail(e, "serve", err)
	}
	fmt.Fprintln(e.Stderr, "ringfence serve: stopped")
	return ExitOK
}

// openBrowser hands url to the desktop's default browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	return cmd.Start()
}

func runDiff(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "diff ID1 ID2 [--json]",
		"Compare two snapshots of the same page (ID1 older, ID2 newer): settings that changed,\n"+
			"API keys that appeared or disappeared, account fields, and the page text.")
	asJSON := c.fs.Bool("json", false, "print the comparison as JSON")
	pos, code, ok := c.parse(e, args, 2, 2)
	if !ok {
		return code
	}
	st, _, err := openStore(ctx, e)
	if err != nil {
		return fail(e, "diff", err)
	}
	defer st.Close()
	res, err := dashboard.Compare(ctx, st, pos[0], pos[1])
	if err != nil {
		return fail(e, "diff", err)
	}
	if *asJSON {
		writeJSON(e.Stdout, res)
		return ExitOK
	}
	lines := res.Summary()
	for _, l := range lines {
		fmt.Fprintln(e.Stdout, l)
	}
	if res.TextChanged {
		fmt.Fprintln(e.Stdout, "text:")
		for _, l := range res.Text {
			fmt.Fprintf(e.Stdout, "  %s %s\n", l.Op, l.Text)
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintln(e.Stdout, "note: "+n)
	}
	if len(lines) == 0 && !res.TextChanged {
		fmt.Fprintln(e.Stdout, "No difference.")
	}
	return ExitOK
}

func runImport(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "import FILE... [--json]",
		"Import files as evidence: emails (.eml), PDFs, images, text transcripts. Each is redacted,\n"+
			"encrypted and stored like a snapshot's artifacts (trigger \"import\"), logged in the event\n"+
			"chain, classified into an evidence category, and included in later kits.")
	asJSON := c.fs.Bool("json", false, "print the imported entries as JSON")
	pos, code, ok := c.parse(e, args, 1, 1000)
	if !ok {
		return code
	}
	st, _, err := openStore(ctx, e)
	if err != nil {
		return fail(e, "import", err)
	}
	defer st.Close()
	r := redact.New()
	var out []map[string]any
	failed := false
	for _, p := range pos {
		snap, info, err := importOne(ctx, st, p, r)
		if err != nil {
			failed = true
			fmt.Fprintf(e.Stderr, "ringfence import: %s: %v\n", p, err)
			continue
		}
		out = append(out, map[string]any{"file": p, "id": snap.ID, "category": snap.Category, "info": info})
		if !*asJSON {
			fmt.Fprintf(e.Stdout, "%s  %s  %s\n", snap.ID, snap.Category, p)
		}
	}
	if *asJSON {
		if out == nil {
			out = []map[string]any{}
		}
		writeJSON(e.Stdout, out)
	}
	if failed {
		return ExitFailure
	}
	return ExitOK
}

func importOne(ctx context.Context, st *store.Store, path string, r *redact.Redactor) (store.Snapshot, importer.Info, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return store.Snapshot{}, importer.Info{}, err
	}
	if fi.Size() > importer.MaxFile {
		return store.Snapshot{}, importer.Info{}, fmt.Errorf("%w: %d bytes, at most %d", store.ErrTooLarge, fi.Size(), importer.MaxFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return store.Snapshot{}, importer.Info{}, err
	}
	return dashboard.Import(ctx, st, filepath.Base(path), data, r)
}

func runDelete(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "delete ID [--reason TEXT] [--json]",
		"Delete a snapshot or an import: its artifacts and their bytes go; a snapshot.deleted event\n"+
			"(who, when, which hashes) stays in the event chain, so later kits still verify.")
	reason := c.fs.String("reason", "", "why, recorded in the tombstone event")
	asJSON := c.fs.Bool("json", false, "print the result as JSON")
	pos, code, ok := c.parse(e, args, 1, 1)
	if !ok {
		return code
	}
	st, _, err := openStore(ctx, e)
	if err != nil {
		return fail(e, "delete", err)
	}
	defer st.Close()
	why, _ := redact.New().String(*reason)
	d, err := st.DeleteSnapshot(ctx, pos[0], "cli", why)
	if err != nil {
		return fail(e, "delete", err)
	}
	if *asJSON {
		writeJSON(e.Stdout, d)
		return ExitOK
	}
	names := make([]string, 0, len(d.Snapshot.Artifacts))
	for _, a := range d.Snapshot.Artifacts {
		names = append(names, a.Name)
	}
	fmt.Fprintf(e.Stdout, "Deleted %s (%s); artifacts: %s\n  tombstone: event %d, hash %s\n",
		d.Snapshot.ID, d.Snapshot.Title, strings.Join(names, ", "), d.Tombstone.Seq, d.Tombstone.Hash)
	return ExitOK
}
