// Package version holds the build's version strings, set by the linker.
package version

import "github.com/ringfence/ringfence/internal/spec"

// Version is the host version; `make build` sets it with -ldflags -X.
var Version = "0.1.0-dev"

// Protocol is the native messaging protocol version (spec/protocol.json).
const Protocol = spec.ProtocolVersion
