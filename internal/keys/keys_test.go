package keys

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/platform"
	"github.com/ringfence/ringfence/internal/testkeyring"
	"github.com/zalando/go-keyring"
)

// The two real-keyring modes run in child processes: godbus caches the
// session bus per process, so one process cannot see both.

// TestSecretServiceRoundTrip stores and reads the keys through a real
// gnome-keyring. Under scripts/test-go.sh (RINGFENCE_TEST_SECRET_SERVICE=1)
// it runs in-process on the session bus the script started; otherwise it
// starts its own private bus and keyring and re-runs itself there.
func TestSecretServiceRoundTrip(t *testing.T) {
	if os.Getenv(testkeyring.Env) != "1" {
		testkeyring.Rerun(t, "TestSecretServiceRoundTrip")
		return
	}
	ctx := context.Background()
	home := t.TempDir()
	r, err := Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	if st := r.Status(); st.Backend != BackendSecretService {
		t.Fatalf("backend %q (%s), want %q: is gnome-keyring running on this session bus?", st.Backend, st.Detail, BackendSecretService)
	}
	key, err := r.DataKey(ctx)
	if err != nil || len(key) != 32 {
		t.Fatalf("DataKey: %d bytes, %v", len(key), err)
	}
	sk, err := r.SigningKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The secrets are in the keyring itself, not in a file.
	stored, err := keyring.Get(Service, Account(home, EntryData))
	if err != nil || stored == "" {
		t.Fatalf("keyring.Get: %q, %v", stored, err)
	}
	if _, err := os.Stat(platform.KeyFile(home)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key file exists with the keyring available: %v", err)
	}
	// A second process-like Ring (fresh cache) reads the same keys back.
	r2, _ := Open(ctx, home)
	key2, _ := r2.DataKey(ctx)
	sk2, _ := r2.SigningKey(ctx)
	if !bytes.Equal(key, key2) || !sk.Equal(sk2) {
		t.Error("keys differ after reopening")
	}
	// Another data folder has keys of its own: purging one never strands another.
	other, _ := Open(ctx, t.TempDir())
	if key3, _ := other.DataKey(ctx); bytes.Equal(key, key3) {
		t.Error("two data folders share one data key")
	}
}

// TestFallbackNoKeyring runs with a session bus that does not exist: the
// keys must land in a 0600 key file, and Status must say so and why.
func TestFallbackNoKeyring(t *testing.T) {
	if os.Getenv("RINGFENCE_TEST_NO_KEYRING") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFallbackNoKeyring$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "RINGFENCE_TEST_NO_KEYRING=1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestFallbackNoKeyring") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	ctx := context.Background()
	home := t.TempDir()
	start := time.Now()
	r, err := Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	st := r.Status()
	if st.Backend != BackendFile || !st.OK || !strings.Contains(st.Detail, "keyring unavailable") {
		t.Fatalf("status %+v, want the file backend with a reason", st)
	}
	if d := time.Since(start); d > keyringTimeout {
		t.Errorf("detecting the missing keyring took %v", d)
	}
	key, err := r.DataKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(platform.KeyFile(home))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", info.Mode().Perm())
	}
	r2, _ := Open(ctx, home)
	key2, _ := r2.DataKey(ctx)
	if !bytes.Equal(key, key2) {
		t.Error("the file-backed key changed on reopen")
	}
}

// memKeyring is an in-memory Backend; slow Set widens race windows.
type memKeyring struct {
	mu   sync.Mutex
	m    map[string]string
	fail error
}

func (k *memKeyring) Get(s, u string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return "", k.fail
	}
	v, ok := k.m[s+"/"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *memKeyring) Set(s, u, p string) error {
	time.Sleep(5 * time.Millisecond)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	k.m[s+"/"+u] = p
	return nil
}

func TestConcurrentFirstUseMakesOneKey(t *testing.T) {
	for _, backend := range []string{"keyring", "file"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			home := t.TempDir()
			kr := &memKeyring{m: map[string]string{}}
			if backend == "file" {
				kr.fail = errors.New("no bus")
			}
			var wg sync.WaitGroup
			keys := make([][]byte, 8)
			for i := range keys {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := OpenWith(ctx, home, kr) // separate Rings, like separate hosts
					if err != nil {
						t.Error(err)
						return
					}
					keys[i], err = r.DataKey(ctx)
					if err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			for i := range keys {
				if !bytes.Equal(keys[i], keys[0]) {
					t.Fatalf("ring %d got a different data key", i)
				}
			}
		})
	}
}

func TestKeyFileWinsOnceCreated(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	down := &memKeyring{m: map[string]string{}, fail: errors.New("no bus")}
	r, _ := OpenWith(ctx, home, down)
	k1, err := r.DataKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The keyring comes back: the blobs sealed so far need the file's key.
	up := &memKeyring{m: map[string]string{}}
	r2, _ := OpenWith(ctx, home, up)
	k2, _ := r2.DataKey(ctx)
	if r2.Status().Backend != BackendFile || !bytes.Equal(k1, k2) {
		t.Errorf("status %+v; same key %v", r2.Status(), bytes.Equal(k1, k2))
	}
}

func TestMalformedEntryIsAnError(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	kr := &memKeyring{m: map[string]string{Service + "/" + Account(home, EntryData): "not base64!"}}
	r, _ := OpenWith(ctx, home, kr)
	if _, err := r.DataKey(ctx); err == nil {
		t.Error("a malformed keyring entry was accepted")
	}
}

func TestNoNewKeyFileForAKeyringDatabase(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	up := &memKeyring{m: map[string]string{}}
	r, _ := OpenWith(ctx, home, up)
	if _, err := r.DataKey(ctx); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(platform.DB(home), []byte("stand-in for a database sealed with the keyring's key"), 0o600)
	// The keyring is locked or gone this time.
	down := &memKeyring{m: map[string]string{}, fail: errors.New("collection is locked")}
	r2, _ := OpenWith(ctx, home, down)
	// The truth: not "keys are in keys.json" (there is none), but a failure.
	if st := r2.Status(); st.OK || st.Backend == BackendFile || strings.Contains(st.Detail, "keys are in") ||
		!strings.Contains(st.Detail, "collection is locked") || !strings.Contains(st.Detail, "unlocked") {
		t.Fatalf("status with the keyring locked and no key file: %+v", st)
	}
	if _, err := r2.DataKey(ctx); err == nil || !strings.Contains(err.Error(), "unlock") {
		t.Fatalf("DataKey with the keyring down and a keyring database: %v", err)
	}
	if _, err := os.Stat(platform.KeyFile(home)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a key file was created; it would shadow the keyring's key forever")
	}
	// Back up: the original key again.
	r3, _ := OpenWith(ctx, home, up)
	if _, err := r3.DataKey(ctx); err != nil || r3.Status().Backend == BackendFile {
		t.Errorf("after the keyring is back: %v %+v", err, r3.Status())
	}
}

func TestAccountIsPerFolder(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	cases := []struct {
		name   string
		x, y   string
		shared bool
	}{
		{"same folder", Account(a, EntryData), Account(a, EntryData), true},
		{"same folder, unclean path", Account(a, EntryData), Account(a+"/./", EntryData), true},
		{"two folders", Account(a, EntryData), Account(b, EntryData), false},
		{"two entries", Account(a, EntryData), Account(a, EntrySigning), false},
	}
	for _, c := range cases {
		if (c.x == c.y) != c.shared {
			t.Errorf("%s: %q vs %q", c.name, c.x, c.y)
		}
	}
	if got := Accounts(a); len(got) != 2 || got[0] != Account(a, EntryData) {
		t.Errorf("Accounts = %v", got)
	}
}

func TestMovedFolderIsRefusedNotRekeyed(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	kr := &memKeyring{m: map[string]string{}}
	if err := os.WriteFile(platform.DB(home), []byte("sealed with a key this keyring lacks"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, _ := OpenWith(ctx, home, kr)
	if _, err := r.DataKey(ctx); err == nil || !strings.Contains(err.Error(), "moved") {
		t.Fatalf("DataKey for a database with no key in a working keyring: %v", err)
	}
	if len(kr.m) != 0 {
		t.Errorf("a new key was created: %v", kr.m)
	}
}
