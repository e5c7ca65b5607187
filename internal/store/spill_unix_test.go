//go:build unix

package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Staging files hold page content: owner-only, named for their writer, and
// encrypted under a key that never leaves the process.
func TestSpillFilesArePrivateAndEncrypted(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	s, _ := openTest(t)
	big := bytes.Repeat([]byte("secret page text "), (memStage+3<<20)/17)
	u, err := s.BeginUpload(meta("spill", time.Now()), []ArtifactInfo{{Name: "dom.html", MIME: "text/html", Size: int64(len(big)), SHA256: hashHex(big)}})
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(big)-1<<20; off += 1 << 20 { // all but the last MiB: sealing not yet started
		if _, err := u.Write("dom.html", int64(off), big[off:off+1<<20]); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(s.uploads)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Fatalf("staging folder mode %o, want 700", st.Mode().Perm())
	}
	ents, _ := os.ReadDir(s.uploads)
	if len(ents) != 1 {
		t.Fatalf("%d staging files, want 1", len(ents))
	}
	name := ents[0].Name()
	if !strings.HasPrefix(name, fmt.Sprintf("u-%d-", os.Getpid())) {
		t.Errorf("staging file %s does not carry the writer's pid %d", name, os.Getpid())
	}
	fi, _ := ents[0].Info()
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("staging file mode %o, want 600", fi.Mode().Perm())
	}
	raw, err := os.ReadFile(filepath.Join(s.uploads, name))
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < memStage || bytes.Contains(raw, []byte("secret page")) {
		t.Errorf("staging file (%d bytes) holds plaintext", len(raw))
	}
	u.Abort()
}

// A staging file whose writer no longer runs is removed at the next open,
// however young; one whose writer runs stays.
func TestSweepRemovesDeadWritersFiles(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	deadPID := cmd.ProcessState.Pid()
	dir := t.TempDir()
	path := filepath.Join(dir, "ringfence.db")
	uploads := filepath.Join(dir, "uploads")
	os.MkdirAll(uploads, 0o700)
	dead := filepath.Join(uploads, fmt.Sprintf("u-%d-123.part", deadPID))
	mine := filepath.Join(uploads, fmt.Sprintf("u-%d-456.part", os.Getpid()))
	parent := filepath.Join(uploads, fmt.Sprintf("u-%d-789.part", os.Getppid()))
	for _, f := range []string{dead, mine, parent} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(context.Background(), path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for f, want := range map[string]bool{dead: false, mine: true, parent: true} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(f), err == nil, want)
		}
	}
}
