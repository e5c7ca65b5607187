package cli

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"runtime"

	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/platform"
	"github.com/ringfence/ringfence/internal/store"
)

// dataHome resolves the data directory for e.
func dataHome(e *Env) (string, error) {
	return platform.Home(e.Getenv, runtime.GOOS)
}

// openStore opens the key ring and the store of e's data directory. The ring
// is never nil, so its Status can be reported even when the store failed;
// the store is nil exactly when err is not.
func openStore(ctx context.Context, e *Env) (*store.Store, *keys.Ring, error) {
	home, err := dataHome(e)
	if err != nil {
		return nil, &keys.Ring{}, err
	}
	ring, err := keys.Open(ctx, home)
	if err != nil {
		return nil, &keys.Ring{}, err
	}
	if _, err := os.Stat(platform.DB(home)); err != nil {
		// First start: make the key before the database file exists, so
		// the key ring never mistakes the new file for one sealed earlier.
		key, err := ring.DataKey(ctx)
		if err != nil {
			return nil, ring, err
		}
		st, err := store.Open(ctx, platform.DB(home), key)
		if err != nil {
			return nil, ring, err
		}
		return st, ring, nil
	}
	// Every later start: fetch the key while SQLite opens.
	st, err := store.OpenKeyFunc(ctx, platform.DB(home), ring.DataKey, store.Options{})
	if err != nil {
		return nil, ring, err
	}
	return st, ring, nil
}

// lazyRing is a key ring being opened in the background.
type lazyRing struct {
	ready chan struct{} // closed once ring and err are set
	ring  *keys.Ring
	err   error
	// fileKeys: the keys are in the key file, so the backend is known
	// without asking anything.
	fileKeys bool
}

func (l *lazyRing) wait(ctx context.Context) (*keys.Ring, error) {
	select {
	case <-l.ready:
		return l.ring, l.err
	case <-ctx.Done():
		return nil, fmt.Errorf("keys: %w", ctx.Err())
	}
}

// status is the ring's status once it is open, a pending one until then.
func (l *lazyRing) status() keys.Status {
	select {
	case <-l.ready:
		if l.err != nil {
			return keys.Status{Detail: l.err.Error()}
		}
		return l.ring.Status()
	default:
	}
	if l.fileKeys {
		return keys.Status{Backend: keys.BackendFile, OK: true, Detail: "keys are in the key file (mode 0600)"}
	}
	return keys.PendingStatus()
}

func (l *lazyRing) dataKey(ctx context.Context) ([]byte, error) {
	r, err := l.wait(ctx)
	if err != nil {
		return nil, err
	}
	return r.DataKey(ctx)
}

func (l *lazyRing) signingKey(ctx context.Context) (ed25519.PrivateKey, error) {
	r, err := l.wait(ctx)
	if err != nil {
		return nil, err
	}
	return r.SigningKey(ctx)
}

// openStoreLazy is openStore for the native host: when the database exists
// the key ring opens and fetches the data key in the background (the OS
// keyring is several D-Bus round trips) while SQLite opens, and nothing
// waits for it until a blob is sealed or opened. hello needs no key. The
// first start still makes the key before the database, as openStore does.
func openStoreLazy(ctx context.Context, e *Env) (*store.Store, *lazyRing, error) {
	l := &lazyRing{ready: make(chan struct{})}
	home, err := dataHome(e)
	if err == nil {
		if _, statErr := os.Stat(platform.DB(home)); statErr == nil {
			l.fileKeys = keys.HasKeyFile(home)
			go func() {
				defer close(l.ready)
				l.ring, l.err = keys.Open(context.WithoutCancel(ctx), home)
				if l.err != nil {
					l.ring = &keys.Ring{}
				}
			}()
			st, err := store.OpenLazy(ctx, platform.DB(home), l.dataKey, store.Options{})
			return st, l, err
		}
	}
	defer close(l.ready)
	st, ring, err := openStore(ctx, e)
	l.ring = ring // never nil; its Status says what went wrong with the keys
	return st, l, err
}
