// Package installer registers the Ringfence native messaging host with
// browsers: it knows where every supported browser looks for host
// manifests on Linux, macOS and Windows (locations.go), writes them
// (files, and registry keys on Windows), records what it wrote so uninstall
// removes exactly that, and repeats each browser's own lookup for `doctor`.
package installer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/internal/config"
)

// Machine is Env plus the effects install needs; the CLI fills it from the
// real process, tests from temp dirs and fakes.
type Machine struct {
	Env
	Exe      string                               // the binary to copy (os.Executable())
	Euid     int                                  // os.Geteuid(); -1 on Windows
	Owner    func(path string) (uid int, ok bool) // owner of a file (Unix)
	Registry Registry                             // nil off Windows
	Environ  []string                             // environment for spawned hosts (doctor)
	// Cmd is how the user runs this ringfence: "ringfence" when that name
	// finds it on PATH, else its full path. Every printed hint uses it, so
	// each names a command that works. "" means "ringfence".
	Cmd string
}

// cmd is the command hints print, followed by args.
func (m Machine) cmd(args string) string {
	c := m.Cmd
	if c == "" {
		c = "ringfence"
	}
	if strings.ContainsAny(c, " \t'\"") {
		c = "'" + strings.ReplaceAll(c, "'", `'\''`) + "'"
	}
	return c + " " + args
}

// Options are install's flags.
type Options struct {
	Browsers     []string // --browser, repeatable
	UserDataDir  string   // --user-data-dir
	ExtensionIDs []string // --extension-id, repeatable
	System       bool     // --system
	DryRun       bool     // --dry-run
}

// Action is one thing install or uninstall did (or, dry, would do).
type Action struct {
	Op   string `json:"op"` // mkdir, write, unchanged, registry, config, remove, rmdir, keep
	Path string `json:"path"`
	Note string `json:"note,omitempty"`
}

// Outcome is what happened to one location.
type Outcome struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Status   string `json:"status"` // registered, would-register, skipped, blocked
	Manifest string `json:"manifest,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Result is install's report.
type Result struct {
	DryRun    bool      `json:"dry_run"`
	Locations []Outcome `json:"locations"`
	Actions   []Action  `json:"actions"`
	Notes     []string  `json:"notes,omitempty"`
	// Failed is set when something the user asked for could not be done
	// (a blocked browser named with --browser); the rest was still done.
	Failed bool `json:"failed"`
}

// usageError marks errors in the flags themselves (the CLI exits 2).
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

// IsUsage reports whether err is about the flags rather than the machine.
func IsUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

// ErrRootForUser is returned when root tries to write into a user's home.
var ErrRootForUser = errors.New("refusing to install as root into another user's home")

// Install registers the host according to o.
func Install(ctx context.Context, m Machine, o Options) (*Result, error) {
	if o.System && o.UserDataDir != "" {
		return nil, usageError{errors.New("--system and --user-data-dir exclude each other: a profile belongs to one user")}
	}
	if err := checkPrivileges(m, o); err != nil {
		return nil, err
	}
	for _, id := range o.ExtensionIDs {
		if err := ValidExtensionID(id); err != nil {
			return nil, usageError{err}
		}
	}
	res := &Result{DryRun: o.DryRun}
	sel, err := selectLocations(m, o, res)
	if err != nil {
		return nil, err
	}

	recPath := recordPath(m.Env, o.System)
	rec, _, err := loadRecord(recPath)
	if err != nil {
		return nil, err
	}
	w := &writer{m: m, dry: o.DryRun, rec: rec, res: res}

	saveRecord := func() error {
		created, err := mkdirAll(filepath.Dir(recPath), 0o700)
		if err != nil {
			return err
		}
		rec.addDirs(created)
		if err := rec.save(recPath); err != nil {
			return err
		}
		res.Actions = append(res.Actions, Action{Op: "write", Path: recPath, Note: "install record (what uninstall removes)"})
		return nil
	}
	if err := w.register(ctx, sel, o); err != nil {
		// Keep a record of whatever was written before the failure, so
		// uninstall can still remove it.
		if !o.DryRun && (len(rec.Dirs) > 0 || len(rec.Files) > 0 || len(rec.Reg) > 0) {
			err = errors.Join(err, saveRecord())
		}
		return nil, err
	}
	for i := range res.Locations {
		if res.Locations[i].Status == "" {
			res.Locations[i].Status = "registered"
			if o.DryRun {
				res.Locations[i].Status = "would-register"
			}
		}
	}
	if o.UserDataDir != "" && len(sel) == 1 {
		rec.putProfile(RecordProfile{Browser: sel[0].Browser, UserDataDir: o.UserDataDir})
	}
	if len(sel) == 0 && !res.Failed {
		res.Notes = append(res.Notes, noBrowserNote(m, o))
	}
	if len(sel) > 0 && !o.System && o.UserDataDir == "" {
		if err := w.linkOnPath(); err != nil {
			return nil, errors.Join(err, saveRecord())
		}
	}
	if o.DryRun || (len(sel) == 0 && len(o.ExtensionIDs) == 0) {
		return res, nil
	}
	if err := saveRecord(); err != nil {
		return nil, err
	}
	return res, nil
}

// checkPrivileges refuses root writing into a user's home: the files would
// belong to root and the browser, running as the user, could not update
// them (and a later user-level install would fail).
func checkPrivileges(m Machine, o Options) error {
	if m.Euid < 0 { // Windows: no uid; the OS decides.
		return nil
	}
	if o.System {
		if m.Euid != 0 {
			return errors.New("--system writes to system folders and needs root: run it with sudo")
		}
		return nil
	}
	if m.Euid != 0 {
		return nil
	}
	target := m.Home
	if o.UserDataDir != "" {
		target = o.UserDataDir
	}
	uid, ok := -1, false
	if m.Owner != nil {
		for p := filepath.Clean(target); ; p = filepath.Dir(p) {
			if uid, ok = m.Owner(p); ok || filepath.Dir(p) == p {
				break
			}
		}
	}
	sudo := ""
	if m.Getenv != nil {
		sudo = m.Getenv("SUDO_USER")
	}
	how := "Run `" + m.cmd("install") + "` as that user without sudo, or `sudo " + m.cmd("install --system") + "` to register for every user"
	if ok && uid != 0 {
		return fmt.Errorf("%w: %s belongs to uid %d, and files root writes there would belong to root, which the browser (running as uid %d) could not update or remove. %s", ErrRootForUser, target, uid, uid, how)
	}
	if sudo != "" && sudo != "root" {
		return fmt.Errorf("%w: this runs under sudo for %s, but a registration in %s would serve root's browsers, not %s's. %s", ErrRootForUser, sudo, target, sudo, how)
	}
	return nil
}

// selectLocations picks the locations to register and reports the rest.
func selectLocations(m Machine, o Options, res *Result) ([]Location, error) {
	if o.UserDataDir != "" {
		if len(o.Browsers) > 1 {
			return nil, usageError{errors.New("--user-data-dir takes one --browser (the profile's browser)")}
		}
		b := ""
		if len(o.Browsers) == 1 {
			b = o.Browsers[0]
		}
		l, err := ProfileLocation(m.Env, b, o.UserDataDir)
		if err != nil {
			return nil, usageError{err}
		}
		res.Locations = append(res.Locations, Outcome{ID: l.ID, Name: l.Name, Manifest: l.Manifest})
		return []Location{l}, nil
	}
	all, err := Locations(m.Env, o.System)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{} // location ids asked for explicitly
	for _, name := range o.Browsers {
		found := false
		for _, l := range all {
			if l.ID == name {
				want[l.ID] = true
				found = true
			}
		}
		if !found {
			return nil, usageError{fmt.Errorf("unknown browser %q (known: %s, and NAME-flatpak / NAME-snap variants on Linux)", name, strings.Join(BrowserNames(), ", "))}
		}
	}
	var sel []Location
	for _, l := range all {
		detected := installed(l)
		chosen := want[l.ID]
		if len(o.Browsers) > 0 && !chosen {
			// --browser chrome also takes Chrome's Flatpak/Snap variants
			// when they are installed.
			chosen = want[l.Browser] && l.ID != l.Browser && detected
		}
		if len(o.Browsers) == 0 {
			chosen = detected
		}
		out := Outcome{ID: l.ID, Name: l.Name, Manifest: l.Manifest, Note: l.Note}
		switch {
		case !chosen:
			if len(o.Browsers) > 0 || l.ID != l.Browser {
				continue // not asked for, or an absent Flatpak/Snap variant: say nothing
			}
			out.Status = "skipped"
			out.Reason = "not installed (no " + strings.Join(l.Detect, " or ") + ")"
			out.Manifest = ""
			out.Note = ""
		case l.Blocked != "":
			out.Status = "blocked"
			out.Reason = l.Blocked
			out.Manifest = ""
			if want[l.ID] {
				res.Failed = true
			}
		default:
			sel = append(sel, l)
		}
		res.Locations = append(res.Locations, out)
	}
	return sel, nil
}

// installed reports whether the browser's config (or install) folder exists.
func installed(l Location) bool {
	for _, d := range l.Detect {
		if exists(d) {
			return true
		}
	}
	return false
}

// Target is one place a registration is written, in the shape of keybase's
// hostmanifest Installer: a manifest file (every OS), and on Windows also
// registry keys whose default value names that file. Uninstall undoes
// targets from the record; doctor reads them back as the browser does.
type Target interface {
	String() string
	write(w *writer) error
}

// FileTarget is a manifest file.
type FileTarget struct {
	Path      string
	Data      []byte
	Locations []string // location ids it serves
}

func (t FileTarget) String() string        { return t.Path }
func (t FileTarget) write(w *writer) error { return w.writeManifest(t.Path, t.Data, t.Locations) }

// RegistryTarget is a Windows registry key pointing at a manifest file.
type RegistryTarget struct {
	Key      RegKey
	Manifest string
}

func (t RegistryTarget) String() string        { return t.Key.String() }
func (t RegistryTarget) write(w *writer) error { return w.setRegistry(t.Key, t.Manifest) }

// targets lists what registering one manifest writes: the file first, so
// a key never points at a missing file.
func targets(path string, manifest []byte, ids []string, keys []RegKey) []Target {
	ts := []Target{FileTarget{Path: path, Data: manifest, Locations: ids}}
	for _, k := range keys {
		ts = append(ts, RegistryTarget{Key: k, Manifest: path})
	}
	return ts
}

// register writes (or, dry, describes) the selected registrations: the
// host copies, then per manifest its targets.
func (w *writer) register(ctx context.Context, sel []Location, o Options) error {
	res := w.res
	// Extra ids: what config.json already lists plus --extension-id, so a
	// re-install keeps ids added earlier.
	var extra []string
	if !o.System {
		var err error
		extra, err = w.updateConfig(o.ExtensionIDs)
		if err != nil {
			return err
		}
	} else {
		extra = o.ExtensionIDs
		if len(extra) > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("the host accepts extra ids only from each user's %s (%s); add %s there", config.AllowedKey, "RINGFENCE_HOME/config.json", strings.Join(extra, ", ")))
		}
	}

	// Group by manifest path: several browsers can share one file (Brave
	// and Chrome's system folder on Linux, one registry key on Windows).
	type group struct {
		loc Location
		ids []string
	}
	var order []string
	groups := map[string]*group{}
	for _, l := range sel {
		g, ok := groups[l.Manifest]
		if !ok {
			g = &group{loc: l}
			groups[l.Manifest] = g
			order = append(order, l.Manifest)
		}
		g.ids = append(g.ids, l.ID)
	}

	binaries := map[string]bool{}
	for _, path := range order {
		g := groups[path]
		if err := ctx.Err(); err != nil {
			return err
		}
		if !binaries[g.loc.Binary] {
			if !o.System {
				// The folder above bin/ is a data dir (ours, or a Flatpak's
				// copy): private, as the host itself creates it.
				if err := w.mkdir(filepath.Dir(filepath.Dir(g.loc.Binary)), 0o700); err != nil {
					return err
				}
			}
			if err := w.copyBinary(g.loc.Binary); err != nil {
				return err
			}
			binaries[g.loc.Binary] = true
		}
		man := BuildManifest(g.loc.Family, g.loc.Binary, extra).Encode()
		for _, t := range targets(path, man, g.ids, g.loc.Reg) {
			if err := t.write(w); err != nil {
				return err
			}
		}
	}
	return nil
}

// writer performs (or, dry, describes) install's writes and records them.
type writer struct {
	m   Machine
	dry bool
	rec *Record
	res *Result
}

func (w *writer) act(op, path, note string) {
	w.res.Actions = append(w.res.Actions, Action{Op: op, Path: path, Note: note})
}

func (w *writer) mkdir(d string, perm os.FileMode) error {
	if w.dry {
		if !exists(d) {
			w.act("mkdir", d, "")
		}
		return nil
	}
	created, err := mkdirAll(d, perm)
	w.rec.addDirs(created)
	for _, c := range created {
		w.act("mkdir", c, "")
	}
	return err
}

func (w *writer) copyBinary(dst string) error {
	if w.m.Exe == "" {
		return errors.New("cannot find the running ringfence binary to copy")
	}
	data, err := os.ReadFile(w.m.Exe)
	if err != nil {
		return fmt.Errorf("read the ringfence binary %s: %w", w.m.Exe, err)
	}
	return w.putFile(RecordFile{Path: dst, Kind: "binary", SHA256: bytesSHA256(data)}, data, 0o755,
		"host binary", "host binary (copy of "+w.m.Exe+")")
}

func (w *writer) writeManifest(path string, data []byte, ids []string) error {
	what := "manifest for " + strings.Join(ids, ", ")
	return w.putFile(RecordFile{Path: path, Kind: "manifest", SHA256: bytesSHA256(data), Locations: ids}, data, 0o644,
		what, what)
}

// putFile makes sure rf.Path (and its folder) holds data, writing only when
// it differs, and records the file either way. The action's note is
// unchanged or written, depending.
func (w *writer) putFile(rf RecordFile, data []byte, perm os.FileMode, unchanged, written string) error {
	if err := w.mkdir(filepath.Dir(rf.Path), 0o755); err != nil {
		return err
	}
	if sameContent(rf.Path, data) {
		w.rec.putFile(rf)
		w.act("unchanged", rf.Path, unchanged)
		return nil
	}
	if prev, err := os.ReadFile(rf.Path); err == nil && !w.rec.hasFile(rf.Path) && rf.Kind == "manifest" {
		// A manifest of the same name that we did not write: keep it, so
		// uninstall restores it rather than deleting someone else's file.
		orig := string(prev)
		rf.Original = &orig
		written += " (replacing an existing file, kept in the install record)"
	}
	w.act("write", rf.Path, written)
	if w.dry {
		return nil
	}
	if err := writeFileAtomic(rf.Path, data, perm); err != nil {
		return err
	}
	w.rec.putFile(rf)
	return nil
}

func (w *writer) setRegistry(k RegKey, manifest string) error {
	if w.m.Registry == nil {
		return fmt.Errorf("cannot write %s: no registry on %s", k, w.m.GOOS)
	}
	cur, err := w.m.Registry.Default(k)
	if err == nil && cur == manifest {
		w.rec.putReg(k, manifest)
		w.act("unchanged", k.String(), "→ "+manifest)
		return nil
	}
	w.act("registry", k.String(), "→ "+manifest)
	if w.dry {
		return nil
	}
	if err := w.m.Registry.SetDefault(k, manifest); err != nil {
		return err
	}
	w.rec.putReg(k, manifest)
	return nil
}

// updateConfig adds ids to config.json's allowed list and returns the full
// list of extra ids.
func (w *writer) updateConfig(add []string) ([]string, error) {
	path := config.Path(w.m.DataDir)
	fields, ids, existed, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	var added []string
	for _, id := range add {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
			added = append(added, id)
		}
	}
	if len(added) == 0 {
		return ids, nil
	}
	w.act("config", path, "allow "+strings.Join(added, ", "))
	if w.dry {
		return ids, nil
	}
	if err := w.mkdir(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if existed && w.rec.ConfigOriginal == nil && !w.rec.ConfigCreated {
		orig, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		s := string(orig)
		w.rec.ConfigOriginal = &s
	}
	if err := writeConfig(path, fields, ids); err != nil {
		return nil, err
	}
	if !existed {
		w.rec.ConfigCreated = true
	}
	if w.rec.ConfigWritten, err = fileSHA256(path); err != nil {
		return nil, err
	}
	for _, id := range added {
		if !slices.Contains(w.rec.ConfigIDs, id) {
			w.rec.ConfigIDs = append(w.rec.ConfigIDs, id)
		}
	}
	return ids, nil
}

// isNotExist is errors.Is(err, fs.ErrNotExist), shortened.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// noBrowserNote explains an install that found nothing to register. A
// browser installed system-wide that this user never started has no
// per-user folder yet: say so, rather than advise installing it.
func noBrowserNote(m Machine, o Options) string {
	if !o.System {
		if progs := systemInstalled(m.Env); len(progs) > 0 {
			verb := " is installed: start it once"
			if len(progs) > 1 {
				verb = " are installed: start one once"
			}
			return "no browser profile found for this user, but " + strings.Join(progs, ", ") + verb + " and re-run `" + m.cmd("install") + "`, or register it now with `" + m.cmd("install --browser "+progs[0]) + "`"
		}
	}
	return "no supported browser found; install one, or name one with `" + m.cmd("install --browser NAME") + "` (NAME: " + strings.Join(BrowserNames(), ", ") + ")"
}

// systemInstalled lists the browsers whose program folder exists.
func systemInstalled(e Env) []string {
	sys, err := Locations(e, true)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range sys {
		if installed(l) && !slices.Contains(out, l.Browser) {
			out = append(out, l.Browser)
		}
	}
	return out
}

// binDirName is the per-user folder of commands (XDG's ~/.local/bin).
var binDirName = filepath.Join(".local", "bin")

// linkOnPath puts the CLI on PATH for a per-user install: a symlink
// ~/.local/bin/ringfence → the data folder's copy, created only when
// ~/.local/bin is on PATH (otherwise a folder nobody searches would only
// mislead); else a note says how to run it. An existing file of that name
// that is not our link is left alone. Windows gets the note only.
func (w *writer) linkOnPath() error {
	m := w.m
	bin := m.UserBinary()
	dir := filepath.Join(m.Home, binDirName)
	link := filepath.Join(dir, "ringfence")
	if m.GOOS == "windows" || !onPath(m.env("PATH"), dir) {
		if m.Cmd != "ringfence" { // else another ringfence is already on PATH
			w.res.Notes = append(w.res.Notes, fmt.Sprintf("ringfence is not on PATH: run it as %s, or add %s to PATH (e.g. in ~/.profile: export PATH=\"$HOME/.local/bin:$PATH\") and re-run `%s` to link it there", bin, dir, Machine{Cmd: bin}.cmd("install")))
		}
		return nil
	}
	if cur, err := os.Readlink(link); err == nil && cur == bin {
		w.rec.putFile(RecordFile{Path: link, Kind: "link", Link: bin})
		w.act("unchanged", link, "link to the host, on PATH")
		return nil
	}
	if _, err := os.Lstat(link); err == nil {
		w.res.Notes = append(w.res.Notes, fmt.Sprintf("%s exists and is not Ringfence's link: kept; run the host as %s", link, bin))
		return nil
	}
	w.act("link", link, "→ "+bin+" (on PATH: run `ringfence`)")
	if w.dry {
		return nil
	}
	if err := w.mkdir(dir, 0o755); err != nil {
		return err
	}
	if err := os.Symlink(bin, link); err != nil {
		return fmt.Errorf("link %s on PATH: %w", link, err)
	}
	w.rec.putFile(RecordFile{Path: link, Kind: "link", Link: bin})
	return nil
}

// onPath reports whether dir is one of PATH's entries.
func onPath(path, dir string) bool {
	for _, p := range filepath.SplitList(path) {
		if p != "" && filepath.Clean(p) == filepath.Clean(dir) {
			return true
		}
	}
	return false
}
