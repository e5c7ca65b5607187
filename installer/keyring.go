package installer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// keyringTimeout bounds each keyring call: a locked keyring can wait
// forever for a prompt nobody answers.
const keyringTimeout = 5 * time.Second

// DeleteKeyring removes service's entries names from the OS keyring (for
// `uninstall --purge`) and says what it did. Entries that are not there are
// fine. When the keyring is not reachable at all the host kept its keys in
// the data folder's key file instead (internal/keys), which the purge deletes, so
// that is reported, not an error.
func DeleteKeyring(ctx context.Context, service string, names []string) (string, error) {
	var deleted []string
	for i, name := range names {
		done := make(chan error, 1)
		go func() { done <- keyring.Delete(service, name) }()
		var err error
		select {
		case err = <-done:
		case <-time.After(keyringTimeout):
			err = fmt.Errorf("the keyring did not answer within %s (is it locked?)", keyringTimeout)
		case <-ctx.Done():
			return strings.Join(deleted, ", "), ctx.Err()
		}
		switch {
		case err == nil:
			deleted = append(deleted, name)
		case errors.Is(err, keyring.ErrNotFound):
		case i == 0 && !strings.Contains(err.Error(), "did not answer"):
			return "OS keyring not reachable (" + err.Error() + "); Ringfence's keys were in the data folder's key file", nil
		default:
			return strings.Join(deleted, ", "), fmt.Errorf("%s/%s: %w", service, name, err)
		}
	}
	if len(deleted) == 0 {
		return "no " + service + " entries in the OS keyring", nil
	}
	return "deleted " + service + " entries from the OS keyring: " + strings.Join(deleted, ", "), nil
}
