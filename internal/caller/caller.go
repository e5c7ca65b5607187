// Package caller works out which extension started the host and whether it
// may be served.
package caller

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ringfence/ringfence/internal/platform"
)

// The dev builds' fixed ids (the Chrome manifest carries a fixed key).
const (
	DevChromeID  = "kgjgjjlabbgcnkpjhjigkccigfbappbn"
	DevFirefoxID = "ringfence@ringfence.io"
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

// Config is $RINGFENCE_HOME/config.json. Unknown fields are ignored so other
// parts of Ringfence can keep settings there too.
type Config struct {
	AllowedExtensionIDs []string `json:"allowed_extension_ids"`
}

// LoadConfig reads home's config file; a missing file is an empty config.
func LoadConfig(home string) (Config, error) {
	var c Config
	b, err := os.ReadFile(platform.Config(home))
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read config: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("config %s is not valid JSON: %w", platform.Config(home), err)
	}
	return c, nil
}

// Allowed lists the ids this installation serves: the dev ids plus the
// config's allowed_extension_ids.
func Allowed(c Config) []string {
	return append([]string{DevChromeID, DevFirefoxID}, c.AllowedExtensionIDs...)
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
