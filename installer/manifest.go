package installer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"github.com/ringfence/ringfence/internal/config"
)

// Manifest is a native messaging host manifest. Chromium-family browsers
// read AllowedOrigins, Firefox-family browsers AllowedExtensions; a manifest
// carries exactly one of the two.
type Manifest struct {
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	Path              string   `json:"path"`
	Type              string   `json:"type"`
	AllowedOrigins    []string `json:"allowed_origins,omitempty"`
	AllowedExtensions []string `json:"allowed_extensions,omitempty"`
}

// IsChromeID reports whether id has the shape of a Chromium extension id
// (32 letters a–p); anything else is treated as a Firefox (gecko) id.
// (A loop, not a package-level regexp: every package's init runs on each
// native-host start, and this one had the only compiled pattern on that path.)
func IsChromeID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 'a' || id[i] > 'p' {
			return false
		}
	}
	return true
}

// ValidExtensionID rejects ids that could not come from either store, so a
// typo does not end up in a manifest.
func ValidExtensionID(id string) error {
	if IsChromeID(id) {
		return nil
	}
	// Gecko ids are an email-like string or a {GUID}.
	if regexp.MustCompile(`^[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+$`).MatchString(id) ||
		regexp.MustCompile(`^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$`).MatchString(id) {
		return nil
	}
	return fmt.Errorf("extension id %q is neither a Chrome id (32 letters a-p) nor a Firefox id (name@domain or {GUID})", id)
}

// AllowedIDs returns the ids a family's manifest must allow: the built-in
// one first, then the extra ids of that family, sorted and deduplicated.
func AllowedIDs(f Family, extra []string) []string {
	def := config.DevChromeID
	if f == Firefox {
		def = config.DevFirefoxID
	}
	seen := map[string]bool{def: true}
	var more []string
	for _, id := range extra {
		if seen[id] || (IsChromeID(id) != (f == Chromium)) {
			continue
		}
		seen[id] = true
		more = append(more, id)
	}
	sort.Strings(more)
	return append([]string{def}, more...)
}

// Origin is the allowed_origins entry for a Chrome extension id.
func Origin(id string) string { return "chrome-extension://" + id + "/" }

// BuildManifest returns the manifest for a family with the host at binary.
func BuildManifest(f Family, binary string, extra []string) Manifest {
	m := Manifest{
		Name:        config.HostName,
		Description: "Ringfence native messaging host (local evidence store)",
		Path:        binary,
		Type:        "stdio",
	}
	ids := AllowedIDs(f, extra)
	if f == Firefox {
		m.AllowedExtensions = ids
	} else {
		for _, id := range ids {
			m.AllowedOrigins = append(m.AllowedOrigins, Origin(id))
		}
	}
	return m
}

// Encode renders m as the bytes written to disk: indented, no HTML
// escaping, trailing newline, so files are stable and readable.
func (m Manifest) Encode() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		panic(err) // a struct of strings always encodes
	}
	return b.Bytes()
}
