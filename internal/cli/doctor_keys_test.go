package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/platform"
)

// With the keyring unavailable (here: no session bus at all) and a
// database but no keys.json, doctor must not claim the keys are in
// keys.json: it fails the keyring check and says to unlock it.
func TestDoctorTellsTheTruthWithoutKeyring(t *testing.T) {
	if os.Getenv("RINGFENCE_TEST_DOCTOR_NO_KEYRING") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDoctorTellsTheTruthWithoutKeyring$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "RINGFENCE_TEST_DOCTOR_NO_KEYRING=1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestDoctorTellsTheTruthWithoutKeyring") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	home := t.TempDir()
	os.WriteFile(platform.DB(home), []byte("stand-in for a database sealed with the keyring's key"), 0o600)
	var out bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(k string) string {
		if k == platform.EnvHome {
			return home
		}
		return os.Getenv(k)
	}}
	code := Main(context.Background(), env, []string{"ringfence", "doctor"})
	got := out.String()
	if code == ExitOK || strings.Contains(got, "keys are in") || strings.Contains(got, "[ok  ] keyring") ||
		!strings.Contains(got, "[FAIL] keyring") || !strings.Contains(got, "unlock") {
		t.Fatalf("doctor (exit %d):\n%s", code, got)
	}
	if _, err := os.Stat(platform.KeyFile(home)); err == nil {
		t.Error("doctor created keys.json")
	}
}
