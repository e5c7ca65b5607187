//go:build !windows

package dashboard

import "syscall"

// detached puts the server in a session of its own, so the browser closing
// the native host's process group does not take the dashboard with it.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
