package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/ringfence/ringfence/internal/store"
)

// FileAPIKeys is the kit's API-key inventory (docs/evidence-kit.md): every
// key seen on API-keys snapshots with the systems that depend on it and its
// rotation status, as the user recorded them in the dashboard.
const FileAPIKeys = "api-keys.json"

// KeySource is a Source that also knows the API-key inventory; a kit from
// one carries api-keys.json (listed in the manifest and SHA256SUMS like
// every file). StoreSource is one.
type KeySource interface {
	APIKeys(ctx context.Context) ([]store.APIKey, error)
	KeyInventorySummary(ctx context.Context) (*store.KeyInventory, error)
}

// APIKeys lists the inventory.
func (s StoreSource) APIKeys(ctx context.Context) ([]store.APIKey, error) {
	return s.Store.APIKeys(ctx)
}

// KeyInventorySummary summarises it.
func (s StoreSource) KeyInventorySummary(ctx context.Context) (*store.KeyInventory, error) {
	return s.Store.KeyInventorySummary(ctx)
}

// writeKeyInventory adds api-keys.json when src has an inventory with at
// least one key.
func writeKeyInventory(ctx context.Context, src Source, kz *kitZip) error {
	ks, ok := src.(KeySource)
	if !ok {
		return nil
	}
	keys, err := ks.APIKeys(ctx)
	if err != nil {
		return fmt.Errorf("api-key inventory: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	sum, err := ks.KeyInventorySummary(ctx)
	if err != nil {
		return fmt.Errorf("api-key inventory: %w", err)
	}
	b, err := json.MarshalIndent(map[string]any{"summary": sum, "keys": keys}, "", "  ")
	if err != nil {
		return fmt.Errorf("api-key inventory: %w", err)
	}
	_, err = kz.copy(FileAPIKeys, bytes.NewReader(append(b, '\n')), true, nil)
	return err
}
