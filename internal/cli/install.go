package cli

// install, uninstall and doctor's browser checks: thin wrappers over the
// installer package (docs/install.md).

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/ringfence/ringfence/installer"
	"github.com/ringfence/ringfence/internal/keys"
)

// installList is a repeatable string flag.
type installList []string

func (l *installList) String() string     { return strings.Join(*l, ",") }
func (l *installList) Set(v string) error { *l = append(*l, v); return nil }

var _ flag.Value = (*installList)(nil)

// machine describes the real machine for the installer.
func machine(e *Env, home string) (installer.Machine, error) {
	userHome := e.Getenv("HOME")
	if runtime.GOOS == "windows" {
		userHome = e.Getenv("USERPROFILE")
	}
	if userHome == "" {
		return installer.Machine{}, errors.New("cannot find your home folder: HOME is not set")
	}
	exe, err := os.Executable()
	if err != nil {
		return installer.Machine{}, fmt.Errorf("find the running binary: %w", err)
	}
	return installer.Machine{
		Env:      installer.Env{GOOS: runtime.GOOS, Home: userHome, Getenv: e.Getenv, DataDir: home},
		Exe:      exe,
		Euid:     os.Geteuid(),
		Owner:    installer.FileOwner,
		Registry: installer.OSRegistry(),
		Environ:  os.Environ(),
		Cmd:      commandName(e.Getenv("PATH"), exe),
	}, nil
}

// commandName is how hints should name ringfence: "ringfence" when PATH
// finds one, else the running binary's full path, so a printed hint works
// when pasted.
func commandName(path, exe string) string {
	name := "ringfence"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	for _, d := range filepath.SplitList(path) {
		if st, err := os.Stat(filepath.Join(d, name)); d != "" && err == nil && st.Mode().IsRegular() && (runtime.GOOS == "windows" || st.Mode().Perm()&0o111 != 0) {
			return "ringfence"
		}
	}
	return exe
}

func runInstall(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "install [--browser NAME]... [--user-data-dir DIR] [--extension-id ID]... [--system] [--dry-run] [--json]",
		"Register the native messaging host with your browsers. By default every\n"+
			"installed browser (its config folder exists) is registered; the host\n"+
			"binary is copied into the data folder so the registration survives\n"+
			"`make clean`. Re-running is safe. Browsers: "+strings.Join(installer.BrowserNames(), ", ")+".")
	var browsers, ids installList
	c.fs.Var(&browsers, "browser", "register only this browser (repeatable); NAME-flatpak / NAME-snap pick a Linux variant")
	userDataDir := c.fs.String("user-data-dir", "", "register inside this Chromium-family profile folder (DIR/NativeMessagingHosts)")
	c.fs.Var(&ids, "extension-id", "also allow this extension id (a Chrome store id or a Firefox id; repeatable; kept in config.json)")
	system := c.fs.Bool("system", false, "register for every user (system folders / HKLM; needs root or admin)")
	dry := c.fs.Bool("dry-run", false, "print what would be written, write nothing")
	asJSON := c.fs.Bool("json", false, "print the result as JSON")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	home, err := dataHome(e)
	if err != nil {
		return fail(e, "install", err)
	}
	m, err := machine(e, home)
	if err != nil {
		return fail(e, "install", err)
	}
	res, err := installer.Install(ctx, m, installer.Options{
		Browsers: browsers, UserDataDir: *userDataDir, ExtensionIDs: ids, System: *system, DryRun: *dry,
	})
	if installer.IsUsage(err) {
		fmt.Fprintf(e.Stderr, "ringfence install: %v\n", err)
		return ExitUsage
	}
	if err != nil {
		return fail(e, "install", err)
	}
	if *asJSON {
		writeJSON(e.Stdout, res)
	} else {
		printResult(e.Stdout, res)
	}
	if res.Failed {
		return ExitFailure
	}
	return ExitOK
}

func runUninstall(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "uninstall [--system] [--purge [--yes]] [--dry-run] [--json]",
		"Remove exactly what install wrote (its record lists it): manifests,\n"+
			"registry keys, the host copy, ids it added to config.json, and the\n"+
			"folders it created when they are empty. --purge also deletes the data\n"+
			"folder (snapshots, events) and Ringfence's keyring entries.")
	system := c.fs.Bool("system", false, "undo a --system install")
	purge := c.fs.Bool("purge", false, "also delete the data folder and the keyring entries (asks first)")
	yes := c.fs.Bool("yes", false, "with --purge: do not ask")
	dry := c.fs.Bool("dry-run", false, "print what would be removed, remove nothing")
	asJSON := c.fs.Bool("json", false, "print the result as JSON")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	home, err := dataHome(e)
	if err != nil {
		return fail(e, "uninstall", err)
	}
	m, err := machine(e, home)
	if err != nil {
		return fail(e, "uninstall", err)
	}
	res, err := installer.Uninstall(ctx, m, installer.UninstallOptions{
		System: *system, DryRun: *dry, Purge: *purge,
		Confirm: func(q string) bool {
			if *yes {
				return true
			}
			fmt.Fprintf(e.Stderr, "%s [y/N] ", q)
			line, _ := bufio.NewReader(e.Stdin).ReadString('\n')
			a := strings.ToLower(strings.TrimSpace(line))
			return a == "y" || a == "yes"
		},
		DeleteKeys: func(ctx context.Context) (string, error) { return deleteKeyringEntries(ctx, home) },
	})
	if res != nil {
		if *asJSON {
			writeJSON(e.Stdout, res)
		} else {
			printResult(e.Stdout, res)
		}
	}
	if err != nil {
		return fail(e, "uninstall", err)
	}
	return ExitOK
}

// deleteKeyringEntries removes the entries internal/keys creates for home.
func deleteKeyringEntries(ctx context.Context, home string) (string, error) {
	return keys.Delete(ctx, home)
}

func printResult(w io.Writer, r *installer.Result) {
	if r.DryRun {
		fmt.Fprintln(w, "Dry run: nothing was changed.")
	}
	for _, l := range r.Locations {
		line := fmt.Sprintf("  %-15s %-18s", l.Status, l.ID)
		switch {
		case l.Reason != "":
			line += " " + l.Reason
		case l.Manifest != "":
			line += " " + l.Manifest
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		if l.Note != "" && l.Status != "skipped" {
			fmt.Fprintf(w, "  %-15s %-18s note: %s\n", "", "", l.Note)
		}
	}
	for _, a := range r.Actions {
		line := fmt.Sprintf("  %-9s %s", a.Op, a.Path)
		if a.Note != "" {
			line += "  (" + a.Note + ")"
		}
		fmt.Fprintln(w, line)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "Note: "+n)
	}
}

// browserChecks adds the per-browser registration checks to `doctor`.
func browserChecks(ctx context.Context, e *Env, home string) []check {
	m, err := machine(e, home)
	if err != nil {
		return []check{{Name: "browsers", Detail: err.Error(), Fix: "set HOME (USERPROFILE on Windows)"}}
	}
	var out []check
	for _, c := range installer.Doctor(ctx, m) {
		out = append(out, check{Name: c.Name, OK: c.OK, Detail: c.Detail, Fix: c.Fix})
	}
	return out
}
