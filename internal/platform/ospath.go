// Package ospath builds and inspects paths with a target OS's rules rather
// than the running one's, so Windows and macOS locations can be produced and
// golden-tested on Linux (the installer's table, the data folder).
package platform

import "strings"

// Sep is goos's path separator.
func Sep(goos string) string {
	if goos == "windows" {
		return `\`
	}
	return "/"
}

// Join joins path elements with goos's separator. Elements may themselves
// contain "/" (written that way in the table for readability); on Windows
// those become backslashes.
func Join(goos string, parts ...string) string {
	s := Sep(goos)
	var b strings.Builder
	for i, p := range parts {
		if goos == "windows" {
			p = strings.ReplaceAll(p, "/", `\`)
		}
		if i > 0 {
			p = strings.TrimLeft(p, s)
			if b.Len() > 0 && !strings.HasSuffix(b.String(), s) {
				b.WriteString(s)
			}
		}
		if i < len(parts)-1 {
			p = strings.TrimRight(p, s)
			if p == "" && i == 0 {
				p = s // the filesystem root
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

// Dir is filepath.Dir for goos.
func Dir(goos, p string) string {
	i := strings.LastIndex(p, Sep(goos))
	switch {
	case i < 0:
		return "."
	case i == 0:
		return Sep(goos)
	}
	return p[:i]
}

// IsAbs reports whether p is absolute under goos's rules.
func IsAbs(goos, p string) bool {
	if goos == "windows" {
		return len(p) > 2 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
	}
	return strings.HasPrefix(p, "/")
}
