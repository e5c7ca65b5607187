package installer

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/keys"
)

// hostBin is the real ringfence binary the tests install and spawn:
// $RINGFENCE_BIN (scripts/test-go.sh sets it to bin/ringfence) or one built
// here from ./host.
var hostBin string

func TestMain(m *testing.M) {
	code := func() int {
		hostBin = os.Getenv("RINGFENCE_BIN")
		if hostBin == "" {
			dir, err := os.MkdirTemp("", "ringfence-installer-test")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer os.RemoveAll(dir)
			hostBin = filepath.Join(dir, "ringfence")
			cmd := exec.Command("go", "build", "-o", hostBin, "github.com/ringfence/ringfence/host/cmd/ringfence")
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "building the host for the installer tests failed (run `make host` and set RINGFENCE_BIN=$PWD/bin/ringfence): %v\n%s", err, out)
				return 1
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

// testMachine is a made-up user whose home is a temp dir, on this OS, with
// system folders under a temp root. Nothing outside t.TempDir is touched.
type testMachine struct {
	Machine
	vars map[string]string
	base string // the temp dir holding home and root
}

func newTestMachine(t *testing.T) *testMachine {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Fatal("the filesystem tests run on Linux/macOS; Windows is covered by the golden tables and the MapRegistry tests")
	}
	base := t.TempDir()
	home := filepath.Join(base, "home")
	root := filepath.Join(base, "root")
	for _, d := range []string{home, root} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{"HOME": home}
	tm := &testMachine{vars: vars, base: base}
	getenv := func(k string) string { return vars[k] }
	tm.Machine = Machine{
		Env: Env{
			GOOS: runtime.GOOS, Home: home, Getenv: getenv, Root: root,
			DataDir: filepath.Join(home, ".local", "share", "ringfence"),
		},
		Exe:   hostBin,
		Euid:  1000,
		Owner: func(string) (int, bool) { return 1000, true },
	}
	if runtime.GOOS == "darwin" {
		tm.DataDir = filepath.Join(home, "Library", "Application Support", "Ringfence")
	}
	tm.Environ = hostEnviron(home, tm.DataDir)
	return tm
}

// hostEnviron is the environment a browser would pass the host. The OS
// keyring is reachable only when scripts/test-go.sh runs a private Secret
// Service; otherwise the bus is pointed nowhere so a developer's real
// keyring is never touched.
func hostEnviron(home, data string) []string {
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "RINGFENCE_HOME=" + data}
	if os.Getenv("RINGFENCE_TEST_SECRET_SERVICE") == "1" {
		env = append(env, "DBUS_SESSION_BUS_ADDRESS="+os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	} else {
		env = append(env, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	}
	return env
}

// deleteTestKeys is purge's keyring step in tests: the real keys.Delete
// against the private Secret Service of scripts/test-go.sh, nothing
// otherwise (a developer's own keyring is never touched; the host then
// kept its keys in the data dir, which purge deletes).
func deleteTestKeys(home string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		if os.Getenv("RINGFENCE_TEST_SECRET_SERVICE") != "1" {
			return "no private Secret Service in this run", nil
		}
		return keys.Delete(ctx, home)
	}
}

func mkdirs(t *testing.T, base string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// snapshot describes every entry under dir: path, type, mode, and the
// SHA-256 of file contents; two equal snapshots mean byte-for-byte equal
// trees.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		line := fmt.Sprintf("%s %v", rel, info.Mode())
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func outcome(r *Result, id string) (Outcome, bool) {
	for _, o := range r.Locations {
		if o.ID == id {
			return o, true
		}
	}
	return Outcome{}, false
}

func failing(cs []Check) []Check {
	var out []Check
	for _, c := range cs {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}
