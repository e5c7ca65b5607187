package installer

import "strings"

// The helpers below build paths with the target OS's rules, not the running
// one's, so the Windows table can be produced (and golden-tested) on Linux.

func sep(goos string) string {
	if goos == "windows" {
		return `\`
	}
	return "/"
}

// join joins path elements with goos's separator. Elements may themselves
// contain "/" (written that way in the table for readability); on Windows
// those become backslashes.
func join(goos string, parts ...string) string {
	s := sep(goos)
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

// dir is filepath.Dir for goos.
func dir(goos, p string) string {
	i := strings.LastIndex(p, sep(goos))
	switch {
	case i < 0:
		return "."
	case i == 0:
		return sep(goos)
	}
	return p[:i]
}

// isAbs reports whether p is absolute under goos's rules.
func isAbs(goos, p string) bool {
	if goos == "windows" {
		return len(p) > 2 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
	}
	return strings.HasPrefix(p, "/")
}
