//go:build !windows

package installer

import (
	"os"
	"syscall"
)

// FileOwner returns the uid owning path.
func FileOwner(path string) (int, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(s.Uid), true
}
