package installer

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/caller"
	"github.com/ringfence/ringfence/internal/config"
	"github.com/ringfence/ringfence/internal/keys"
	"github.com/zalando/go-keyring"
)

func readManifest(t *testing.T, path string) Manifest {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// The whole life cycle in a temp HOME: install registers every installed
// browser, a second install changes nothing, doctor passes against the real
// host, and uninstall --purge leaves the tree exactly as it was, including
// an unrelated manifest and a config.json that were there before.
func TestInstallDoctorUninstallLeavesTreeUnchanged(t *testing.T) {
	ctx := context.Background()
	tm := newTestMachine(t)
	cfgDir := ".config"
	if tm.GOOS == "darwin" {
		cfgDir = "Library/Application Support"
	}
	mkdirs(t, tm.Home, filepath.Join(cfgDir, "chromium"), ".mozilla", filepath.Join(cfgDir, "BraveSoftware/Brave-Browser"))
	if tm.GOOS == "darwin" {
		mkdirs(t, tm.Home, filepath.Join(cfgDir, "Chromium"), filepath.Join(cfgDir, "Firefox"))
	}
	// Someone else's host in a folder we also write to: must survive.
	other := filepath.Join(tm.Home, ".mozilla", "native-messaging-hosts", "org.other.host.json")
	writeFile(t, other, `{"name":"org.other.host"}`, 0o644)
	before := snapshot(t, tm.base)

	res, err := Install(ctx, tm.Machine, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var registered []string
	for _, o := range res.Locations {
		if o.Status == "registered" {
			registered = append(registered, o.ID)
		}
	}
	if tm.GOOS == "linux" {
		want := []string{"chromium", "brave", "firefox"}
		if !slices.Equal(registered, want) {
			t.Fatalf("registered %v, want %v (outcomes: %+v)", registered, want, res.Locations)
		}
		if o, _ := outcome(res, "chrome"); o.Status != "skipped" {
			t.Errorf("chrome (not installed) should be skipped, got %+v", o)
		}
	}
	for _, id := range registered {
		o, _ := outcome(res, id)
		m := readManifest(t, o.Manifest)
		if m.Path != tm.UserBinary() {
			t.Errorf("%s: manifest path %q, want the stable copy %q", id, m.Path, tm.UserBinary())
		}
	}
	if st, err := os.Stat(tm.UserBinary()); err != nil || st.Mode().Perm()&0o111 == 0 {
		t.Fatalf("host copy missing or not executable: %v %v", st, err)
	}
	if st, err := os.Stat(tm.DataDir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("install created the data dir with %v (%v), want 0700 like the host", st.Mode().Perm(), err)
	}

	// Idempotent: nothing is rewritten, the tree does not change.
	afterFirst := snapshot(t, tm.base)
	res2, err := Install(ctx, tm.Machine, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res2.Actions {
		if a.Op != "unchanged" && !strings.HasSuffix(a.Path, RecordName) {
			t.Errorf("second install did %s %s", a.Op, a.Path)
		}
	}
	if got := snapshot(t, tm.base); got != afterFirst {
		t.Errorf("second install changed the tree:\n%s\n---\n%s", afterFirst, got)
	}

	checks := Doctor(ctx, tm.Machine)
	if f := failing(checks); len(f) > 0 {
		t.Fatalf("doctor found problems after a clean install: %+v", f)
	}
	hellos := 0
	for _, c := range checks {
		if strings.HasSuffix(c.Name, ": hello") {
			hellos++
		}
	}
	if hellos != len(registered) {
		t.Errorf("doctor ran %d hello round trips, want %d: %+v", hellos, len(registered), checks)
	}

	secretService := os.Getenv("RINGFENCE_TEST_SECRET_SERVICE") == "1"
	if secretService {
		// doctor's hello made the host create its keys in the Secret Service.
		if _, err := keyring.Get(keys.Service, keys.Account(tm.DataDir, keys.EntryData)); err != nil {
			t.Fatalf("the host's data key is not in the private Secret Service after hello: %v", err)
		}
	}
	if _, err := Uninstall(ctx, tm.Machine, UninstallOptions{Purge: true, Confirm: func(string) bool { return true }, DeleteKeys: deleteTestKeys(tm.DataDir)}); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, tm.base); after != before {
		t.Errorf("uninstall --purge did not restore the tree.\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if secretService {
		for _, n := range keys.Accounts(tm.DataDir) {
			if _, err := keyring.Get(keys.Service, n); !errors.Is(err, keyring.ErrNotFound) {
				t.Errorf("keyring entry %s survived --purge: %v", n, err)
			}
		}
	}
}

// Without --purge and without doctor having created a database, uninstall
// alone restores the tree too; a pre-existing config.json is restored byte
// for byte after --extension-id added to it.
func TestInstallUninstallRestoresConfig(t *testing.T) {
	ctx := context.Background()
	tm := newTestMachine(t)
	mkdirs(t, tm.Home, ".config/chromium", ".mozilla")
	cfg := config.Path(tm.DataDir)
	writeFile(t, cfg, "{ \"theme\": \"dark\" }\n", 0o640)
	before := snapshot(t, tm.base)

	chromeStore := "abcdefghijklmnopabcdefghijklmnop"
	gecko := "store-build@ringfence.io"
	if _, err := Install(ctx, tm.Machine, Options{Browsers: []string{"chromium", "firefox"}, ExtensionIDs: []string{chromeStore, gecko}}); err != nil {
		t.Fatal(err)
	}
	// The host's own config reader sees the ids (the field name is shared).
	hc, err := config.Load(tm.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{chromeStore, gecko} {
		if !caller.IsAllowed(caller.Caller{ExtensionID: id}, caller.Allowed(hc)) {
			t.Errorf("host would refuse %s after install --extension-id", id)
		}
	}
	var fields map[string]any
	raw, _ := os.ReadFile(cfg)
	if err := json.Unmarshal(raw, &fields); err != nil || fields["theme"] != "dark" {
		t.Errorf("config.json lost its other fields: %s", raw)
	}
	ls, _ := Locations(tm.Env, false)
	for _, l := range ls {
		switch l.ID {
		case "chromium":
			m := readManifest(t, l.Manifest)
			if !slices.Equal(m.AllowedOrigins, []string{Origin(config.DevChromeID), Origin(chromeStore)}) || m.AllowedExtensions != nil {
				t.Errorf("chromium manifest allows %v / %v", m.AllowedOrigins, m.AllowedExtensions)
			}
		case "firefox":
			m := readManifest(t, l.Manifest)
			if !slices.Equal(m.AllowedExtensions, []string{config.DevFirefoxID, gecko}) || m.AllowedOrigins != nil {
				t.Errorf("firefox manifest allows %v / %v", m.AllowedExtensions, m.AllowedOrigins)
			}
		}
	}
	// A later install without the flag keeps the ids (they live in config).
	if _, err := Install(ctx, tm.Machine, Options{Browsers: []string{"chromium"}}); err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.ID == "chromium" {
			if m := readManifest(t, l.Manifest); !slices.Contains(m.AllowedOrigins, Origin(chromeStore)) {
				t.Errorf("re-install dropped the store id: %v", m.AllowedOrigins)
			}
		}
	}

	if _, err := Uninstall(ctx, tm.Machine, UninstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, tm.base); after != before {
		t.Errorf("uninstall did not restore the tree.\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	tm := newTestMachine(t)
	mkdirs(t, tm.Home, ".config/chromium", ".mozilla")
	before := snapshot(t, tm.base)
	res, err := Install(context.Background(), tm.Machine, Options{DryRun: true, ExtensionIDs: []string{"abcdefghijklmnopabcdefghijklmnop"}})
	if err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, tm.base); after != before {
		t.Errorf("--dry-run changed the tree")
	}
	var writes []string
	for _, a := range res.Actions {
		if a.Op == "write" || a.Op == "config" {
			writes = append(writes, a.Path)
		}
	}
	if len(writes) != 4 { // binary, two manifests, config
		t.Errorf("dry run should list 4 writes, listed %v", writes)
	}
	if o, _ := outcome(res, "chromium"); o.Status != "would-register" {
		t.Errorf("dry run outcome %+v", o)
	}
}

// --user-data-dir registers inside a custom profile (what the e2e test and
// people with several profiles use); doctor and uninstall know about it.
func TestUserDataDirProfile(t *testing.T) {
	ctx := context.Background()
	tm := newTestMachine(t)
	profile := filepath.Join(tm.base, "profile")
	mkdirs(t, tm.base, "profile")
	before := snapshot(t, tm.base)
	res, err := Install(ctx, tm.Machine, Options{Browsers: []string{"chromium"}, UserDataDir: profile})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(profile, "NativeMessagingHosts", config.HostName+".json")
	if len(res.Locations) != 1 || res.Locations[0].Manifest != want {
		t.Fatalf("outcomes %+v, want one registration at %s", res.Locations, want)
	}
	m := readManifest(t, want)
	if m.Path != tm.UserBinary() || !slices.Equal(m.AllowedOrigins, []string{Origin(config.DevChromeID)}) {
		t.Errorf("profile manifest %+v", m)
	}
	checks := Doctor(ctx, tm.Machine)
	if f := failing(checks); len(f) > 0 {
		t.Fatalf("doctor: %+v", f)
	}
	if !slices.ContainsFunc(checks, func(c Check) bool { return strings.Contains(c.Name, profile) && strings.HasSuffix(c.Name, "hello") }) {
		t.Errorf("doctor did not check the profile registration: %+v", checks)
	}
	if _, err := Uninstall(ctx, tm.Machine, UninstallOptions{Purge: true, Confirm: func(string) bool { return true }, DeleteKeys: deleteTestKeys(tm.DataDir)}); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, tm.base); after != before {
		t.Errorf("tree not restored:\n%s\n---\n%s", before, after)
	}

	for _, bad := range []Options{
		{Browsers: []string{"firefox"}, UserDataDir: profile},
		{UserDataDir: "relative/dir"},
		{UserDataDir: profile, System: true},
	} {
		if _, err := Install(ctx, tm.Machine, bad); err == nil {
			t.Errorf("Install(%+v) should fail", bad)
		}
	}
}

// --system writes to the system folders (under the injected root) and the
// system copy of the host; uninstall --system removes exactly that.
func TestSystemInstall(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Fatalf("this test covers the Linux system folders; run it on Linux")
	}
	ctx := context.Background()
	tm := newTestMachine(t)
	tm.Euid = 0
	mkdirs(t, tm.Root, "usr/lib/chromium", "etc/opt")
	before := snapshot(t, tm.base)
	res, err := Install(ctx, tm.Machine, Options{System: true})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(tm.Root, "etc/chromium/native-messaging-hosts", config.HostName+".json")
	if o, _ := outcome(res, "chromium"); o.Status != "registered" || o.Manifest != want {
		t.Fatalf("chromium outcome %+v, want registered at %s", o, want)
	}
	if m := readManifest(t, want); m.Path != tm.SystemBinary() {
		t.Errorf("system manifest path %q, want %q", m.Path, tm.SystemBinary())
	}
	if _, err := os.Stat(filepath.Join(tm.Home, ".local")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a --system install wrote into the user's home")
	}
	if _, err := Uninstall(ctx, tm.Machine, UninstallOptions{System: true}); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, tm.base); after != before {
		t.Errorf("tree not restored:\n%s\n---\n%s", before, after)
	}

	tm.Euid = 1000
	if _, err := Install(ctx, tm.Machine, Options{System: true}); err == nil || !strings.Contains(err.Error(), "sudo") {
		t.Errorf("--system as a normal user: err = %v, want a hint to use sudo", err)
	}
}

func TestRootRefusesUserHome(t *testing.T) {
	tm := newTestMachine(t)
	mkdirs(t, tm.Home, ".config/chromium")
	tm.Euid = 0
	tm.Owner = func(string) (int, bool) { return 1000, true }
	_, err := Install(context.Background(), tm.Machine, Options{})
	if !errors.Is(err, ErrRootForUser) || !strings.Contains(err.Error(), "--system") {
		t.Errorf("root into a uid-1000 home: err = %v, want ErrRootForUser with the --system hint", err)
	}
	tm.Owner = func(string) (int, bool) { return 0, true }
	tm.vars["SUDO_USER"] = "alice"
	if _, err := Install(context.Background(), tm.Machine, Options{}); !errors.Is(err, ErrRootForUser) {
		t.Errorf("sudo with a kept HOME: err = %v, want ErrRootForUser", err)
	}
	delete(tm.vars, "SUDO_USER")
	if _, err := Install(context.Background(), tm.Machine, Options{DryRun: true}); err != nil {
		t.Errorf("root installing into root's own home should work: %v", err)
	}
}

func TestBrowserSelection(t *testing.T) {
	ctx := context.Background()
	tm := newTestMachine(t)
	if tm.GOOS != "linux" {
		t.Fatalf("Flatpak and Snap exist only on Linux; run this test there")
	}
	mkdirs(t, tm.Home, ".var/app/org.chromium.Chromium", "snap/chromium", ".config/chromium")

	// Unknown names are a usage error that lists the known ones.
	if _, err := Install(ctx, tm.Machine, Options{Browsers: []string{"netscape"}}); !IsUsage(err) || !strings.Contains(err.Error(), "librewolf") {
		t.Errorf("unknown browser: err = %v", err)
	}

	// Default: native and Flatpak registered, the Snap reported as blocked.
	res, err := Install(ctx, tm.Machine, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := outcome(res, "chromium-snap"); o.Status != "blocked" || !strings.Contains(o.Reason, "Snap cannot") {
		t.Errorf("snap outcome %+v", o)
	}
	if res.Failed {
		t.Errorf("a blocked Snap found by detection must not fail the install")
	}

	// Forcing a browser that is not installed works (--browser forces).
	res, err = Install(ctx, tm.Machine, Options{Browsers: []string{"vivaldi", "chromium"}})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, o := range res.Locations {
		got = append(got, o.ID+"="+o.Status)
	}
	want := []string{"chromium=registered", "chromium-flatpak=registered", "chromium-snap=blocked", "vivaldi=registered"}
	if !slices.Equal(got, want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
	// The Flatpak copy of the host sits inside the sandbox-visible folder.
	fp := filepath.Join(tm.Home, ".var/app/org.chromium.Chromium")
	o, _ := outcome(res, "chromium-flatpak")
	if m := readManifest(t, o.Manifest); !strings.HasPrefix(m.Path, fp+string(os.PathSeparator)) {
		t.Errorf("flatpak manifest path %q is outside %s", m.Path, fp)
	} else if _, err := os.Stat(m.Path); err != nil {
		t.Errorf("flatpak host copy: %v", err)
	}
	if !strings.HasPrefix(o.Manifest, filepath.Join(fp, "config/chromium/NativeMessagingHosts")) {
		t.Errorf("flatpak manifest at %s", o.Manifest)
	}

	// The sandboxed host keeps its own store there; --purge deletes it too
	// and the uninstall leaves the Flatpak's folder as it was.
	writeFile(t, filepath.Join(fp, "data", "ringfence", "ringfence.db"), "sandbox store", 0o600)

	// Naming the blocked Snap explicitly fails, and says why.
	res, err = Install(ctx, tm.Machine, Options{Browsers: []string{"chromium-snap"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed {
		t.Errorf("--browser chromium-snap must fail: %+v", res.Locations)
	}
	var asked string
	if _, err := Uninstall(ctx, tm.Machine, UninstallOptions{Purge: true, Confirm: func(q string) bool { asked = q; return true }, DeleteKeys: deleteTestKeys(tm.DataDir)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(asked, filepath.Join(fp, "data", "ringfence")) {
		t.Errorf("the purge question does not name the Flatpak store: %q", asked)
	}
	if exists(filepath.Join(fp, "data")) || !exists(fp) {
		t.Errorf("after purge: %s/data exists=%v (want gone), %s exists=%v (want kept)", fp, exists(filepath.Join(fp, "data")), fp, exists(fp))
	}
}

func TestExtensionIDValidation(t *testing.T) {
	tm := newTestMachine(t)
	for _, id := range []string{"short", "ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP", "chrome-extension://x/", ""} {
		if _, err := Install(context.Background(), tm.Machine, Options{ExtensionIDs: []string{id}, DryRun: true}); err == nil {
			t.Errorf("--extension-id %q accepted", id)
		}
	}
	for _, id := range []string{"abcdefghijklmnopabcdefghijklmnop", "x@y.org", "{12345678-1234-1234-1234-123456789abc}"} {
		if err := ValidExtensionID(id); err != nil {
			t.Errorf("%q rejected: %v", id, err)
		}
	}
}

func TestUninstallWithoutRecord(t *testing.T) {
	tm := newTestMachine(t)
	before := snapshot(t, tm.base)
	res, err := Uninstall(context.Background(), tm.Machine, UninstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "nothing to remove") {
		t.Errorf("notes %v", res.Notes)
	}
	if snapshot(t, tm.base) != before {
		t.Errorf("uninstall without a record changed the tree")
	}
	// --purge answered "no" changes nothing at all.
	mkdirs(t, tm.Home, ".mozilla")
	if _, err := Install(context.Background(), tm.Machine, Options{}); err != nil {
		t.Fatal(err)
	}
	installed := snapshot(t, tm.base)
	_, err = Uninstall(context.Background(), tm.Machine, UninstallOptions{Purge: true, Confirm: func(string) bool { return false }})
	if err == nil || !strings.Contains(err.Error(), "nothing was removed") {
		t.Errorf("unconfirmed purge: err=%v", err)
	}
	if snapshot(t, tm.base) != installed {
		t.Errorf("an unconfirmed purge changed the tree")
	}
}

// Windows registrations go through the Registry interface; the in-memory
// one checks the key bookkeeping of install and uninstall on any OS.
func TestRegistryBookkeeping(t *testing.T) {
	tm := newTestMachine(t)
	reg := MapRegistry{}
	tm.Registry = reg
	w := &writer{m: tm.Machine, rec: &Record{}, res: &Result{}}
	k := RegKey{Root: "HKCU", Path: `Software\Google\Chrome\NativeMessagingHosts\` + config.HostName}
	if err := (RegistryTarget{Key: k, Manifest: `C:\x.json`}).write(w); err != nil {
		t.Fatal(err)
	}
	if v, _ := reg.Default(k); v != `C:\x.json` || len(w.rec.Reg) != 1 {
		t.Fatalf("registry %v, record %v", reg, w.rec.Reg)
	}
	if err := w.setRegistry(k, `C:\x.json`); err != nil || w.res.Actions[1].Op != "unchanged" {
		t.Errorf("second set: %v %+v", err, w.res.Actions)
	}
	// Uninstall removes our key, but keeps one that now points elsewhere.
	k2 := RegKey{Root: "HKCU", Path: `Software\Mozilla\NativeMessagingHosts\` + config.HostName}
	reg[k2.String()] = `D:\someone-else.json`
	rec := &Record{Version: 1, Reg: []RecordReg{{k, `C:\x.json`}, {k2, `C:\ours.json`}}}
	if err := os.MkdirAll(tm.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := rec.save(recordPath(tm.Env, false)); err != nil {
		t.Fatal(err)
	}
	if _, err := Uninstall(context.Background(), tm.Machine, UninstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Default(k); !errors.Is(err, ErrNoKey) {
		t.Errorf("our key was not removed")
	}
	if v, _ := reg.Default(k2); v != `D:\someone-else.json` {
		t.Errorf("a key pointing elsewhere was removed")
	}
}

// A failure half-way (here a file where a folder must go) keeps a record of
// what was already written, so uninstall still restores the tree.
func TestFailedInstallIsStillUndone(t *testing.T) {
	ctx := context.Background()
	tm := newTestMachine(t)
	mkdirs(t, tm.Home, ".config/chromium", ".mozilla")
	writeFile(t, filepath.Join(tm.Home, ".mozilla", "native-messaging-hosts"), "in the way", 0o644)
	before := snapshot(t, tm.base)
	if _, err := Install(ctx, tm.Machine, Options{}); err == nil {
		t.Fatal("install succeeded with a file where the Firefox host folder must be")
	}
	if !exists(recordPath(tm.Env, false)) {
		t.Fatal("no install record after a partial install")
	}
	if _, err := Uninstall(ctx, tm.Machine, UninstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, tm.base); after != before {
		t.Errorf("tree not restored after a failed install:\n%s\n---\n%s", before, after)
	}
}

// Uninstall removes only what install wrote: a manifest of the same name
// that was there before comes back byte for byte, and a manifest someone
// changed after install is left alone.
func TestUninstallRestoresOrKeepsFilesItDidNotWrite(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name      string
		before    string // manifest content before install ("" = none)
		changeTo  string // content written after install ("" = untouched)
		wantAfter string // content after uninstall ("" = file gone)
	}{
		{"ours, untouched", "", "", ""},
		{"someone else's, replaced by install", `{"name":"io.ringfence.host","path":"/opt/other"}`, "", `{"name":"io.ringfence.host","path":"/opt/other"}`},
		{"ours, changed after install", "", `{"edited":true}`, `{"edited":true}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm := newTestMachine(t)
			profile := filepath.Join(tm.base, "profile")
			manifest := filepath.Join(profile, "NativeMessagingHosts", config.HostName+".json")
			if c.before != "" {
				writeFile(t, manifest, c.before, 0o644)
			}
			if _, err := Install(ctx, tm.Machine, Options{Browsers: []string{"chromium"}, UserDataDir: profile}); err != nil {
				t.Fatal(err)
			}
			if c.changeTo != "" {
				writeFile(t, manifest, c.changeTo, 0o644)
			}
			if _, err := Uninstall(ctx, tm.Machine, UninstallOptions{}); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(manifest)
			switch {
			case c.wantAfter == "" && err == nil:
				t.Errorf("manifest still there: %s", got)
			case c.wantAfter != "" && string(got) != c.wantAfter:
				t.Errorf("manifest after uninstall = %q (%v), want %q", got, err, c.wantAfter)
			}
		})
	}
}

// --purge deletes Ringfence's own files from the data folder; a folder that
// RINGFENCE_HOME pointed at and that holds the user's files too is kept.
func TestPurgeKeepsFilesThatAreNotOurs(t *testing.T) {
	ctx := context.Background()
	tm := newTestMachine(t)
	if _, err := Install(ctx, tm.Machine, Options{Browsers: []string{"chromium"}}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(tm.DataDir, "ringfence.db"), "store", 0o600)
	writeFile(t, filepath.Join(tm.DataDir, "uploads", "u-1.part"), "staged", 0o600)
	mine := filepath.Join(tm.DataDir, "my-notes.txt")
	writeFile(t, mine, "the user's own file", 0o600)
	if _, err := Uninstall(ctx, tm.Machine, UninstallOptions{Purge: true, Confirm: func(string) bool { return true }, DeleteKeys: deleteTestKeys(tm.DataDir)}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(mine); err != nil || string(b) != "the user's own file" {
		t.Errorf("purge removed the user's file: %v", err)
	}
	for _, gone := range []string{"ringfence.db", "uploads", "bin"} {
		if exists(filepath.Join(tm.DataDir, gone)) {
			t.Errorf("%s survived --purge", gone)
		}
	}
}

// Firefox 147+ creates profiles under $XDG_CONFIG_HOME/mozilla (default
// ~/.config/mozilla) but reads hosts from ~/.mozilla/native-messaging-hosts:
// a home whose only Firefox trace is the new folder must still be
// registered, in the folder Firefox reads, and doctor must not call
// Firefox missing.
func TestInstallDetectsFirefoxFromConfigMozilla(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Fatal("Linux folder layout")
	}
	for _, tc := range []struct{ name, xdg, trace string }{
		{"default config dir", "", ".config/mozilla"},
		{"XDG_CONFIG_HOME", "xdg", "xdg/mozilla"},
		{"legacy", "", ".mozilla"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := newTestMachine(t)
			if tc.xdg != "" {
				tm.vars["XDG_CONFIG_HOME"] = filepath.Join(tm.Home, tc.xdg)
			}
			mkdirs(t, tm.Home, tc.trace)
			res, err := Install(context.Background(), tm.Machine, Options{})
			if err != nil {
				t.Fatal(err)
			}
			status := map[string]string{}
			for _, o := range res.Locations {
				status[o.ID] = o.Status
			}
			if status["firefox"] != "registered" {
				t.Fatalf("firefox: %q, want registered (%+v)", status["firefox"], res.Locations)
			}
			m := readManifest(t, filepath.Join(tm.Home, ".mozilla", "native-messaging-hosts", config.HostName+".json"))
			if !slices.Equal(m.AllowedExtensions, []string{config.DevFirefoxID}) {
				t.Errorf("allowed_extensions %v", m.AllowedExtensions)
			}
			for _, c := range Doctor(context.Background(), tm.Machine) {
				if strings.Contains(c.Fix, "install a supported browser") {
					t.Errorf("doctor advises installing a browser although Firefox is there: %+v", c)
				}
				if strings.HasPrefix(c.Name, "firefox") && !c.OK {
					t.Errorf("doctor: %+v", c)
				}
			}
		})
	}
}

// A per-user install puts the CLI on PATH: a link in ~/.local/bin when that
// folder is on PATH (uninstall removes it, and only while it is ours), and
// otherwise a note naming a command that works, with no link.
func TestInstallLinksCLIOnPath(t *testing.T) {
	ctx := context.Background()
	t.Run("on PATH", func(t *testing.T) {
		tm := newTestMachine(t)
		mkdirs(t, tm.Home, ".mozilla")
		before := snapshot(t, tm.base)
		dir := filepath.Join(tm.Home, ".local", "bin")
		tm.vars["PATH"] = "/usr/bin:" + dir
		if _, err := Install(ctx, tm.Machine, Options{}); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "ringfence")
		if got, err := os.Readlink(link); err != nil || got != tm.UserBinary() {
			t.Fatalf("link %s → %q, %v; want → %s", link, got, err, tm.UserBinary())
		}
		out, err := exec.Command(link, "version").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "ringfence ") {
			t.Fatalf("running the linked CLI: %v %s", err, out)
		}
		again, err := Install(ctx, tm.Machine, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(again.Actions, func(a Action) bool { return a.Op == "unchanged" && a.Path == link }) {
			t.Errorf("second install did not keep the link: %+v", again.Actions)
		}
		if _, err := Uninstall(ctx, tm.Machine, UninstallOptions{}); err != nil {
			t.Fatal(err)
		}
		if after := snapshot(t, tm.base); after != before {
			t.Errorf("uninstall left the tree changed.\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
	t.Run("not on PATH", func(t *testing.T) {
		tm := newTestMachine(t)
		mkdirs(t, tm.Home, ".mozilla")
		tm.vars["PATH"] = "/usr/bin"
		res, err := Install(ctx, tm.Machine, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Lstat(filepath.Join(tm.Home, ".local", "bin")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("~/.local/bin created although it is not on PATH: %v", err)
		}
		if !slices.ContainsFunc(res.Notes, func(n string) bool {
			return strings.Contains(n, "not on PATH") && strings.Contains(n, tm.UserBinary()+" install")
		}) {
			t.Errorf("no PATH hint naming %s: %q", tm.UserBinary(), res.Notes)
		}
	})
	t.Run("someone else's file", func(t *testing.T) {
		tm := newTestMachine(t)
		mkdirs(t, tm.Home, ".mozilla")
		dir := filepath.Join(tm.Home, ".local", "bin")
		writeFile(t, filepath.Join(dir, "ringfence"), "#!/bin/sh\n", 0o755)
		tm.vars["PATH"] = dir
		res, err := Install(ctx, tm.Machine, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "ringfence")); string(b) != "#!/bin/sh\n" {
			t.Error("install replaced a file it did not write")
		}
		if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "not Ringfence's link") }) {
			t.Errorf("notes %q", res.Notes)
		}
	})
}

// With no browser profile for the user but a browser installed system-wide,
// install and doctor name that browser and a command, never "install a
// browser".
func TestNoProfileButBrowserInstalled(t *testing.T) {
	tm := newTestMachine(t)
	mkdirs(t, tm.Root, "usr/lib/chromium")
	tm.Cmd = "/opt/x/ringfence"
	res, err := Install(context.Background(), tm.Machine, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "chromium is installed") || !strings.Contains(res.Notes[0], "`/opt/x/ringfence install --browser chromium`") {
		t.Errorf("notes %q", res.Notes)
	}
	cs := Doctor(context.Background(), tm.Machine)
	if len(cs) != 1 || cs[0].OK || strings.Contains(cs[0].Fix, "install a supported browser") || !strings.Contains(cs[0].Fix, "/opt/x/ringfence install --browser chromium") {
		t.Errorf("doctor: %+v", cs)
	}
}
