package platform

import "path/filepath"

// Downloads is the user's Downloads folder: $XDG_DOWNLOAD_DIR on Linux when
// set, else Downloads in the home folder ("" when there is no home).
func Downloads(getenv func(string) string, goos string) string {
	if getenv == nil {
		return ""
	}
	if goos == "windows" {
		if h := getenv("USERPROFILE"); h != "" {
			return Join(goos, h, "Downloads")
		}
		return ""
	}
	if d := getenv("XDG_DOWNLOAD_DIR"); goos != "darwin" && d != "" && IsAbs(goos, d) {
		return filepath.Clean(d)
	}
	if h := getenv("HOME"); h != "" {
		return Join(goos, h, "Downloads")
	}
	return ""
}
