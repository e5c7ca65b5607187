package nativemsg

import (
	"os"
	"syscall"
)

// fSetPipeSz is F_SETPIPE_SZ from <fcntl.h> (not in package syscall).
const fSetPipeSz = 1031

// GrowPipe asks Linux for a 1 MiB buffer on r when it is a pipe. A chunk
// frame is ~700 KB; through the default 64 KiB buffer it costs a dozen
// context switches between browser and host. Best effort: the limit in
// /proc/sys/fs/pipe-max-size or a non-pipe simply leaves things as they are.
func GrowPipe(r any) {
	if f, ok := r.(*os.File); ok {
		syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), fSetPipeSz, 1<<20)
	}
}
