// Package version holds the build's version strings, set by the linker.
package version

// Version is the host version; `make build` sets it with -ldflags -X.
var Version = "0.1.0-dev"

// Protocol is the native messaging protocol version (docs/protocol.md).
const Protocol = 1
