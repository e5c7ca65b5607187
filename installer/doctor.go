package installer

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ringfence/ringfence/installer/probe"
	"github.com/ringfence/ringfence/internal/config"
	"github.com/ringfence/ringfence/internal/platform"
)

// HelloTimeout is how long doctor waits for the host's hello reply.
const HelloTimeout = 2 * time.Second

// Check is one line of doctor's report.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
	Fix    string `json:"fix,omitempty"`
}

// Doctor repeats each browser's own lookup of our host, step by step:
// (Windows: registry key →) manifest present → valid JSON → name matches →
// path absolute, exists, executable → our extension id allowed → the host,
// started as that browser starts it, answers hello within 2 s. It checks
// every browser that is installed or that install registered, and stops
// at a browser's first failing step.
func Doctor(ctx context.Context, m Machine) []Check {
	var out []Check
	extra, err := ConfiguredIDs(m.DataDir)
	if err != nil {
		out = append(out, Check{Name: "config", Detail: err.Error(), Fix: "fix or delete " + config.Path(m.DataDir) + " (it must be a JSON object)"})
	}
	userRec, _, uerr := loadRecord(recordPath(m.Env, false))
	sysRec, _, serr := loadRecord(recordPath(m.Env, true))
	for _, e := range []error{uerr, serr} {
		if e != nil {
			out = append(out, Check{Name: "install record", Detail: e.Error(), Fix: "delete the damaged record and run `" + m.cmd("install") + "` again"})
		}
	}
	recorded := map[string]bool{}
	for _, r := range []*Record{userRec, sysRec} {
		if r == nil {
			continue
		}
		for _, f := range r.Files {
			for _, id := range f.Locations {
				recorded[id] = true
			}
		}
	}

	user, err := Locations(m.Env, false)
	if err != nil {
		return append(out, Check{Name: "browsers", Detail: err.Error()})
	}
	sys, _ := Locations(m.Env, true)
	sysByBrowser := map[string]Location{}
	for _, l := range sys {
		sysByBrowser[l.Browser] = l
	}
	checked := 0
	for _, l := range user {
		s, hasSys := sysByBrowser[l.Browser]
		native := l.ID == l.Browser
		// The same notion of "installed" as install's (the user's config
		// folder exists), plus anything registered.
		relevant := installed(l) || recorded[l.ID] || (native && hasSys && (recorded[s.ID] || exists(s.Manifest)))
		if !relevant {
			continue
		}
		checked++
		if l.Blocked != "" {
			out = append(out, Check{Name: l.ID, Detail: l.Blocked, Fix: "use a browser that is not a Snap (see docs/install.md)"})
			continue
		}
		cands := []Location{l}
		if native && hasSys && s.Blocked == "" {
			cands = lookupOrder(m.GOOS, l, s)
		}
		out = append(out, checkBrowser(ctx, m, l.ID, cands, extra)...)
	}
	if userRec != nil {
		for _, p := range userRec.Profiles {
			l, err := ProfileLocation(m.Env, p.Browser, p.UserDataDir)
			if err != nil {
				continue
			}
			checked++
			out = append(out, checkBrowser(ctx, m, l.ID+" "+p.UserDataDir, []Location{l}, extra)...)
		}
	}
	if checked == 0 {
		c := Check{Name: "browsers", Detail: "no supported browser is installed for this user and nothing is registered",
			Fix: "install a supported browser (" + strings.Join(BrowserNames(), ", ") + "), then run `" + m.cmd("install") + "`"}
		if progs := systemInstalled(m.Env); len(progs) > 0 {
			c.Detail = strings.Join(progs, ", ") + " installed, but no profile for this user yet and nothing is registered"
			c.Fix = "run `" + m.cmd("install --browser "+progs[0]) + "` (or start the browser once, then `" + m.cmd("install") + "`)"
		}
		out = append(out, c)
	}
	return out
}

// lookupOrder is the order in which the browser itself looks: the per-user
// registration, then the system-wide one, on every OS. On Windows,
// Chromium-family browsers read each root's 32-bit registry view before the
// 64-bit one (chrome/browser/extensions/api/messaging/
// native_process_launcher_win.cc, crbug.com/1034919#c6).
func lookupOrder(goos string, user, sys Location) []Location {
	if goos == "windows" && user.Family == Chromium {
		sys.Reg = slices.Clone(sys.Reg)
		slices.SortStableFunc(sys.Reg, func(a, b RegKey) int { return strings.Compare(a.View, b.View) }) // "32" before "64"
	}
	return []Location{user, sys}
}

// checkBrowser runs the lookup for one browser over its candidate
// locations (first found wins, as in the browser).
func checkBrowser(ctx context.Context, m Machine, label string, cands []Location, extra []string) []Check {
	fix := "run `" + m.cmd("install --browser "+cands[0].Browser) + "`"
	if strings.HasSuffix(cands[0].ID, "-profile") {
		fix = "run `" + m.cmd("install --browser "+cands[0].Browser+" --user-data-dir DIR") + "` for that profile"
	} else if cands[0].ID != cands[0].Browser {
		fix = "run `" + m.cmd("install --browser "+cands[0].ID) + "`"
	}
	var out []Check
	add := func(step string, ok bool, detail, f string) bool {
		c := Check{Name: label + ": " + step, OK: ok, Detail: detail}
		if !ok {
			c.Fix = f
		}
		out = append(out, c)
		return ok
	}

	// Find the manifest as the browser would.
	var loc Location
	manifest := ""
	var looked []string
	for _, c := range cands {
		if len(c.Reg) > 0 {
			for _, k := range c.Reg {
				looked = append(looked, k.String())
				if m.Registry == nil {
					continue
				}
				v, err := m.Registry.Default(k)
				if err == nil {
					loc, manifest = c, v
					add("registry key", true, k.String()+" → "+v, "")
					break
				}
			}
		} else {
			looked = append(looked, c.Manifest)
			if _, err := os.Stat(c.Manifest); err == nil {
				loc, manifest = c, c.Manifest
			}
		}
		if manifest != "" {
			break
		}
	}
	if manifest == "" {
		what := "no manifest"
		if len(cands[0].Reg) > 0 {
			what = "no registry key"
		}
		add("manifest present", false, what+" at "+strings.Join(looked, " or "), fix)
		return out
	}
	raw, err := os.ReadFile(manifest)
	if err != nil {
		add("manifest present", false, err.Error(), fix)
		return out
	}
	add("manifest present", true, manifest, "")

	var mf Manifest
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		add("valid JSON", false, err.Error(), fix+" to rewrite "+manifest)
		return out
	}
	_ = json.Unmarshal(raw, &mf) // fields of the wrong type stay empty and fail below
	add("valid JSON", true, "", "")

	if !add("name matches", mf.Name == config.HostName, fmt.Sprintf("name is %q", mf.Name), fix+" (the name must be "+config.HostName+")") {
		return out
	}
	if mf.Type != "stdio" {
		add("type stdio", false, fmt.Sprintf("type is %q", mf.Type), fix)
		return out
	}

	hostPath := mf.Path
	if !platform.IsAbs(m.GOOS, hostPath) {
		// Only Windows allows a path relative to the manifest's folder.
		if m.GOOS != "windows" {
			add("host path", false, fmt.Sprintf("path %q is not absolute (Linux and macOS require an absolute path)", hostPath), fix)
			return out
		}
		hostPath = filepath.Join(filepath.Dir(manifest), hostPath)
	}
	st, err := os.Stat(hostPath)
	switch {
	case err != nil:
		add("host path", false, fmt.Sprintf("%s does not exist", hostPath), fix+" (it copies the host to "+loc.Binary+")")
		return out
	case st.IsDir():
		add("host path", false, hostPath+" is a folder, not a program", fix)
		return out
	case m.GOOS != "windows" && st.Mode().Perm()&0o111 == 0:
		add("host path", false, fmt.Sprintf("%s is not executable (mode %v)", hostPath, st.Mode().Perm()), "run `chmod 755 "+hostPath+"` or "+fix)
		return out
	}
	add("host path", true, hostPath, "")

	want := AllowedIDs(loc.Family, extra)
	var have, missing []string
	if loc.Family == Firefox {
		have = mf.AllowedExtensions
		for _, id := range want {
			if !slices.Contains(have, id) {
				missing = append(missing, id)
			}
		}
	} else {
		have = mf.AllowedOrigins
		for _, id := range want {
			if !slices.Contains(have, Origin(id)) {
				missing = append(missing, Origin(id))
			}
		}
	}
	if len(missing) > 0 {
		detail := "not allowed: " + strings.Join(missing, ", ")
		if loc.Family == Chromium && len(mf.AllowedExtensions) > 0 {
			detail += " (this is a Firefox manifest: it has allowed_extensions, not allowed_origins)"
		} else if loc.Family == Firefox && len(mf.AllowedOrigins) > 0 {
			detail += " (this is a Chromium manifest: it has allowed_origins, not allowed_extensions)"
		}
		add("extension allowed", false, detail, fix+" to rewrite the allowed list")
		return out
	}
	add("extension allowed", true, strings.Join(have, ", "), "")

	argv := []string{hostPath, Origin(config.DevChromeID)}
	if m.GOOS == "windows" {
		argv = append(argv, "--parent-window=0") // Chrome on Windows adds the caller's window handle
	}
	if loc.Family == Firefox {
		argv = []string{hostPath, manifest, config.DevFirefoxID}
	}
	start := time.Now()
	reply, err := probe.Hello(ctx, probe.Launch{Argv: argv, Dir: filepath.Dir(hostPath), Env: m.Environ}, HelloTimeout)
	if err != nil {
		add("hello", false, err.Error(), "run `"+hostPath+" doctor` by hand to see why the host fails, or "+fix+" to replace it")
		return out
	}
	var body struct {
		HostVersion string `json:"host_version"`
		Protocol    int    `json:"protocol_version"`
	}
	_ = json.Unmarshal(reply.Body, &body)
	add("hello", true, fmt.Sprintf("host %s, protocol %d, replied in %d ms", body.HostVersion, body.Protocol, time.Since(start).Milliseconds()), "")
	return out
}

// Failed reports whether any check failed.
func Failed(cs []Check) bool {
	return slices.ContainsFunc(cs, func(c Check) bool { return !c.OK })
}
