package platform

import "testing"

func TestBinaryAndDownloads(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct{ name, got, want string }{
		{"user linux", UserBinary("linux", "/home/u/.local/share/ringfence"), "/home/u/.local/share/ringfence/bin/ringfence"},
		{"user windows", UserBinary("windows", `C:\Users\u\AppData\Local\Ringfence`), `C:\Users\u\AppData\Local\Ringfence\bin\ringfence.exe`},
		{"system linux", SystemBinary("linux", ""), "/usr/local/lib/ringfence/bin/ringfence"},
		{"system darwin", SystemBinary("darwin", ""), "/Library/Application Support/Ringfence/bin/ringfence"},
		{"system windows default", SystemBinary("windows", ""), `C:\Program Files\Ringfence\bin\ringfence.exe`},
		{"system windows env", SystemDir("windows", `D:\Apps`), `D:\Apps\Ringfence`},
		{"downloads xdg", Downloads(env(map[string]string{"HOME": "/home/u", "XDG_DOWNLOAD_DIR": "/data/dl/"}), "linux"), "/data/dl"},
		{"downloads relative xdg", Downloads(env(map[string]string{"HOME": "/home/u", "XDG_DOWNLOAD_DIR": "dl"}), "linux"), "/home/u/Downloads"},
		{"downloads mac ignores xdg", Downloads(env(map[string]string{"HOME": "/Users/u", "XDG_DOWNLOAD_DIR": "/x"}), "darwin"), "/Users/u/Downloads"},
		{"downloads windows", Downloads(env(map[string]string{"USERPROFILE": `C:\Users\u`}), "windows"), `C:\Users\u\Downloads`},
		{"downloads no home", Downloads(env(map[string]string{}), "linux"), ""},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}
