package installer

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/ringfence/ringfence/internal/platform"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedEnv is a made-up user on each OS; nothing on this machine is read.
func fixedEnv(t *testing.T, goos string) Env {
	t.Helper()
	vars := map[string]map[string]string{
		"linux":   {"HOME": "/home/alice"},
		"darwin":  {"HOME": "/Users/alice"},
		"windows": {"USERPROFILE": `C:\Users\alice`, "LOCALAPPDATA": `C:\Users\alice\AppData\Local`, "APPDATA": `C:\Users\alice\AppData\Roaming`, "ProgramFiles": `C:\Program Files`, "ProgramFiles(x86)": `C:\Program Files (x86)`},
	}[goos]
	getenv := func(k string) string { return vars[k] }
	data, err := platform.Home(getenv, goos)
	if err != nil {
		t.Fatal(err)
	}
	home := vars["HOME"]
	if goos == "windows" {
		home = vars["USERPROFILE"]
	}
	return Env{GOOS: goos, Home: home, Getenv: getenv, DataDir: data}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./installer -run Golden -update` to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the generated output (if the change is intended, run `go test ./installer -run Golden -update` and review the diff)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func TestGoldenLocationTable(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		for _, system := range []bool{false, true} {
			scope := "user"
			if system {
				scope = "system"
			}
			t.Run(goos+"-"+scope, func(t *testing.T) {
				locs, err := Locations(fixedEnv(t, goos), system)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, "locations-"+goos+"-"+scope+".golden", []byte(Table(locs)))
			})
		}
	}
}

// Every manifest install would write, for every OS and scope, byte for byte.
func TestGoldenManifests(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		for _, system := range []bool{false, true} {
			scope := "user"
			if system {
				scope = "system"
			}
			locs, err := Locations(fixedEnv(t, goos), system)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range locs {
				if l.Blocked != "" {
					continue
				}
				t.Run(goos+"-"+scope+"-"+l.ID, func(t *testing.T) {
					got := BuildManifest(l.Family, l.Binary, nil).Encode()
					golden(t, filepath.Join("manifests", goos+"-"+scope+"-"+l.ID+".json"), got)
				})
			}
		}
	}
	// With extra ids of both kinds: each family takes only its own.
	extra := []string{"abcdefghijklmnopabcdefghijklmnop", "store@example.org"}
	golden(t, "manifests/extra-ids-chromium.json", BuildManifest(Chromium, "/opt/x/ringfence", extra).Encode())
	golden(t, "manifests/extra-ids-firefox.json", BuildManifest(Firefox, "/opt/x/ringfence", extra).Encode())
}

func TestJoin(t *testing.T) {
	cases := []struct {
		goos  string
		parts []string
		want  string
	}{
		{"linux", []string{"/home/a", ".config", "chromium"}, "/home/a/.config/chromium"},
		{"linux", []string{"/", "etc/opt"}, "/etc/opt"},
		{"linux", []string{"/tmp/root/", "/etc/chromium"}, "/tmp/root/etc/chromium"},
		{"windows", []string{`C:\Users\a`, "AppData/Local"}, `C:\Users\a\AppData\Local`},
		{"windows", []string{`C:\Users\a\`, `\x`}, `C:\Users\a\x`},
	}
	for _, c := range cases {
		if got := platform.Join(c.goos, c.parts...); got != c.want {
			t.Errorf("platform.Join(%s, %q) = %q, want %q", c.goos, c.parts, got, c.want)
		}
	}
}
