//go:build unix

package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/evidence"
	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/platform"
	"github.com/ringfence/ringfence/internal/store"
	"github.com/ringfence/ringfence/internal/testkeyring"
)

const killedEnv = "RINGFENCE_KILLED_EXPORT" // "home|dir" in the child

// blockingSource stops the export on its first artifact, after the partial
// kit and the report's spill files exist: the point where a kill leaves the
// most decrypted evidence behind.
type blockingSource struct{ evidence.StoreSource }

func (b blockingSource) OpenArtifact(ctx context.Context, id, name string) (io.ReadCloser, error) {
	fmt.Println("EXPORT-STARTED")
	select {}
}

// ArtifactStored is how the export reads a StoreSource's artifacts.
func (b blockingSource) ArtifactStored(ctx context.Context, id, name string) ([]byte, bool, error) {
	fmt.Println("EXPORT-STARTED")
	select {}
}

// killedExportChild runs an export the way `ringfence export` does and
// blocks; the parent SIGKILLs it.
func killedExportChild(home, dir string) {
	ctx := context.Background()
	ring, err := keys.Open(ctx, home)
	if err != nil {
		fmt.Println("child:", err)
		os.Exit(2)
	}
	st, err := store.OpenKeyFunc(ctx, platform.DB(home), ring.DataKey, store.Options{})
	if err != nil {
		fmt.Println("child:", err)
		os.Exit(2)
	}
	sk, err := ring.SigningKey(ctx)
	if err != nil {
		fmt.Println("child:", err)
		os.Exit(2)
	}
	opts, err := evidence.WithStaging(st, evidence.Options{SigningKey: sk, HostVersion: "test"})
	if err != nil {
		fmt.Println("child:", err)
		os.Exit(2)
	}
	_, _, err = evidence.ExportNew(ctx, blockingSource{evidence.StoreSource{Store: st}}, dir, evidence.FormatZip, time.Now(), opts)
	fmt.Println("child: export returned", err)
	os.Exit(2)
}

// TestKilledExportLeavesNothing kills an export mid-way (SIGKILL: no
// deferred cleanup runs) and checks that the hidden partial kit and the
// report's spill files — decrypted evidence — are removed by `doctor` (which
// names them), by the next `export`, and by the next host start.
func TestKilledExportLeavesNothing(t *testing.T) {
	if v := os.Getenv(killedEnv); v != "" {
		home, dir, _ := strings.Cut(v, "|")
		killedExportChild(home, dir)
		return
	}
	if os.Getenv(testkeyring.Env) != "1" {
		testkeyring.Rerun(t, "TestKilledExportLeavesNothing")
		return
	}
	ctx := context.Background()
	home, dir := t.TempDir(), t.TempDir()
	ring, err := keys.Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	seedStore(t, ctx, ring, home)
	staging := store.StagingDirOf(platform.DB(home))

	// kill starts an export in a child process, waits until it is writing,
	// SIGKILLs it and returns the files it left (kit folder and staging).
	kill := func() []string {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledExportLeavesNothing$")
		cmd.Env = append(os.Environ(), killedEnv+"="+home+"|"+dir)
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		started := false
		for sc.Scan() {
			if sc.Text() == "EXPORT-STARTED" {
				started = true
				break
			}
			t.Log(sc.Text())
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if !started {
			t.Fatal("the child export never started")
		}
		return leftovers(t, dir, staging, cmd.Process.Pid)
	}
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(k string) string {
			if k == platform.EnvHome {
				return home
			}
			return os.Getenv(k)
		}}
		code := Main(ctx, env, append([]string{"ringfence"}, args...))
		return code, out.String()
	}

	// 1. doctor removes and reports them.
	left := kill()
	if len(left) < 3 {
		t.Fatalf("a killed export left %v; want the partial kit and two report spill files", left)
	}
	_, out := run("doctor")
	for _, f := range left {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("doctor left %s", f)
		}
	}
	if !strings.Contains(out, "temporary files: removed") || !strings.Contains(out, ".partial-") {
		t.Errorf("doctor does not report the leftovers:\n%s", out)
	}

	// 2. The next export sweeps first; only the new kit remains.
	left = kill()
	if code, out := run("export", "--out", filepath.Join(dir, "kit.zip")); code != ExitOK {
		t.Fatalf("export: %d %s", code, out)
	}
	for _, f := range left {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("export left %s", f)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 || ents[0].Name() != "kit.zip" {
		t.Errorf("kit folder after export: %v", ents)
	}

	// 3. Host start (the store opening) sweeps too.
	left = kill()
	st := openRingStore(t, ctx, ring, home)
	st.Close()
	for _, f := range left {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("host start left %s", f)
		}
	}
}

// leftovers lists the files in dir other than a finished kit, and the
// files of process pid in staging.
func leftovers(t *testing.T, dir, staging string, pid int) []string {
	t.Helper()
	var out []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "kit.zip" {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	ents, _ = os.ReadDir(staging)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), fmt.Sprintf("u-%d-", pid)) {
			out = append(out, filepath.Join(staging, e.Name()))
		}
	}
	return out
}
