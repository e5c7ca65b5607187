package keys

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/zalando/go-keyring"
)

// Delete removes home's entries (Accounts) from the OS keyring, for
// `uninstall --purge`, and says what it did. Entries that are not there are
// fine. When the keyring is not reachable at all the host kept its keys in
// the data folder's key file instead, which the purge deletes, so that is
// reported, not an error. Each call is bounded by keyringTimeout: a locked
// keyring can wait forever for a prompt nobody answers.
func Delete(ctx context.Context, home string) (string, error) {
	var deleted []string
	for i, name := range Accounts(home) {
		_, err := call(ctx, func() (string, error) { return "", keyring.Delete(Service, name) })
		if ctx.Err() != nil {
			return strings.Join(deleted, ", "), ctx.Err()
		}
		timedOut := errors.Is(err, context.DeadlineExceeded)
		switch {
		case err == nil:
			deleted = append(deleted, name)
		case errors.Is(err, keyring.ErrNotFound):
		case i == 0 && !timedOut:
			return "OS keyring not reachable (" + err.Error() + "); Ringfence's keys were in the data folder's key file", nil
		case timedOut:
			return strings.Join(deleted, ", "), errors.New(Service + "/" + name + ": the keyring did not answer within " + keyringTimeout.String() + " (is it locked?)")
		default:
			return strings.Join(deleted, ", "), fmt.Errorf("%s/%s: %w", Service, name, err)
		}
	}
	if len(deleted) == 0 {
		return "no " + Service + " entries in the OS keyring", nil
	}
	return "deleted " + Service + " entries from the OS keyring: " + strings.Join(deleted, ", "), nil
}
