// Package testkeyring runs a test against a real, private Secret Service:
// gnome-keyring on a throwaway D-Bus session, never the developer's own.
package testkeyring

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Env is "1" in a process whose session bus already has an unlocked
// gnome-keyring: under scripts/test-go.sh, and in the child Rerun starts.
const Env = "RINGFENCE_TEST_SECRET_SERVICE"

// StartScript starts an unlocked gnome-keyring on the current session bus
// and waits until it owns org.freedesktop.secrets: a client that asks
// earlier makes D-Bus activate a second, locked daemon (seen as an
// intermittent "file" backend).
const StartScript = `echo -n test-password | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && ` +
	`i=0; until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus ` +
	`org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do ` +
	`i=$((i+1)); [ $i -gt 200 ] && echo "gnome-keyring did not register on the bus" >&2 && exit 1; sleep 0.05; done`

// Rerun runs the test named test again in a child process of the test
// binary, inside dbus-run-session with an unlocked gnome-keyring and a
// throwaway HOME, and fails t unless the child reports that test passed.
// Callers run their real body only when Env is "1"; a child process is
// needed because godbus caches the session bus per process.
func Rerun(t testing.TB, test string) {
	t.Helper()
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing; install it with: sudo apt-get install -y dbus gnome-keyring", tool)
		}
	}
	home := t.TempDir()
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c", StartScript+` && exec "$0" "$@"`,
		os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	// XDG_RUNTIME_DIR keeps the daemon's control socket private too.
	cmd.Env = append(os.Environ(), Env+"=1", "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_RUNTIME_DIR="+home)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("%s under a private keyring: %v\n%s", test, err, out)
	}
}
