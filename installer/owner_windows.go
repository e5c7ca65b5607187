//go:build windows

package installer

// FileOwner is not used on Windows (there is no root-for-user case there).
func FileOwner(string) (int, bool) { return 0, false }
