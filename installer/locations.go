package installer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ringfence/ringfence/internal/platform"
)

// HostName is the native messaging host name the extension connects to.
const HostName = "io.ringfence.host"

// Default extension ids, always allowed (docs/protocol.md, "Caller check").
const (
	DevChromeID = "kgjgjjlabbgcnkpjhjigkccigfbappbn"
	GeckoID     = "ringfence@ringfence.io"
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
	id, name  string
	family    Family
	flatpakID string // Flathub application id
	flatpakNM string // manifest folder inside ~/.var/app/<id>/
}

// browsers is every browser we register for, in report order.
var browsers = []browserDef{
	{"chrome", "Google Chrome", Chromium, "com.google.Chrome", "config/google-chrome/NativeMessagingHosts"},
	{"chromium", "Chromium", Chromium, "org.chromium.Chromium", "config/chromium/NativeMessagingHosts"},
	{"edge", "Microsoft Edge", Chromium, "com.microsoft.Edge", "config/microsoft-edge/NativeMessagingHosts"},
	{"brave", "Brave", Chromium, "com.brave.Browser", "config/BraveSoftware/Brave-Browser/NativeMessagingHosts"},
	{"vivaldi", "Vivaldi", Chromium, "com.vivaldi.Vivaldi", "config/vivaldi/NativeMessagingHosts"},
	{"opera", "Opera", Chromium, "com.opera.Opera", "config/opera/NativeMessagingHosts"},
	{"firefox", "Firefox", Firefox, "org.mozilla.firefox", ".mozilla/native-messaging-hosts"},
	{"librewolf", "LibreWolf", Firefox, "io.gitlab.librewolf-community", ".librewolf/native-messaging-hosts"},
	{"waterfox", "Waterfox", Firefox, "net.waterfox.waterfox", ".waterfox/native-messaging-hosts"},
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

func (e Env) exe() string {
	if e.GOOS == "windows" {
		return "ringfence.exe"
	}
	return "ringfence"
}

// UserBinary is the stable copy of the host for per-user installs: under the
// data dir, so `make clean` or moving the checkout cannot break a browser.
func (e Env) UserBinary() string { return platform.Join(e.GOOS, e.DataDir, "bin", e.exe()) }

// SystemDir holds the system-wide copy of the host, its Windows manifests and
// the system install record.
func (e Env) SystemDir() string {
	switch e.GOOS {
	case "windows":
		pf := e.env("ProgramFiles")
		if pf == "" {
			pf = `C:\Program Files`
		}
		if e.Root != "" {
			return platform.Join(e.GOOS, e.Root, "Program Files", "Ringfence")
		}
		return platform.Join(e.GOOS, pf, "Ringfence")
	case "darwin":
		return e.sys("/Library/Application Support/Ringfence")
	}
	return e.sys("/usr/local/lib/ringfence")
}

// SystemBinary is the host copy used by system-wide registrations.
func (e Env) SystemBinary() string { return platform.Join(e.GOOS, e.SystemDir(), "bin", e.exe()) }

func (e Env) binary(system bool) string {
	if system {
		return e.SystemBinary()
	}
	return e.UserBinary()
}

func manifestName() string { return HostName + ".json" }

func linuxLocations(e Env, b browserDef, system bool) []Location {
	g := e.GOOS
	home := e.Home
	cfg := e.env("XDG_CONFIG_HOME")
	if cfg == "" || !platform.IsAbs(g, cfg) {
		cfg = platform.Join(g, home, ".config")
	}
	base := Location{ID: b.id, Browser: b.id, Name: b.name, Family: b.family, System: system, Binary: e.binary(system)}
	nm := func(l Location, folder string, detect ...string) Location {
		l.Manifest = platform.Join(g, folder, manifestName())
		l.Detect = detect
		return l
	}
	if system {
		var l Location
		switch b.id {
		case "chrome":
			l = nm(base, e.sys("/etc/opt/chrome/native-messaging-hosts"), e.sys("/opt/google/chrome"))
			l.Source = srcChrome
		case "chromium":
			l = nm(base, e.sys("/etc/chromium/native-messaging-hosts"), e.sys("/usr/lib/chromium"), e.sys("/usr/lib64/chromium"), e.sys("/usr/lib/chromium-browser"))
			l.Source = srcChrome
		case "edge":
			l = nm(base, e.sys("/etc/opt/edge/native-messaging-hosts"), e.sys("/opt/microsoft/msedge"))
			l.Source = srcEdge
		case "brave":
			// Brave's Linux build reads Chrome's system folder.
			l = nm(base, e.sys("/etc/opt/chrome/native-messaging-hosts"), e.sys("/opt/brave.com/brave"))
			l.Source = srcBrowserps
		case "vivaldi":
			l = nm(base, e.sys("/etc/opt/vivaldi/native-messaging-hosts"), e.sys("/opt/vivaldi"))
			l.Source = srcBrowserps
		case "opera":
			l = nm(base, e.sys("/etc/opt/chrome/native-messaging-hosts"), e.sys("/usr/lib/x86_64-linux-gnu/opera"), e.sys("/usr/lib/opera"))
			l.Blocked = "Opera documents no system-wide host folder on Linux; install per user (without --system)"
			l.Source = srcOperaDocs
		case "firefox":
			l = nm(base, e.sys("/usr/lib/mozilla/native-messaging-hosts"), e.sys("/usr/lib/firefox"), e.sys("/usr/lib/firefox-esr"), e.sys("/usr/lib64/firefox"), e.sys("/opt/firefox"))
			l.Source = srcMDN
		case "librewolf":
			l = nm(base, e.sys("/usr/lib/librewolf/native-messaging-hosts"), e.sys("/usr/lib/librewolf"), e.sys("/usr/share/librewolf"))
			l.Source = srcWfxSys + " (LibreWolf's own folder, as documented there)"
		case "waterfox":
			l = nm(base, e.sys("/usr/lib/waterfox/native-messaging-hosts"), e.sys("/usr/lib/waterfox"), e.sys("/opt/waterfox"))
			l.Source = srcWfxSys
		}
		return []Location{l}
	}

	var l Location
	switch b.id {
	case "chrome":
		l = nm(base, platform.Join(g, cfg, "google-chrome", "NativeMessagingHosts"), platform.Join(g, cfg, "google-chrome"))
		l.Source = srcChrome
	case "chromium":
		l = nm(base, platform.Join(g, cfg, "chromium", "NativeMessagingHosts"), platform.Join(g, cfg, "chromium"))
		l.Source = srcChrome
	case "edge":
		l = nm(base, platform.Join(g, cfg, "microsoft-edge", "NativeMessagingHosts"), platform.Join(g, cfg, "microsoft-edge"))
		l.Source = srcEdge
	case "brave":
		l = nm(base, platform.Join(g, cfg, "BraveSoftware/Brave-Browser/NativeMessagingHosts"), platform.Join(g, cfg, "BraveSoftware/Brave-Browser"))
		l.Source = srcBrowserps
	case "vivaldi":
		l = nm(base, platform.Join(g, cfg, "vivaldi", "NativeMessagingHosts"), platform.Join(g, cfg, "vivaldi"))
		l.Source = srcBrowserps
	case "opera":
		l = nm(base, platform.Join(g, cfg, "opera", "NativeMessagingHosts"), platform.Join(g, cfg, "opera"))
		l.Source = srcOperaComm
	case "firefox":
		l = nm(base, platform.Join(g, home, ".mozilla", "native-messaging-hosts"), platform.Join(g, home, ".mozilla"))
		l.Source = srcMDN
	case "librewolf":
		l = nm(base, platform.Join(g, home, ".librewolf", "native-messaging-hosts"), platform.Join(g, home, ".librewolf"))
		l.Source = srcKeePassXC
	case "waterfox":
		l = nm(base, platform.Join(g, home, ".waterfox", "native-messaging-hosts"), platform.Join(g, home, ".waterfox"))
		l.Source = srcWaterfox
	}
	out := []Location{l}

	// Flatpak: the browser runs the host inside its sandbox, so both the
	// manifest and a copy of the (static) binary live under ~/.var/app/<id>.
	app := platform.Join(g, home, ".var", "app", b.flatpakID)
	fp := base
	fp.ID = b.id + "-flatpak"
	fp.Name = b.name + " (Flatpak)"
	fp.Manifest = platform.Join(g, app, b.flatpakNM, manifestName())
	fp.Detect = []string{app}
	fp.Binary = platform.Join(g, app, "data", "ringfence", "bin", e.exe())
	fp.Note = "the host runs inside the Flatpak sandbox and keeps its data in " + platform.Join(g, app, "data", "ringfence") + " unless RINGFENCE_HOME is set there"
	fp.Source = srcFlatpak
	out = append(out, fp)

	// Snap: Chromium-family snaps cannot start hosts outside their sandbox;
	// the Firefox snap reads the real home's manifest through the portal.
	switch b.id {
	case "chromium", "brave":
		sn := base
		sn.ID = b.id + "-snap"
		sn.Name = b.name + " (Snap)"
		snapName := b.id
		sn.Manifest = platform.Join(g, home, "snap", snapName, "common", b.id, "NativeMessagingHosts", manifestName())
		sn.Detect = []string{platform.Join(g, home, "snap", snapName), e.sys("/snap/" + snapName)}
		sn.Blocked = "the " + b.name + " Snap cannot start native messaging hosts outside its sandbox; install " + b.name + " from a .deb or Flatpak, or use Firefox"
		sn.Source = srcSnapBlock
		out = append(out, sn)
	case "firefox":
		sn := l
		sn.ID = "firefox-snap"
		sn.Name = "Firefox (Snap)"
		sn.Detect = []string{platform.Join(g, home, "snap", "firefox"), e.sys("/snap/firefox")}
		sn.Note = "the Firefox snap reads " + l.Manifest + " (the real home, not ~/snap/firefox) through the WebExtensions portal and asks you once to allow it"
		sn.Source = srcSnapFx
		out = append(out, sn)
	}
	return out
}

func darwinLocations(e Env, b browserDef, system bool) []Location {
	g := e.GOOS
	as := platform.Join(g, e.Home, "Library", "Application Support")
	base := Location{ID: b.id, Browser: b.id, Name: b.name, Family: b.family, System: system, Binary: e.binary(system)}
	l := base
	if system {
		app := func(name string) []string { return []string{e.sys("/Applications/" + name + ".app")} }
		switch b.id {
		case "chrome":
			l.Manifest, l.Detect, l.Source = e.sys("/Library/Google/Chrome/NativeMessagingHosts"), app("Google Chrome"), srcChrome
		case "chromium":
			l.Manifest, l.Detect, l.Source = e.sys("/Library/Application Support/Chromium/NativeMessagingHosts"), app("Chromium"), srcChrome
		case "edge":
			l.Manifest, l.Detect, l.Source = e.sys("/Library/Microsoft/Edge/NativeMessagingHosts"), app("Microsoft Edge"), srcEdge
		case "brave":
			l.Manifest, l.Detect, l.Source = e.sys("/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts"), app("Brave Browser"), srcBrowserps
		case "vivaldi":
			l.Manifest, l.Detect, l.Source = e.sys("/Library/Application Support/Vivaldi/NativeMessagingHosts"), app("Vivaldi"), srcBrowserps
		case "opera":
			// Opera's documentation names Chrome's system folder on macOS.
			l.Manifest, l.Detect, l.Source = e.sys("/Library/Google/Chrome/NativeMessagingHosts"), app("Opera"), srcOperaDocs
		case "firefox":
			l.Manifest, l.Detect, l.Source = e.sys("/Library/Application Support/Mozilla/NativeMessagingHosts"), app("Firefox"), srcMDN
		case "librewolf":
			l.Manifest, l.Detect, l.Source = e.sys("/Library/Application Support/LibreWolf/NativeMessagingHosts"), app("LibreWolf"), srcKeePassXC+" (user folder; the system folder by analogy, unverified)"
		case "waterfox":
			l.Manifest, l.Detect, l.Source = e.sys("/Library/Application Support/Mozilla/NativeMessagingHosts"), app("Waterfox"), srcWaterfox
		}
	} else {
		switch b.id {
		case "chrome":
			l.Manifest, l.Detect, l.Source = platform.Join(g, as, "Google/Chrome/NativeMessagingHosts"), []string{platform.Join(g, as, "Google/Chrome")}, srcChrome
		case "chromium":
			l.Manifest, l.Detect, l.Source = platform.Join(g, as, "Chromium/NativeMessagingHosts"), []string{platform.Join(g, as, "Chromium")}, srcChrome
		case "edge":
			l.Manifest, l.Detect, l.Source = platform.Join(g, as, "Microsoft Edge/NativeMessagingHosts"), []string{platform.Join(g, as, "Microsoft Edge")}, srcEdge
		case "brave":
			l.Manifest, l.Detect, l.Source = platform.Join(g, as, "BraveSoftware/Brave-Browser/NativeMessagingHosts"), []string{platform.Join(g, as, "BraveSoftware/Brave-Browser")}, srcBrowserps
		case "vivaldi":
			l.Manifest, l.Detect, l.Source = platform.Join(g, as, "Vivaldi/NativeMessagingHosts"), []string{platform.Join(g, as, "Vivaldi")}, srcKeePassXC
		case "opera":
			l.Manifest, l.Detect, l.Source = platform.Join(g, as, "com.operasoftware.Opera/NativeMessagingHosts"), []string{platform.Join(g, as, "com.operasoftware.Opera")}, srcOperaComm
		case "firefox":
			l.Manifest, l.Detect, l.Source = platform.Join(g, as, "Mozilla/NativeMessagingHosts"), []string{platform.Join(g, as, "Firefox")}, srcMDN
		case "librewolf":
			l.Manifest, l.Detect, l.Source = platform.Join(g, as, "LibreWolf/NativeMessagingHosts"), []string{platform.Join(g, as, "librewolf"), platform.Join(g, as, "LibreWolf")}, srcKeePassXC
		case "waterfox":
			l.Manifest, l.Detect, l.Source = platform.Join(g, as, "Mozilla/NativeMessagingHosts"), []string{platform.Join(g, as, "Waterfox")}, srcWaterfox
		}
	}
	l.Manifest = platform.Join(g, l.Manifest, manifestName())
	return []Location{l}
}

func windowsLocations(e Env, b browserDef, system bool) []Location {
	g := e.GOOS
	local := e.env("LOCALAPPDATA")
	if local == "" {
		local = platform.Join(g, e.Home, "AppData", "Local")
	}
	roaming := e.env("APPDATA")
	if roaming == "" {
		roaming = platform.Join(g, e.Home, "AppData", "Roaming")
	}
	// Brave, Vivaldi and Opera read Chrome's key; LibreWolf and Waterfox read
	// Mozilla's. The manifest file is named after the key's owner so browsers
	// sharing a key share one file.
	var owner, keyBase, src string
	switch b.id {
	case "chrome":
		owner, keyBase, src = "chrome", `Software\Google\Chrome`, srcChrome
	case "brave", "vivaldi":
		owner, keyBase, src = "chrome", `Software\Google\Chrome`, srcKeePassXC
	case "opera":
		owner, keyBase, src = "chrome", `Software\Google\Chrome`, srcOperaDocs
	case "chromium":
		owner, keyBase, src = "chromium", `Software\Chromium`, srcKeePassXC
	case "edge":
		owner, keyBase, src = "edge", `Software\Microsoft\Edge`, srcEdge
	case "firefox":
		owner, keyBase, src = "mozilla", `Software\Mozilla`, srcMDN
	case "librewolf":
		owner, keyBase, src = "mozilla", `Software\Mozilla`, srcKeePassXC
	case "waterfox":
		owner, keyBase, src = "mozilla", `Software\Mozilla`, srcWaterfox
	}
	key := keyBase + `\NativeMessagingHosts\` + HostName
	l := Location{ID: b.id, Browser: b.id, Name: b.name, Family: b.family, System: system, Binary: e.binary(system), Source: src}
	if system {
		l.Manifest = platform.Join(g, e.SystemDir(), "manifests", owner, manifestName())
		// 32-bit browsers on 64-bit Windows see the WOW64 view of HKLM, so
		// write both; HKCU\Software is shared between the views.
		l.Reg = []RegKey{{Root: "HKLM", Path: key, View: "64"}, {Root: "HKLM", Path: key, View: "32"}}
		pf := e.env("ProgramFiles")
		if pf == "" || e.Root != "" {
			pf = platform.Join(g, e.Root, "Program Files")
		}
		pf86 := e.env("ProgramFiles(x86)")
		if pf86 == "" || e.Root != "" {
			pf86 = platform.Join(g, e.Root, "Program Files (x86)")
		}
		var rel string
		switch b.id {
		case "chrome":
			rel = `Google\Chrome\Application`
		case "chromium":
			rel = `Chromium\Application`
		case "edge":
			rel = `Microsoft\Edge\Application`
		case "brave":
			rel = `BraveSoftware\Brave-Browser\Application`
		case "vivaldi":
			rel = `Vivaldi\Application`
		case "opera":
			rel = `Opera`
		case "firefox":
			rel = `Mozilla Firefox`
		case "librewolf":
			rel = `LibreWolf`
		case "waterfox":
			rel = `Waterfox`
		}
		l.Detect = []string{platform.Join(g, pf, rel), platform.Join(g, pf86, rel)}
	} else {
		l.Manifest = platform.Join(g, e.DataDir, "manifests", owner, manifestName())
		l.Reg = []RegKey{{Root: "HKCU", Path: key}}
		switch b.id {
		case "chrome":
			l.Detect = []string{platform.Join(g, local, `Google\Chrome\User Data`)}
		case "chromium":
			l.Detect = []string{platform.Join(g, local, `Chromium\User Data`)}
		case "edge":
			l.Detect = []string{platform.Join(g, local, `Microsoft\Edge\User Data`)}
		case "brave":
			l.Detect = []string{platform.Join(g, local, `BraveSoftware\Brave-Browser\User Data`)}
		case "vivaldi":
			l.Detect = []string{platform.Join(g, local, `Vivaldi\User Data`)}
		case "opera":
			l.Detect = []string{platform.Join(g, roaming, `Opera Software\Opera Stable`)}
		case "firefox":
			l.Detect = []string{platform.Join(g, roaming, `Mozilla\Firefox`)}
		case "librewolf":
			l.Detect = []string{platform.Join(g, roaming, `librewolf`)}
		case "waterfox":
			l.Detect = []string{platform.Join(g, roaming, `Waterfox`)}
		}
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
