// Package keys holds Ringfence's secrets: the data key that seals blobs, the
// Ed25519 signing key for evidence kits. They live
// in the OS keyring (go-keyring, service "ringfence"); when no keyring is
// reachable they live in a 0600 key file under RINGFENCE_HOME instead, and
// Status says so.
package keys

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/ringfence/ringfence/internal/platform"
	"github.com/zalando/go-keyring"
)

// Service is the keyring service name every entry is stored under.
const Service = "ringfence"

// Entry names (the key file's JSON fields; in the OS keyring, the "user" field
// is Account(home, name)).
const (
	EntryData    = "data-key"
	EntrySigning = "signing-key"
)

// Backends Status.Backend can report.
const (
	BackendSecretService = "secret-service"
	BackendKeychain      = "keychain"
	BackendWincred       = "wincred"
	BackendFile          = "file"
)

// Account is the keyring "user" field of entry name for the data folder home.
// Entries are per data folder — a second RINGFENCE_HOME, another profile, a
// test — so two folders never share a key and purging one never strands the
// data of another. The folder is named by a hash of its absolute path; a
// folder moved by hand finds no key and the host says so (see get).
func Account(home, name string) string {
	abs, err := filepath.Abs(home)
	if err != nil {
		abs = home
	}
	sum := sha256.Sum256([]byte(filepath.Clean(abs)))
	return name + "@" + hex.EncodeToString(sum[:8])
}

// Accounts lists the keyring users of every entry of home: what
// `uninstall --purge` deletes.
func Accounts(home string) []string {
	return []string{Account(home, EntryData), Account(home, EntrySigning)}
}

// keyringTimeout bounds each keyring call: a locked keyring can wait forever
// for a prompt nobody will answer.
const keyringTimeout = 5 * time.Second

// Status says where the keys are and, for the file fallback, why.
type Status struct {
	Backend string `json:"backend"`
	OK      bool   `json:"ok"`
	Detail  string `json:"detail"`
	// Pending: the OS keyring has not answered yet (PendingStatus); OK and
	// Detail say nothing until it has.
	Pending bool `json:"pending,omitempty"`
}

// PendingStatus is what a host reports while the OS keyring lookup it
// started in the background is still running.
func PendingStatus() Status {
	return Status{Backend: osBackend(), Pending: true,
		Detail: "the OS keyring has not answered yet; requests that need the data key wait for it"}
}

// HasKeyFile reports whether home's keys are in the key file, which Open
// then uses without asking the OS keyring.
func HasKeyFile(home string) bool { return exists(platform.KeyFile(home)) }

// Backend abstracts the OS keyring so tests can inject failures; OSKeyring
// is the real one.
type Backend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
}

// OSKeyring is go-keyring.
type OSKeyring struct{}

func (OSKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }
func (OSKeyring) Set(s, u, p string) error        { return keyring.Set(s, u, p) }

// Ring hands out keys, creating each on first use.
type Ring struct {
	home    string
	kr      Backend // nil when using the key file
	status  Status
	mu      sync.Mutex
	entries map[string][]byte
}

// Open decides where the keys live. It probes the OS keyring once; if that
// fails for any reason but "not found", the key file is used.
func Open(ctx context.Context, home string) (*Ring, error) {
	return OpenWith(ctx, home, OSKeyring{})
}

// OpenWith is Open with an explicit keyring backend.
func OpenWith(ctx context.Context, home string, kr Backend) (*Ring, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("keys: create %s: %w", home, err)
	}
	r := &Ring{home: home, entries: map[string][]byte{}}
	if _, err := os.Stat(platform.KeyFile(home)); err == nil {
		// Keys created during an earlier fallback stay where they are: a new
		// data key in the keyring could not open the blobs sealed so far.
		r.status = Status{Backend: BackendFile, OK: true,
			Detail: fmt.Sprintf("keys are in %s (mode 0600), created when the OS keyring was unavailable", platform.KeyFile(home))}
		return r, nil
	}
	enc, err := call(ctx, func() (string, error) { return kr.Get(Service, Account(home, EntryData)) })
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		r.kr = kr
		r.status = Status{Backend: osBackend(), OK: true}
		if v, err := base64.StdEncoding.DecodeString(enc); err == nil && len(v) == 32 {
			r.entries[EntryData] = v // the probe already fetched it: save a round trip
		}
		return r, nil
	}
	if exists(platform.DB(home)) {
		// No key file, and a database sealed with the keyring's key: the
		// keys are not in any file, and nothing works until the keyring is
		// back (get refuses to create a key file that would shadow it).
		r.status = Status{Backend: osBackend(), OK: false,
			Detail: fmt.Sprintf("OS keyring unavailable (%v); %s was sealed with a key kept there and there is no %s, so nothing can be read or stored until the keyring is unlocked",
				err, platform.DB(home), platform.KeyFile(home))}
		return r, nil
	}
	r.status = Status{Backend: BackendFile, OK: true,
		Detail: fmt.Sprintf("OS keyring unavailable (%v); keys will be kept in %s (mode 0600), created on first use", err, platform.KeyFile(home))}
	return r, nil
}

func osBackend() string {
	switch runtime.GOOS {
	case "darwin":
		return BackendKeychain
	case "windows":
		return BackendWincred
	}
	return BackendSecretService
}

// Status reports the backend in use.
func (r *Ring) Status() Status { return r.status }

// DataKey is the 32-byte AES-256 key blobs are sealed with.
func (r *Ring) DataKey(ctx context.Context) ([]byte, error) {
	return r.get(ctx, EntryData, 32)
}

// SigningKey is the Ed25519 key evidence kits are signed with.
func (r *Ring) SigningKey(ctx context.Context) (ed25519.PrivateKey, error) {
	seed, err := r.get(ctx, EntrySigning, ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// get returns entry name, creating n random bytes on first use. Creation
// happens under a lock file so two hosts starting at once cannot each create
// a different data key (one of them would then seal blobs nobody can open).
func (r *Ring) get(ctx context.Context, name string, n int) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.entries[name]; ok {
		return v, nil
	}
	v, err := r.load(ctx, name, n)
	if err == nil {
		r.entries[name] = v
		return v, nil
	}
	if !errors.Is(err, keyring.ErrNotFound) {
		return nil, err
	}
	unlock, err := lockFile(ctx, platform.KeyLock(r.home))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if v, err = r.load(ctx, name, n); err == nil { // another process won the race
		r.entries[name] = v
		return v, nil
	} else if !errors.Is(err, keyring.ErrNotFound) {
		return nil, err
	}
	if r.kr == nil && !exists(platform.KeyFile(r.home)) && exists(platform.DB(r.home)) {
		// A database without a key file was sealed with a key from the OS
		// keyring. Creating a new key now (say, the keyring is locked this
		// once) would make that key file win from then on and strand the
		// data: refuse, and say how to fix it.
		return nil, fmt.Errorf("keys: %s was created with a key from the OS keyring, which is unavailable now (%s); unlock or start the keyring and try again",
			platform.DB(r.home), r.status.Detail)
	}
	if r.kr != nil && name == EntryData && exists(platform.DB(r.home)) {
		// The keyring works but holds no key for this folder's database: the
		// folder was moved or copied by hand, or its entry was deleted. A new
		// key would seal new blobs the old ones do not share: refuse.
		return nil, fmt.Errorf("keys: the OS keyring has no data key for %s (entry %s/%s): was the data folder moved or copied? Move it back, or set RINGFENCE_HOME to where it was created",
			platform.DB(r.home), Service, Account(r.home, name))
	}
	v = make([]byte, n)
	if _, err := rand.Read(v); err != nil {
		return nil, fmt.Errorf("keys: generate %s: %w", name, err)
	}
	if err := r.store(ctx, name, v); err != nil {
		return nil, err
	}
	r.entries[name] = v
	return v, nil
}

func (r *Ring) load(ctx context.Context, name string, n int) ([]byte, error) {
	var enc string
	var err error
	if r.kr != nil {
		enc, err = call(ctx, func() (string, error) { return r.kr.Get(Service, Account(r.home, name)) })
		if err != nil && !errors.Is(err, keyring.ErrNotFound) {
			return nil, fmt.Errorf("keys: read %s from the OS keyring: %w", name, err)
		}
	} else {
		var f map[string]string
		f, err = readKeyFile(r.home)
		if err != nil {
			return nil, err
		}
		var ok bool
		if enc, ok = f[name]; !ok {
			err = keyring.ErrNotFound
		}
	}
	if err != nil {
		return nil, err
	}
	v, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(v) != n {
		return nil, fmt.Errorf("keys: %s is malformed (want %d base64 bytes)", name, n)
	}
	return v, nil
}

func (r *Ring) store(ctx context.Context, name string, v []byte) error {
	enc := base64.StdEncoding.EncodeToString(v)
	if r.kr != nil {
		if _, err := call(ctx, func() (string, error) { return "", r.kr.Set(Service, Account(r.home, name), enc) }); err != nil {
			return fmt.Errorf("keys: save %s in the OS keyring: %w", name, err)
		}
		return nil
	}
	f, err := readKeyFile(r.home)
	if err != nil {
		return err
	}
	f[name] = enc
	return writeKeyFile(r.home, f)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// call runs a keyring operation with a deadline.
func call(ctx context.Context, fn func() (string, error)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, keyringTimeout)
	defer cancel()
	type res struct {
		v   string
		err error
	}
	ch := make(chan res, 1)
	go func() { v, err := fn(); ch <- res{v, err} }()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return "", fmt.Errorf("keyring did not answer: %w", ctx.Err())
	}
}

func readKeyFile(home string) (map[string]string, error) {
	b, err := os.ReadFile(platform.KeyFile(home))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keys: read key file: %w", err)
	}
	f := map[string]string{}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("keys: key file %s is not valid JSON: %w", platform.KeyFile(home), err)
	}
	return f, nil
}

// writeKeyFile replaces the key file atomically (temp file + rename), 0600.
func writeKeyFile(home string, f map[string]string) error {
	b, _ := json.MarshalIndent(f, "", "  ")
	tmp, err := os.CreateTemp(home, "keys-*.tmp")
	if err != nil {
		return fmt.Errorf("keys: write key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return fmt.Errorf("keys: chmod key file: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: sync key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keys: write key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), platform.KeyFile(home)); err != nil {
		return fmt.Errorf("keys: install key file: %w", err)
	}
	return nil
}

// lockFile takes an exclusive lock by creating path with O_EXCL; a lock older
// than staleLock belonged to a process that died holding it.
func lockFile(ctx context.Context, path string) (func(), error) {
	const staleLock = 30 * time.Second
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("keys: lock %s: %w", path, err)
		}
		if info, err := os.Stat(path); err == nil && time.Since(info.ModTime()) > staleLock {
			os.Remove(path)
			continue
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("keys: waiting for %s: %w", path, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
