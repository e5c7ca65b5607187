package installer

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/config"
)

// Each planted fault must be found at its own step, with the steps before
// it passing, and with a fix. Every case starts from a real install
// (chromium and firefox in a temp HOME) and the real host binary.
func TestDoctorFindsPlantedFaults(t *testing.T) {
	type plant func(t *testing.T, tm *testMachine, chromium, firefox Location)
	edit := func(path string, f func(m map[string]any)) func(t *testing.T) {
		return func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			f(m)
			out, _ := json.Marshal(m)
			writeFile(t, path, string(out), 0o644)
		}
	}
	script := func(t *testing.T, tm *testMachine, name, body string) string {
		p := filepath.Join(tm.base, name)
		writeFile(t, p, "#!/bin/sh\n"+body+"\n", 0o755)
		return p
	}
	cases := []struct {
		name     string
		plant    plant
		check    string // the step that must fail, e.g. "chromium: valid JSON"
		detail   string // substring of the failure's detail
		fixHas   string // substring of the fix
		okBefore []string
		shared   bool // the fault hits the host copy both browsers use
	}{
		{
			name:   "missing manifest",
			plant:  func(t *testing.T, tm *testMachine, c, f Location) { os.Remove(c.Manifest) },
			check:  "chromium: manifest present",
			detail: "no manifest at", fixHas: "ringfence install --browser chromium",
		},
		{
			name: "bad JSON",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				writeFile(t, f.Manifest, `{"name": "io.ringfence.host",`, 0o644)
			},
			check:  "firefox: valid JSON",
			detail: "unexpected end of JSON", fixHas: "rewrite",
			okBefore: []string{"firefox: manifest present"},
		},
		{
			name: "wrong name",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				edit(c.Manifest, func(m map[string]any) { m["name"] = "io.ringfence.other" })(t)
			},
			check:  "chromium: name matches",
			detail: "io.ringfence.other", fixHas: "io.ringfence.host",
			okBefore: []string{"chromium: manifest present", "chromium: valid JSON"},
		},
		{
			name: "wrong path",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				edit(c.Manifest, func(m map[string]any) { m["path"] = "/nonexistent/bin/ringfence" })(t)
			},
			check:  "chromium: host path",
			detail: "/nonexistent/bin/ringfence does not exist", fixHas: "copies the host",
			okBefore: []string{"chromium: name matches"},
		},
		{
			name: "relative path",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				edit(f.Manifest, func(m map[string]any) { m["path"] = "bin/ringfence" })(t)
			},
			check:  "firefox: host path",
			detail: "not absolute", fixHas: "ringfence install --browser firefox",
		},
		{
			name: "not executable",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				if err := os.Chmod(tm.UserBinary(), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			check:  "chromium: host path",
			detail: "not executable", fixHas: "chmod 755",
			shared: true,
		},
		{
			name: "id not allowed (chromium)",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				edit(c.Manifest, func(m map[string]any) {
					m["allowed_origins"] = []string{"chrome-extension://abcdefghijklmnopabcdefghijklmnop/"}
				})(t)
			},
			check:  "chromium: extension allowed",
			detail: "not allowed: chrome-extension://" + config.DevChromeID + "/", fixHas: "allowed list",
			okBefore: []string{"chromium: host path"},
		},
		{
			name: "id not allowed (firefox manifest in a chromium folder)",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				raw, _ := os.ReadFile(f.Manifest)
				writeFile(t, c.Manifest, string(raw), 0o644)
			},
			check:  "chromium: extension allowed",
			detail: "this is a Firefox manifest", fixHas: "ringfence install --browser chromium",
		},
		{
			name: "id not allowed (firefox)",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				edit(f.Manifest, func(m map[string]any) { m["allowed_extensions"] = []string{"other@example.org"} })(t)
			},
			check:  "firefox: extension allowed",
			detail: config.DevFirefoxID, fixHas: "allowed list",
		},
		{
			name: "host crashes at start",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				p := script(t, tm, "crash.sh", "echo 'panic: cannot open database' >&2\nexit 3")
				edit(c.Manifest, func(m map[string]any) { m["path"] = p })(t)
			},
			check:  "chromium: hello",
			detail: "panic: cannot open database", fixHas: "doctor",
			okBefore: []string{"chromium: extension allowed"},
		},
		{
			name: "host hangs",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				p := script(t, tm, "hang.sh", "exec sleep 30")
				edit(f.Manifest, func(m map[string]any) { m["path"] = p })(t)
			},
			check:  "firefox: hello",
			detail: "no reply within 2s",
		},
		{
			name: "host refuses the caller",
			plant: func(t *testing.T, tm *testMachine, c, f Location) {
				// Answers ok=false, as a host does for an id it does not allow.
				p := script(t, tm, "refuse.sh", `printf '\120\000\000\000{"id":"","ok":false,"error":{"code":"forbidden_caller","message":"not allowed"}}'`)
				edit(c.Manifest, func(m map[string]any) { m["path"] = p })(t)
			},
			check:  "chromium: hello",
			detail: "forbidden_caller",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			tm := newTestMachine(t)
			mkdirs(t, tm.Home, ".config/chromium", ".mozilla")
			if tm.GOOS == "darwin" {
				mkdirs(t, tm.Home, "Library/Application Support/Chromium", "Library/Application Support/Firefox")
			}
			if _, err := Install(ctx, tm.Machine, Options{Browsers: []string{"chromium", "firefox"}}); err != nil {
				t.Fatal(err)
			}
			var c, f Location
			ls, _ := Locations(tm.Env, false)
			for _, l := range ls {
				switch l.ID {
				case "chromium":
					c = l
				case "firefox":
					f = l
				}
			}
			tc.plant(t, tm, c, f)
			checks := Doctor(ctx, tm.Machine)
			if !Failed(checks) {
				t.Fatalf("doctor found nothing: %+v", checks)
			}
			var hit *Check
			for i := range checks {
				if checks[i].Name == tc.check {
					hit = &checks[i]
				}
			}
			if hit == nil || hit.OK {
				t.Fatalf("step %q did not fail; checks: %+v", tc.check, checks)
			}
			if !strings.Contains(hit.Detail, tc.detail) {
				t.Errorf("detail %q does not mention %q", hit.Detail, tc.detail)
			}
			if hit.Fix == "" || !strings.Contains(hit.Fix, tc.fixHas) {
				t.Errorf("fix %q does not mention %q", hit.Fix, tc.fixHas)
			}
			for _, want := range tc.okBefore {
				ok := false
				for _, ch := range checks {
					ok = ok || (ch.Name == want && ch.OK)
				}
				if !ok {
					t.Errorf("step %q before the fault should pass: %+v", want, checks)
				}
			}
			// Only the broken browser fails; the other still passes its hello.
			prefix := strings.SplitN(tc.check, ":", 2)[0]
			for _, ch := range failing(checks) {
				if !tc.shared && !strings.HasPrefix(ch.Name, prefix+":") {
					t.Errorf("unrelated failure %+v", ch)
				}
			}
			// A step after the failing one is not reported (the lookup stops).
			for _, ch := range checks {
				if strings.HasPrefix(ch.Name, prefix+":") && ch.Name != tc.check && !ch.OK {
					t.Errorf("more than one failing step for %s: %+v", prefix, ch)
				}
			}
		})
	}
}

// With nothing installed and nothing registered, doctor says so instead of
// passing silently.
func TestDoctorNothingRegistered(t *testing.T) {
	tm := newTestMachine(t)
	checks := Doctor(context.Background(), tm.Machine)
	if len(checks) != 1 || checks[0].OK || !strings.Contains(checks[0].Fix, "ringfence install") {
		t.Errorf("checks %+v", checks)
	}
}

// An installed browser that was never registered is a problem with a fix.
func TestDoctorInstalledButNotRegistered(t *testing.T) {
	tm := newTestMachine(t)
	mkdirs(t, tm.Home, ".mozilla")
	if tm.GOOS == "darwin" {
		mkdirs(t, tm.Home, "Library/Application Support/Firefox")
	}
	checks := Doctor(context.Background(), tm.Machine)
	f := failing(checks)
	if len(f) != 1 || f[0].Name != "firefox: manifest present" || !strings.Contains(f[0].Fix, "--browser firefox") {
		t.Errorf("checks %+v", checks)
	}
}

// A system-wide registration is found when there is no per-user one, as the
// browser would find it.
func TestDoctorFallsBackToSystemManifest(t *testing.T) {
	ctx := context.Background()
	tm := newTestMachine(t)
	if tm.GOOS != "linux" {
		t.Fatalf("uses the Linux system folders; run it on Linux")
	}
	mkdirs(t, tm.Root, "usr/lib/chromium")
	tm.Euid = 0
	if _, err := Install(ctx, tm.Machine, Options{System: true, Browsers: []string{"chromium"}}); err != nil {
		t.Fatal(err)
	}
	checks := Doctor(ctx, tm.Machine)
	if f := failing(checks); len(f) > 0 {
		t.Fatalf("doctor: %+v", f)
	}
	sysManifest := filepath.Join(tm.Root, "etc/chromium/native-messaging-hosts", config.HostName+".json")
	found := false
	for _, c := range checks {
		found = found || (c.Name == "chromium: manifest present" && c.Detail == sysManifest)
	}
	if !found {
		t.Errorf("doctor did not use the system manifest %s: %+v", sysManifest, checks)
	}
}

func TestLookupOrder(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		e := fixedEnv(t, goos)
		user, _ := Locations(e, false)
		sys, _ := Locations(e, true)
		for i, u := range user {
			var s Location
			for _, x := range sys {
				if x.ID == u.ID {
					s = x
				}
			}
			if s.ID == "" {
				continue // Flatpak/Snap variants have no system location
			}
			got := lookupOrder(goos, user[i], s)
			var order []string
			for _, l := range got {
				if len(l.Reg) > 0 {
					for _, k := range l.Reg {
						order = append(order, k.String())
					}
				} else {
					order = append(order, l.Manifest)
				}
			}
			want := []string{u.Manifest, s.Manifest}
			switch {
			case goos == "windows" && u.Family == Chromium:
				want = []string{u.Reg[0].String(), s.Reg[1].String(), s.Reg[0].String()}
			case goos == "windows":
				want = []string{u.Reg[0].String(), s.Reg[0].String(), s.Reg[1].String()}
			}
			if strings.Join(order, "|") != strings.Join(want, "|") {
				t.Errorf("%s %s: lookup order %v, want %v", goos, u.ID, order, want)
			}
		}
	}
}
