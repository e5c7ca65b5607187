package platform

import "testing"

func TestJoinDirIsAbs(t *testing.T) {
	joins := []struct {
		goos  string
		parts []string
		want  string
	}{
		{"linux", []string{"/home/u/", ".config/chromium", "NativeMessagingHosts"}, "/home/u/.config/chromium/NativeMessagingHosts"},
		{"linux", []string{"/", "etc", "opt"}, "/etc/opt"},
		{"darwin", []string{"/Users/u", "Library/Application Support", "Ringfence"}, "/Users/u/Library/Application Support/Ringfence"},
		{"windows", []string{`C:\Users\u\AppData\Local\`, "Ringfence/bin", "ringfence.exe"}, `C:\Users\u\AppData\Local\Ringfence\bin\ringfence.exe`},
	}
	for _, c := range joins {
		if got := Join(c.goos, c.parts...); got != c.want {
			t.Errorf("Join(%s, %q) = %q, want %q", c.goos, c.parts, got, c.want)
		}
	}
	dirs := []struct{ goos, p, want string }{
		{"linux", "/a/b/c.json", "/a/b"},
		{"linux", "/c.json", "/"},
		{"linux", "c.json", "."},
		{"windows", `C:\a\b.json`, `C:\a`},
	}
	for _, c := range dirs {
		if got := Dir(c.goos, c.p); got != c.want {
			t.Errorf("Dir(%s, %q) = %q, want %q", c.goos, c.p, got, c.want)
		}
	}
	abs := []struct {
		goos, p string
		want    bool
	}{
		{"linux", "/x", true}, {"linux", "x/y", false},
		{"windows", `C:\x`, true}, {"windows", `\\server\share`, true}, {"windows", `x\y`, false}, {"windows", "/x", false},
	}
	for _, c := range abs {
		if got := IsAbs(c.goos, c.p); got != c.want {
			t.Errorf("IsAbs(%s, %q) = %v, want %v", c.goos, c.p, got, c.want)
		}
	}
}
