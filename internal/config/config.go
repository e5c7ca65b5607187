// Package config owns the facts the host and the installer share: the
// native messaging host name, the dev builds' extension ids, and
// $RINGFENCE_HOME/config.json (docs/protocol.md, "Caller check"). It is
// low-level (imports only internal/platform), so internal/caller and
// installer both read it without importing each other.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ringfence/ringfence/internal/platform"
)

// HostName is the native messaging host name the extension connects to.
const HostName = "io.ringfence.host"

// The dev builds' fixed ids (the Chrome manifest carries a fixed key; the
// Firefox manifest a fixed gecko id). Always allowed.
const (
	DevChromeID  = "kgjgjjlabbgcnkpjhjigkccigfbappbn"
	DevFirefoxID = "ringfence@ringfence.io"
)

// AllowedKey is config.json's list of extra extension ids the host serves
// (store builds, self-built ids); `ringfence install --extension-id` adds
// to it.
const AllowedKey = "allowed_extension_ids"

// Path is config.json inside the data folder home.
func Path(home string) string { return platform.Config(home) }

// File is config.json as read: every field kept as raw JSON, so a rewrite
// keeps fields owned by others, plus the allowed ids.
type File struct {
	Fields  map[string]json.RawMessage
	Allowed []string
	Exists  bool
}

// Read reads the config file at path. A missing or empty file is an empty
// config; anything but a JSON object, or an allowed list that is not a list
// of strings, is an error.
func Read(path string) (File, error) {
	f := File{Fields: map[string]json.RawMessage{}}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("read %s: %w", path, err)
	}
	f.Exists = true
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &f.Fields); err != nil {
			return f, fmt.Errorf("%s is not a JSON object: %w", path, err)
		}
	}
	if v, ok := f.Fields[AllowedKey]; ok {
		if err := json.Unmarshal(v, &f.Allowed); err != nil {
			return f, fmt.Errorf("%s: %s must be a list of strings: %w", path, AllowedKey, err)
		}
	}
	return f, nil
}

// Load reads home's config.json.
func Load(home string) (File, error) { return Read(Path(home)) }

// Encode renders f with its allowed list set to f.Allowed (the field is
// dropped when the list is empty): indented, with a trailing newline.
func (f File) Encode() ([]byte, error) {
	fields := make(map[string]json.RawMessage, len(f.Fields)+1)
	for k, v := range f.Fields {
		fields[k] = v
	}
	delete(fields, AllowedKey)
	if len(f.Allowed) > 0 {
		v, err := json.Marshal(f.Allowed)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", AllowedKey, err)
		}
		fields[AllowedKey] = v
	}
	out, err := json.MarshalIndent(fields, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	return append(out, '\n'), nil
}
