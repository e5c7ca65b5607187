// Package paths resolves where Ringfence keeps its data and names the files
// inside that folder. It takes getenv and GOOS as inputs so every OS's rule
// can be tested on any OS.
package platform

import (
	"errors"
	"path/filepath"
)

// EnvHome overrides the data directory on every OS.
const EnvHome = "RINGFENCE_HOME"

// Home returns the data directory: $RINGFENCE_HOME when set, else the OS data
// folder ($XDG_DATA_HOME/ringfence, ~/Library/Application Support/Ringfence,
// %LOCALAPPDATA%\Ringfence). It does not create it.
func Home(getenv func(string) string, goos string) (string, error) {
	if h := getenv(EnvHome); h != "" {
		return clean(goos, h), nil
	}
	switch goos {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return Join(goos, d, "Ringfence"), nil
		}
		if d := getenv("USERPROFILE"); d != "" {
			return Join(goos, d, "AppData", "Local", "Ringfence"), nil
		}
		return "", errors.New("cannot find the data folder: neither LOCALAPPDATA nor USERPROFILE is set (set RINGFENCE_HOME)")
	case "darwin":
		if h := getenv("HOME"); h != "" {
			return Join(goos, h, "Library", "Application Support", "Ringfence"), nil
		}
		return "", errors.New("cannot find the data folder: HOME is not set (set RINGFENCE_HOME)")
	default:
		if d := getenv("XDG_DATA_HOME"); d != "" && IsAbs(goos, d) {
			return Join(goos, d, "ringfence"), nil
		}
		if h := getenv("HOME"); h != "" {
			return Join(goos, h, ".local", "share", "ringfence"), nil
		}
		return "", errors.New("cannot find the data folder: HOME is not set (set RINGFENCE_HOME)")
	}
}

// DB is the SQLite database inside home.
func DB(home string) string { return filepath.Join(home, "ringfence.db") }

// Config is the optional JSON config file (allowed_extension_ids, …).
func Config(home string) string { return filepath.Join(home, "config.json") }

// KeyFile holds the keys when no OS keyring is available (mode 0600).
func KeyFile(home string) string { return filepath.Join(home, "keys.json") }

// KeyLock serialises key creation between host processes.
func KeyLock(home string) string { return filepath.Join(home, "keys.lock") }

func clean(goos, p string) string {
	if goos == "windows" {
		return p
	}
	return filepath.Clean(p)
}
