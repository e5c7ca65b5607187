//go:build windows

package installer

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// OSRegistry is the real Windows registry.
func OSRegistry() Registry { return winRegistry{} }

type winRegistry struct{}

func open(k RegKey) (registry.Key, uint32, error) {
	var root registry.Key
	switch k.Root {
	case "HKCU":
		root = registry.CURRENT_USER
	case "HKLM":
		root = registry.LOCAL_MACHINE
	default:
		return 0, 0, fmt.Errorf("unknown registry root %q", k.Root)
	}
	var view uint32
	switch k.View {
	case "64":
		view = registry.WOW64_64KEY
	case "32":
		view = registry.WOW64_32KEY
	}
	return root, view, nil
}

func (winRegistry) SetDefault(k RegKey, value string) error {
	root, view, err := open(k)
	if err != nil {
		return err
	}
	key, _, err := registry.CreateKey(root, k.Path, registry.SET_VALUE|view)
	if err != nil {
		return fmt.Errorf("create %s: %w", k, err)
	}
	defer key.Close()
	if err := key.SetStringValue("", value); err != nil {
		return fmt.Errorf("set %s: %w", k, err)
	}
	return nil
}

func (winRegistry) Default(k RegKey) (string, error) {
	root, view, err := open(k)
	if err != nil {
		return "", err
	}
	key, err := registry.OpenKey(root, k.Path, registry.QUERY_VALUE|view)
	if errors.Is(err, registry.ErrNotExist) {
		return "", ErrNoKey
	}
	if err != nil {
		return "", fmt.Errorf("open %s: %w", k, err)
	}
	defer key.Close()
	v, _, err := key.GetStringValue("")
	if errors.Is(err, registry.ErrNotExist) {
		return "", ErrNoKey
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", k, err)
	}
	return v, nil
}

func (winRegistry) DeleteKey(k RegKey) error {
	root, view, err := open(k)
	if err != nil {
		return err
	}
	// DeleteKey has no view flag; open the parent in the right view.
	parent, leaf := splitKey(k.Path)
	p, err := registry.OpenKey(root, parent, registry.ENUMERATE_SUB_KEYS|registry.QUERY_VALUE|registry.SET_VALUE|view)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", parent, err)
	}
	defer p.Close()
	if err := registry.DeleteKey(p, leaf); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", k, err)
	}
	return nil
}

func splitKey(path string) (string, string) {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '\\' {
			return path[:i], path[i+1:]
		}
	}
	return "", path
}
