package cli

import (
	"context"
	"runtime"

	"github.com/ringfence/ringfence/host/keys"
	"github.com/ringfence/ringfence/host/paths"
	"github.com/ringfence/ringfence/host/store"
)

// dataHome resolves the data directory for e.
func dataHome(e *Env) (string, error) {
	return paths.Home(e.Getenv, runtime.GOOS)
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
	st, err := store.OpenKeyFunc(ctx, paths.DB(home), ring.DataKey, store.Options{})
	if err != nil {
		return nil, ring, err
	}
	return st, ring, nil
}
