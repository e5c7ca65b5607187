package platform

// Where the host binary lives. The installer copies it there and points
// browser manifests at it; the release package installs PackageBinary.

// Exe is the host binary's file name on goos.
func Exe(goos string) string {
	if goos == "windows" {
		return "ringfence.exe"
	}
	return "ringfence"
}

// UserBinary is the per-user copy of the host: bin/ inside the data folder,
// so `make clean` or moving a checkout cannot break a browser.
func UserBinary(goos, dataDir string) string { return Join(goos, dataDir, "bin", Exe(goos)) }

// SystemDir holds the system-wide copy of the host (and, on Windows, its
// manifests): /usr/local/lib/ringfence, /Library/Application
// Support/Ringfence, %ProgramFiles%\Ringfence. programFiles is
// %ProgramFiles% ("" = C:\Program Files); other OSes ignore it.
func SystemDir(goos, programFiles string) string {
	switch goos {
	case "windows":
		if programFiles == "" {
			programFiles = `C:\Program Files`
		}
		return Join(goos, programFiles, "Ringfence")
	case "darwin":
		return "/Library/Application Support/Ringfence"
	}
	return "/usr/local/lib/ringfence"
}

// SystemBinary is the host copy inside SystemDir.
func SystemBinary(goos, programFiles string) string {
	return Join(goos, SystemDir(goos, programFiles), "bin", Exe(goos))
}

// PackageBinary is where the Debian package installs the host (on PATH).
const PackageBinary = "/usr/bin/ringfence"
