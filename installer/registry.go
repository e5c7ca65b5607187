package installer

import "errors"

// Registry is the part of the Windows registry the installer touches: the
// default value of a NativeMessagingHosts\io.ringfence.host key. The real
// one exists only on Windows (registry_windows.go); tests use a map.
type Registry interface {
	// SetDefault creates the key if needed and sets its default value.
	SetDefault(k RegKey, value string) error
	// Default returns the key's default value, or ErrNoKey.
	Default(k RegKey) (string, error)
	// DeleteKey removes the key (only the io.ringfence.host leaf).
	DeleteKey(k RegKey) error
}

// ErrNoKey is returned by Registry.Default when the key does not exist.
var ErrNoKey = errors.New("registry key not found")

// MapRegistry is an in-memory Registry, for tests of the Windows logic on
// any OS.
type MapRegistry map[string]string

func (m MapRegistry) SetDefault(k RegKey, v string) error { m[k.String()] = v; return nil }

func (m MapRegistry) Default(k RegKey) (string, error) {
	v, ok := m[k.String()]
	if !ok {
		return "", ErrNoKey
	}
	return v, nil
}

func (m MapRegistry) DeleteKey(k RegKey) error { delete(m, k.String()); return nil }
