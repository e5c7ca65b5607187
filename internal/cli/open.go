package cli

import (
	"context"
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
