package installer

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ringfence/ringfence/internal/config"
	"github.com/ringfence/ringfence/internal/platform"
)

// Family is the kind of manifest a browser reads.
type Family string

const (
	Chromium Family = "chromium" // allowed_origins, argv[1] = chrome-extension://ID/
	Firefox  Family = "firefox"  // allowed_extensions, argv[1] = manifest, argv[2] = id
)

// Env is the machine as the installer sees it. Everything is injected so
// tests build any OS's table and never touch the real home.
type Env struct {
	GOOS    string
	Home    string              // the user's home directory
	Getenv  func(string) string // environment (XDG_CONFIG_HOME, LOCALAPPDATA, …)
	DataDir string              // Ringfence's data dir (platform.Home)
	// Root prefixes every system-wide path (/etc, /usr, /Library, /snap,
	// Program Files). Empty in production; tests point it at a temp dir.
	Root string
}

// RegKey is a Windows registry key whose default value is a manifest path.
type RegKey struct {
	Root string `json:"root"`           // HKCU or HKLM
	Path string `json:"path"`           // Software\...\NativeMessagingHosts\io.ringfence.host
	View string `json:"view,omitempty"` // "32" or "64" for HKLM (WOW64 views); "" for HKCU
}

func (k RegKey) String() string {
	s := k.Root + `\` + k.Path
	if k.View != "" {
		s += " (" + k.View + "-bit view)"
	}
	return s
}

// Location is one place one browser looks for our host manifest.
type Location struct {
	ID       string // "chrome", "chromium-flatpak", "chromium-snap", "chromium-profile"
	Browser  string // base browser: "chrome"
	Name     string // "Google Chrome"
	Family   Family
	System   bool
	Manifest string   // where the manifest file goes
	Reg      []RegKey // Windows: keys pointing at Manifest
	Detect   []string // the browser counts as installed when any of these exists
	// Binary is where this location's copy of the host goes; Flatpak
	// browsers need one inside the sandbox-visible folder.
	Binary string
	// Blocked, when set, says why registering here cannot work.
	Blocked string
	Note    string
	Source  string
}

type browserDef struct {
	id, name string
	family   Family
}

// browsers is every browser we register for, in report order. Where each
// one looks is in the per-OS tables below: adding a browser is one row here,
// one row in each OS table, and its golden files (docs/install.md,
// "Adding a browser").
var browsers = []browserDef{
	{"chrome", "Google Chrome", Chromium},
	{"chromium", "Chromium", Chromium},
	{"edge", "Microsoft Edge", Chromium},
	{"brave", "Brave", Chromium},
	{"vivaldi", "Vivaldi", Chromium},
	{"opera", "Opera", Chromium},
	{"firefox", "Firefox", Firefox},
	{"librewolf", "LibreWolf", Firefox},
	{"waterfox", "Waterfox", Firefox},
}

// BrowserNames lists the names --browser accepts.
func BrowserNames() []string {
	out := make([]string, 0, len(browsers))
	for _, b := range browsers {
		out = append(out, b.id)
	}
	return out
}

func findBrowser(id string) (browserDef, bool) {
	for _, b := range browsers {
		if b.id == id {
			return b, true
		}
	}
	return browserDef{}, false
}

// Sources of the facts in the table; docs/install.md repeats them.
const (
	srcChrome    = "developer.chrome.com/docs/extensions/develop/concepts/native-messaging (host location)"
	srcMDN       = "developer.mozilla.org/docs/Mozilla/Add-ons/WebExtensions/Native_manifests (manifest location)"
	srcEdge      = "learn.microsoft.com/microsoft-edge/extensions/developer-guide/native-messaging"
	srcBrowserps = "browserpass/browserpass-native Makefile (hosts-brave, hosts-vivaldi targets)"
	srcKeePassXC = "keepassxreboot/keepassxc src/browser/NativeMessageInstaller.cpp"
	srcOperaDocs = "operasoftware/devopera src/_extensions/message-passing.md (Native messaging)"
	srcOperaComm = "community installers (no Opera documentation for per-user hosts); unverified on a real Opera"
	srcWaterfox  = "BrowserWorks/waterfox issues #3241, #3763 (~/.waterfox), PR #2875 (Mozilla folders elsewhere)"
	srcWfxSys    = "filips123/PWAsForFirefox issue #738 (/usr/lib/waterfox/native-messaging-hosts)"
	srcFlatpak   = "Flathub application ids; Flatpak mounts ~/.var/app/<id> at the same path inside the sandbox"
	srcSnapBlock = "Launchpad bug 1741074; keepassxreboot/keepassxc issues #4328, #12741; brave/brave-browser #17537"
	srcSnapFx    = "keepassxreboot/keepassxc issue #4328 (the Firefox snap reaches hosts through the WebExtensions portal)"
)

// Locations returns every location for every browser on e.GOOS, per-user
// (system=false) or system-wide, in a stable order. It does not look at the
// filesystem.
func Locations(e Env, system bool) ([]Location, error) {
	var out []Location
	for _, b := range browsers {
		locs, err := browserLocations(e, b, system)
		if err != nil {
			return nil, err
		}
		out = append(out, locs...)
	}
	return out, nil
}

func browserLocations(e Env, b browserDef, system bool) ([]Location, error) {
	switch e.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return linuxLocations(e, b, system), nil
	case "darwin":
		return darwinLocations(e, b, system), nil
	case "windows":
		return windowsLocations(e, b, system), nil
	}
	return nil, fmt.Errorf("no native messaging locations known for %s", e.GOOS)
}

func (e Env) env(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

// sys prefixes a system path with e.Root.
func (e Env) sys(p string) string {
	if e.Root == "" {
		return platform.Join(e.GOOS, p)
	}
	return platform.Join(e.GOOS, e.Root, p)
}

func (e Env) exe() string { return platform.Exe(e.GOOS) }

// UserBinary is the stable per-user copy of the host (platform.UserBinary).
func (e Env) UserBinary() string { return platform.UserBinary(e.GOOS, e.DataDir) }

// SystemDir holds the system-wide copy of the host, its Windows manifests and
// the system install record (platform.SystemDir, under Root in tests).
func (e Env) SystemDir() string {
	switch {
	case e.Root == "":
		return platform.SystemDir(e.GOOS, e.env("ProgramFiles"))
	case e.GOOS == "windows":
		return platform.Join(e.GOOS, e.Root, "Program Files", "Ringfence")
	}
	return e.sys(platform.SystemDir(e.GOOS, ""))
}

// SystemBinary is the host copy used by system-wide registrations.
func (e Env) SystemBinary() string { return platform.Join(e.GOOS, e.SystemDir(), "bin", e.exe()) }

func (e Env) binary(system bool) string {
	if system {
		return e.SystemBinary()
	}
	return e.UserBinary()
}

func manifestName() string { return config.HostName + ".json" }

// Paths in the tables are written with a leading token that expand replaces:
// "~" the home folder, "$CONFIG" the XDG config folder (~/.config unless
// $XDG_CONFIG_HOME is set), "$AS" ~/Library/Application Support,
// "$LOCALAPPDATA" / "$APPDATA" / "$PROGRAMFILES" / "$PROGRAMFILES86" the
// Windows folders, and a leading "/" a system path (under Env.Root).

// snapRule says what a Linux browser's Snap does with native hosts.
type snapRule int

const (
	snapNone    snapRule = iota // no Snap we know of
	snapBlocked                 // the strict sandbox cannot start a host
	snapPortal                  // reads the real home's manifest through the portal
)

type linuxRow struct {
	id         string
	user       string   // per-user manifest folder
	detect     []string // per-user: installed when any exists
	userSrc    string
	system     string   // system-wide manifest folder
	sysDetect  []string // system-wide: the program folder
	sysBlocked string
	sysSrc     string
	flatpakID  string // Flathub application id
	flatpakNM  string // manifest folder inside ~/.var/app/<id>/
	snap       snapRule
}

// linuxTable is where each browser looks on Linux (and the BSDs). Firefox
// 147+ creates profiles under $XDG_CONFIG_HOME/mozilla but still reads hosts
// from ~/.mozilla/native-messaging-hosts, so it is detected by either.
var linuxTable = []linuxRow{
	{id: "chrome",
		user: "$CONFIG/google-chrome/NativeMessagingHosts", detect: []string{"$CONFIG/google-chrome"}, userSrc: srcChrome,
		system: "/etc/opt/chrome/native-messaging-hosts", sysDetect: []string{"/opt/google/chrome"}, sysSrc: srcChrome,
		flatpakID: "com.google.Chrome", flatpakNM: "config/google-chrome/NativeMessagingHosts"},
	{id: "chromium",
		user: "$CONFIG/chromium/NativeMessagingHosts", detect: []string{"$CONFIG/chromium"}, userSrc: srcChrome,
		system: "/etc/chromium/native-messaging-hosts", sysDetect: []string{"/usr/lib/chromium", "/usr/lib64/chromium", "/usr/lib/chromium-browser"}, sysSrc: srcChrome,
		flatpakID: "org.chromium.Chromium", flatpakNM: "config/chromium/NativeMessagingHosts", snap: snapBlocked},
	{id: "edge",
		user: "$CONFIG/microsoft-edge/NativeMessagingHosts", detect: []string{"$CONFIG/microsoft-edge"}, userSrc: srcEdge,
		system: "/etc/opt/edge/native-messaging-hosts", sysDetect: []string{"/opt/microsoft/msedge"}, sysSrc: srcEdge,
		flatpakID: "com.microsoft.Edge", flatpakNM: "config/microsoft-edge/NativeMessagingHosts"},
	{id: "brave", // Brave's Linux build reads Chrome's system folder.
		user: "$CONFIG/BraveSoftware/Brave-Browser/NativeMessagingHosts", detect: []string{"$CONFIG/BraveSoftware/Brave-Browser"}, userSrc: srcBrowserps,
		system: "/etc/opt/chrome/native-messaging-hosts", sysDetect: []string{"/opt/brave.com/brave"}, sysSrc: srcBrowserps,
		flatpakID: "com.brave.Browser", flatpakNM: "config/BraveSoftware/Brave-Browser/NativeMessagingHosts", snap: snapBlocked},
	{id: "vivaldi",
		user: "$CONFIG/vivaldi/NativeMessagingHosts", detect: []string{"$CONFIG/vivaldi"}, userSrc: srcBrowserps,
		system: "/etc/opt/vivaldi/native-messaging-hosts", sysDetect: []string{"/opt/vivaldi"}, sysSrc: srcBrowserps,
		flatpakID: "com.vivaldi.Vivaldi", flatpakNM: "config/vivaldi/NativeMessagingHosts"},
	{id: "opera",
		user: "$CONFIG/opera/NativeMessagingHosts", detect: []string{"$CONFIG/opera"}, userSrc: srcOperaComm,
		system: "/etc/opt/chrome/native-messaging-hosts", sysDetect: []string{"/usr/lib/x86_64-linux-gnu/opera", "/usr/lib/opera"}, sysSrc: srcOperaDocs,
		sysBlocked: "Opera documents no system-wide host folder on Linux; install per user (without --system)",
		flatpakID:  "com.opera.Opera", flatpakNM: "config/opera/NativeMessagingHosts"},
	{id: "firefox",
		user: "~/.mozilla/native-messaging-hosts", detect: []string{"~/.mozilla", "$CONFIG/mozilla", "~/.config/mozilla"}, userSrc: srcMDN,
		system: "/usr/lib/mozilla/native-messaging-hosts", sysDetect: []string{"/usr/lib/firefox", "/usr/lib/firefox-esr", "/usr/lib64/firefox", "/opt/firefox"}, sysSrc: srcMDN,
		flatpakID: "org.mozilla.firefox", flatpakNM: ".mozilla/native-messaging-hosts", snap: snapPortal},
	{id: "librewolf",
		user: "~/.librewolf/native-messaging-hosts", detect: []string{"~/.librewolf"}, userSrc: srcKeePassXC,
		system: "/usr/lib/librewolf/native-messaging-hosts", sysDetect: []string{"/usr/lib/librewolf", "/usr/share/librewolf"}, sysSrc: srcWfxSys + " (LibreWolf's own folder, as documented there)",
		flatpakID: "io.gitlab.librewolf-community", flatpakNM: ".librewolf/native-messaging-hosts"},
	{id: "waterfox",
		user: "~/.waterfox/native-messaging-hosts", detect: []string{"~/.waterfox"}, userSrc: srcWaterfox,
		system: "/usr/lib/waterfox/native-messaging-hosts", sysDetect: []string{"/usr/lib/waterfox", "/opt/waterfox"}, sysSrc: srcWfxSys,
		flatpakID: "net.waterfox.waterfox", flatpakNM: ".waterfox/native-messaging-hosts"},
}

type darwinRow struct {
	id      string
	user    string   // per-user manifest folder
	detect  []string // per-user: installed when any exists
	userSrc string
	system  string // system-wide manifest folder
	app     string // /Applications/<app>.app marks a system-wide install
	sysSrc  string
}

// darwinTable is where each browser looks on macOS.
var darwinTable = []darwinRow{
	{"chrome", "$AS/Google/Chrome/NativeMessagingHosts", []string{"$AS/Google/Chrome"}, srcChrome,
		"/Library/Google/Chrome/NativeMessagingHosts", "Google Chrome", srcChrome},
	{"chromium", "$AS/Chromium/NativeMessagingHosts", []string{"$AS/Chromium"}, srcChrome,
		"/Library/Application Support/Chromium/NativeMessagingHosts", "Chromium", srcChrome},
	{"edge", "$AS/Microsoft Edge/NativeMessagingHosts", []string{"$AS/Microsoft Edge"}, srcEdge,
		"/Library/Microsoft/Edge/NativeMessagingHosts", "Microsoft Edge", srcEdge},
	{"brave", "$AS/BraveSoftware/Brave-Browser/NativeMessagingHosts", []string{"$AS/BraveSoftware/Brave-Browser"}, srcBrowserps,
		"/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts", "Brave Browser", srcBrowserps},
	{"vivaldi", "$AS/Vivaldi/NativeMessagingHosts", []string{"$AS/Vivaldi"}, srcKeePassXC,
		"/Library/Application Support/Vivaldi/NativeMessagingHosts", "Vivaldi", srcBrowserps},
	// Opera's documentation names Chrome's system folder on macOS.
	{"opera", "$AS/com.operasoftware.Opera/NativeMessagingHosts", []string{"$AS/com.operasoftware.Opera"}, srcOperaComm,
		"/Library/Google/Chrome/NativeMessagingHosts", "Opera", srcOperaDocs},
	{"firefox", "$AS/Mozilla/NativeMessagingHosts", []string{"$AS/Firefox"}, srcMDN,
		"/Library/Application Support/Mozilla/NativeMessagingHosts", "Firefox", srcMDN},
	{"librewolf", "$AS/LibreWolf/NativeMessagingHosts", []string{"$AS/librewolf", "$AS/LibreWolf"}, srcKeePassXC,
		"/Library/Application Support/LibreWolf/NativeMessagingHosts", "LibreWolf", srcKeePassXC + " (user folder; the system folder by analogy, unverified)"},
	{"waterfox", "$AS/Mozilla/NativeMessagingHosts", []string{"$AS/Waterfox"}, srcWaterfox,
		"/Library/Application Support/Mozilla/NativeMessagingHosts", "Waterfox", srcWaterfox},
}

type windowsRow struct {
	id string
	// owner names the manifest file's folder: browsers sharing a registry
	// key share one file.
	owner   string
	key     string // registry path under HKCU\ / HKLM\
	detect  string // per-user: the profile folder
	program string // system-wide: folder under Program Files (and x86)
	src     string
}

const (
	keyChrome   = `Software\Google\Chrome\NativeMessagingHosts\` + config.HostName
	keyChromium = `Software\Chromium\NativeMessagingHosts\` + config.HostName
	keyEdge     = `Software\Microsoft\Edge\NativeMessagingHosts\` + config.HostName
	keyMozilla  = `Software\Mozilla\NativeMessagingHosts\` + config.HostName
)

// windowsTable is where each browser looks on Windows. Brave, Vivaldi and
// Opera read Chrome's key; LibreWolf and Waterfox read Mozilla's.
var windowsTable = []windowsRow{
	{"chrome", "chrome", keyChrome, `$LOCALAPPDATA\Google\Chrome\User Data`, `Google\Chrome\Application`, srcChrome},
	{"chromium", "chromium", keyChromium, `$LOCALAPPDATA\Chromium\User Data`, `Chromium\Application`, srcKeePassXC},
	{"edge", "edge", keyEdge, `$LOCALAPPDATA\Microsoft\Edge\User Data`, `Microsoft\Edge\Application`, srcEdge},
	{"brave", "chrome", keyChrome, `$LOCALAPPDATA\BraveSoftware\Brave-Browser\User Data`, `BraveSoftware\Brave-Browser\Application`, srcKeePassXC},
	{"vivaldi", "chrome", keyChrome, `$LOCALAPPDATA\Vivaldi\User Data`, `Vivaldi\Application`, srcKeePassXC},
	{"opera", "chrome", keyChrome, `$APPDATA\Opera Software\Opera Stable`, `Opera`, srcOperaDocs},
	{"firefox", "mozilla", keyMozilla, `$APPDATA\Mozilla\Firefox`, `Mozilla Firefox`, srcMDN},
	{"librewolf", "mozilla", keyMozilla, `$APPDATA\librewolf`, `LibreWolf`, srcKeePassXC},
	{"waterfox", "mozilla", keyMozilla, `$APPDATA\Waterfox`, `Waterfox`, srcWaterfox},
}

// expand resolves a table path's leading token (see above) for e.
func (e Env) expand(p string) string {
	g := e.GOOS
	if !strings.HasPrefix(p, "~") && !strings.HasPrefix(p, "$") {
		return e.sys(p)
	}
	// Join turns the "/" of rest into "\" on Windows.
	tok, rest, _ := strings.Cut(strings.ReplaceAll(p, `\`, "/"), "/")
	switch tok {
	case "~":
		return platform.Join(g, e.Home, rest)
	case "$CONFIG":
		cfg := e.env("XDG_CONFIG_HOME")
		if cfg == "" || !platform.IsAbs(g, cfg) {
			cfg = platform.Join(g, e.Home, ".config")
		}
		return platform.Join(g, cfg, rest)
	case "$AS":
		return platform.Join(g, e.Home, "Library", "Application Support", rest)
	case "$LOCALAPPDATA":
		return platform.Join(g, e.windowsDir("LOCALAPPDATA", `AppData\Local`), rest)
	case "$APPDATA":
		return platform.Join(g, e.windowsDir("APPDATA", `AppData\Roaming`), rest)
	}
	return e.sys(p)
}

// windowsDir is a per-user Windows folder from the environment, or its
// default under the profile.
func (e Env) windowsDir(name, def string) string {
	if d := e.env(name); d != "" {
		return platform.Join(e.GOOS, d)
	}
	return platform.Join(e.GOOS, e.Home, def)
}

func (e Env) expandAll(ps []string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if x := e.expand(p); !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func findRow[R any](rows []R, id func(R) string, want string) R {
	for _, r := range rows {
		if id(r) == want {
			return r
		}
	}
	panic("installer: browser " + want + " has no row in its OS table") // caught by the golden tests
}

func linuxLocations(e Env, b browserDef, system bool) []Location {
	g := e.GOOS
	r := findRow(linuxTable, func(r linuxRow) string { return r.id }, b.id)
	base := Location{ID: b.id, Browser: b.id, Name: b.name, Family: b.family, System: system, Binary: e.binary(system)}
	if system {
		l := base
		l.Manifest = platform.Join(g, e.expand(r.system), manifestName())
		l.Detect, l.Blocked, l.Source = e.expandAll(r.sysDetect), r.sysBlocked, r.sysSrc
		return []Location{l}
	}
	l := base
	l.Manifest = platform.Join(g, e.expand(r.user), manifestName())
	l.Detect, l.Source = e.expandAll(r.detect), r.userSrc
	out := []Location{l}

	// Flatpak: the browser runs the host inside its sandbox, so both the
	// manifest and a copy of the (static) binary live under ~/.var/app/<id>.
	app := platform.Join(g, e.Home, ".var", "app", r.flatpakID)
	fp := base
	fp.ID = b.id + "-flatpak"
	fp.Name = b.name + " (Flatpak)"
	fp.Manifest = platform.Join(g, app, r.flatpakNM, manifestName())
	fp.Detect = []string{app}
	fp.Binary = platform.Join(g, app, "data", "ringfence", "bin", e.exe())
	fp.Note = "the host runs inside the Flatpak sandbox and keeps its data in " + platform.Join(g, app, "data", "ringfence") + " unless RINGFENCE_HOME is set there"
	fp.Source = srcFlatpak
	out = append(out, fp)

	switch r.snap {
	case snapBlocked:
		sn := base
		sn.ID = b.id + "-snap"
		sn.Name = b.name + " (Snap)"
		sn.Manifest = platform.Join(g, e.Home, "snap", b.id, "common", b.id, "NativeMessagingHosts", manifestName())
		sn.Detect = []string{platform.Join(g, e.Home, "snap", b.id), e.sys("/snap/" + b.id)}
		sn.Blocked = "the " + b.name + " Snap cannot start native messaging hosts outside its sandbox; install " + b.name + " from a .deb or Flatpak, or use Firefox"
		sn.Source = srcSnapBlock
		out = append(out, sn)
	case snapPortal:
		sn := l
		sn.ID = b.id + "-snap"
		sn.Name = b.name + " (Snap)"
		sn.Detect = []string{platform.Join(g, e.Home, "snap", b.id), e.sys("/snap/" + b.id)}
		sn.Note = "the " + b.name + " snap reads " + l.Manifest + " (the real home, not ~/snap/" + b.id + ") through the WebExtensions portal and asks you once to allow it"
		sn.Source = srcSnapFx
		out = append(out, sn)
	}
	return out
}

func darwinLocations(e Env, b browserDef, system bool) []Location {
	r := findRow(darwinTable, func(r darwinRow) string { return r.id }, b.id)
	l := Location{ID: b.id, Browser: b.id, Name: b.name, Family: b.family, System: system, Binary: e.binary(system)}
	if system {
		l.Manifest, l.Detect, l.Source = e.expand(r.system), []string{e.sys("/Applications/" + r.app + ".app")}, r.sysSrc
	} else {
		l.Manifest, l.Detect, l.Source = e.expand(r.user), e.expandAll(r.detect), r.userSrc
	}
	l.Manifest = platform.Join(e.GOOS, l.Manifest, manifestName())
	return []Location{l}
}

func windowsLocations(e Env, b browserDef, system bool) []Location {
	g := e.GOOS
	r := findRow(windowsTable, func(r windowsRow) string { return r.id }, b.id)
	l := Location{ID: b.id, Browser: b.id, Name: b.name, Family: b.family, System: system, Binary: e.binary(system), Source: r.src}
	if system {
		l.Manifest = platform.Join(g, e.SystemDir(), "manifests", r.owner, manifestName())
		// 32-bit browsers on 64-bit Windows see the WOW64 view of HKLM, so
		// write both; HKCU\Software is shared between the views.
		l.Reg = []RegKey{{Root: "HKLM", Path: r.key, View: "64"}, {Root: "HKLM", Path: r.key, View: "32"}}
		pf := e.env("ProgramFiles")
		if pf == "" || e.Root != "" {
			pf = platform.Join(g, e.Root, "Program Files")
		}
		pf86 := e.env("ProgramFiles(x86)")
		if pf86 == "" || e.Root != "" {
			pf86 = platform.Join(g, e.Root, "Program Files (x86)")
		}
		l.Detect = []string{platform.Join(g, pf, r.program), platform.Join(g, pf86, r.program)}
	} else {
		l.Manifest = platform.Join(g, e.DataDir, "manifests", r.owner, manifestName())
		l.Reg = []RegKey{{Root: "HKCU", Path: r.key}}
		l.Detect = []string{e.expand(r.detect)}
	}
	return []Location{l}
}

// ProfileLocation is the registration inside a custom Chromium-family
// profile: Chromium started with --user-data-dir=DIR reads
// DIR/NativeMessagingHosts (Linux and macOS; Windows reads only the registry).
func ProfileLocation(e Env, browser, userDataDir string) (Location, error) {
	if browser == "" {
		browser = "chromium"
	}
	b, ok := findBrowser(browser)
	if !ok {
		return Location{}, fmt.Errorf("unknown browser %q (known: %s)", browser, strings.Join(BrowserNames(), ", "))
	}
	if b.family != Chromium {
		return Location{}, fmt.Errorf("--user-data-dir works only for Chromium-family browsers; %s reads its hosts from fixed folders", b.name)
	}
	if e.GOOS == "windows" {
		return Location{}, fmt.Errorf("--user-data-dir does not work on Windows: Chromium-family browsers there find hosts only through the registry")
	}
	if !platform.IsAbs(e.GOOS, userDataDir) {
		return Location{}, fmt.Errorf("--user-data-dir must be an absolute path, got %q", userDataDir)
	}
	return Location{
		ID: b.id + "-profile", Browser: b.id, Name: b.name + " (profile " + userDataDir + ")", Family: b.family,
		Manifest: platform.Join(e.GOOS, userDataDir, "NativeMessagingHosts", manifestName()),
		Detect:   []string{userDataDir},
		Binary:   e.UserBinary(),
		Source:   srcChrome + " (user-level hosts live in the user data directory)",
	}, nil
}

// Table renders the location table as text, one line per location; the
// golden tests and docs/install.md use it.
func Table(locs []Location) string {
	var b strings.Builder
	for _, l := range locs {
		scope := "user"
		if l.System {
			scope = "system"
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", l.ID, scope, l.Family, l.Manifest)
		for _, k := range l.Reg {
			fmt.Fprintf(&b, "\t\tregistry\t%s\n", k)
		}
		fmt.Fprintf(&b, "\t\tbinary\t%s\n", l.Binary)
		det := append([]string(nil), l.Detect...)
		sort.Strings(det)
		fmt.Fprintf(&b, "\t\tdetect\t%s\n", strings.Join(det, " | "))
		if l.Blocked != "" {
			fmt.Fprintf(&b, "\t\tblocked\t%s\n", l.Blocked)
		}
		if l.Note != "" {
			fmt.Fprintf(&b, "\t\tnote\t%s\n", l.Note)
		}
		fmt.Fprintf(&b, "\t\tsource\t%s\n", l.Source)
	}
	return b.String()
}
