package cli

// Placeholder owned by the installer work (issue 3); replaced wholesale there.

import (
	"context"
	"fmt"
)

func runInstall(ctx context.Context, e *Env, args []string) int {
	fmt.Fprintln(e.Stderr, "ringfence install: not built yet")
	return ExitFailure
}

func runUninstall(ctx context.Context, e *Env, args []string) int {
	fmt.Fprintln(e.Stderr, "ringfence uninstall: not built yet")
	return ExitFailure
}

// browserChecks adds the per-browser registration checks to `doctor`.
func browserChecks(ctx context.Context, e *Env, home string) []check { return nil }
