// Package caller works out which extension started the host and whether it
// may be served.
package caller

import (
	"strings"

	"github.com/ringfence/ringfence/internal/config"
)

// Caller is the extension that started the host.
type Caller struct {
	Browser      string // "chromium" or "firefox"
	ExtensionID  string
	ManifestPath string // Firefox only
}

// Parse reads the host's arguments (argv without the program name) the way
// browsers pass them: Chromium gives "chrome-extension://ID/" (on Windows
// followed by "--parent-window=N"); Firefox gives the manifest path and the
// extension id. ok is false when args look like neither.
func Parse(args []string) (Caller, bool) {
	if len(args) >= 1 && strings.HasPrefix(args[0], "chrome-extension://") {
		id := strings.TrimSuffix(strings.TrimPrefix(args[0], "chrome-extension://"), "/")
		if id == "" || strings.Contains(id, "/") {
			return Caller{}, false
		}
		return Caller{Browser: "chromium", ExtensionID: id}, true
	}
	if len(args) == 2 && strings.HasSuffix(strings.ToLower(args[0]), ".json") && args[1] != "" &&
		!strings.HasPrefix(args[1], "-") {
		return Caller{Browser: "firefox", ManifestPath: args[0], ExtensionID: args[1]}, true
	}
	return Caller{}, false
}

// Allowed lists the ids this installation serves: the dev ids plus the
// config's allowed_extension_ids.
func Allowed(c config.File) []string {
	return append([]string{config.DevChromeID, config.DevFirefoxID}, c.Allowed...)
}

// IsAllowed reports whether c may be served.
func IsAllowed(c Caller, allowed []string) bool {
	for _, id := range allowed {
		if id != "" && id == c.ExtensionID {
			return true
		}
	}
	return false
}
