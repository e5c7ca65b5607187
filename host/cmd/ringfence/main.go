// Command ringfence is Ringfence's native messaging host and command-line tool.
//
// Started by a browser (argv[1] is a chrome-extension:// origin, or a Firefox
// manifest path followed by an extension id) it serves the extension over
// stdin/stdout. Started by a person it runs one of the CLI verbs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ringfence/ringfence/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, cli.OSEnv(), os.Args)
	stop()
	os.Exit(code)
}
