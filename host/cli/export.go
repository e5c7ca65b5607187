package cli

// Placeholder owned by the evidence-kit work (issue 6); replaced wholesale there.

import (
	"context"
	"fmt"
)

func runExport(ctx context.Context, e *Env, args []string) int {
	fmt.Fprintln(e.Stderr, "ringfence export: not built yet")
	return ExitFailure
}

func runVerify(ctx context.Context, e *Env, args []string) int {
	fmt.Fprintln(e.Stderr, "ringfence verify: not built yet")
	return ExitFailure
}
