//go:build !windows

package installer

// OSRegistry is nil off Windows: browsers there read manifests from folders.
func OSRegistry() Registry { return nil }
