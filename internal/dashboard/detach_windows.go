//go:build windows

package dashboard

import "syscall"

// detached starts the server without a console and in its own process
// group, so it outlives the native host.
func detached() *syscall.SysProcAttr {
	const detachedProcess, newProcessGroup = 0x00000008, 0x00000200
	return &syscall.SysProcAttr{CreationFlags: detachedProcess | newProcessGroup}
}
