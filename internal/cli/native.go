package cli

import (
	"context"
	"fmt"
	"runtime"

	"github.com/ringfence/ringfence/internal/caller"
	"github.com/ringfence/ringfence/internal/config"
	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/nativemsg"
	"github.com/ringfence/ringfence/internal/platform"
	"github.com/ringfence/ringfence/internal/protocol"
)

// isNativeLaunch reports whether args (argv without the program) are what a
// browser passes when it starts a native messaging host.
func isNativeLaunch(args []string) bool {
	_, ok := caller.Parse(args)
	return ok
}

// runNative serves one browser port over stdin/stdout. A caller that is not
// allowed gets a single forbidden_caller reply and exit status 1.
func runNative(ctx context.Context, e *Env, args []string) int {
	c, _ := caller.Parse(args)
	home, homeErr := platform.Home(e.Getenv, runtime.GOOS)
	var cfg config.File
	if homeErr == nil {
		var err error
		if cfg, err = config.Load(home); err != nil {
			fmt.Fprintf(e.Stderr, "ringfence: %v (serving the built-in extension ids only)\n", err)
		}
	}
	if !caller.IsAllowed(c, caller.Allowed(cfg)) {
		fmt.Fprintf(e.Stderr, "ringfence: refusing %s extension %q: not in the allowlist\n", c.Browser, c.ExtensionID)
		_ = nativemsg.Write(e.Stdout, protocol.Forbidden(c.ExtensionID))
		return ExitFailure
	}
	st, ring, err := openStoreLazy(ctx, e)
	srv := protocol.NewServer(st, err, keys.Status{})
	srv.KeyStatus(ring.status)
	srv.EnableExport(protocol.ExportConfig{SigningKey: ring.signingKey, Getenv: e.Getenv, Progress: e.Stdout})
	if err != nil {
		fmt.Fprintf(e.Stderr, "ringfence: %v\n", err)
	}
	nativemsg.GrowPipe(e.Stdin)
	nativemsg.GrowPipe(e.Stdout)
	serveErr := srv.Serve(ctx, e.Stdin, e.Stdout)
	if st != nil {
		st.Close()
	}
	if serveErr != nil {
		fmt.Fprintf(e.Stderr, "ringfence: %v\n", serveErr)
		return ExitFailure
	}
	return ExitOK
}
