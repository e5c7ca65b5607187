package platform

import "testing"

func TestHome(t *testing.T) {
	tests := []struct {
		name, goos string
		env        map[string]string
		want       string
		err        bool
	}{
		{"override", "linux", map[string]string{"RINGFENCE_HOME": "/tmp/rf/", "HOME": "/home/u"}, "/tmp/rf", false},
		{"override windows", "windows", map[string]string{"RINGFENCE_HOME": `D:\rf`}, `D:\rf`, false},
		{"xdg", "linux", map[string]string{"XDG_DATA_HOME": "/x/data", "HOME": "/home/u"}, "/x/data/ringfence", false},
		{"relative xdg ignored", "linux", map[string]string{"XDG_DATA_HOME": "data", "HOME": "/home/u"}, "/home/u/.local/share/ringfence", false},
		{"linux default", "linux", map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/ringfence", false},
		{"freebsd", "freebsd", map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/ringfence", false},
		{"mac", "darwin", map[string]string{"HOME": "/Users/u", "XDG_DATA_HOME": "/x"}, "/Users/u/Library/Application Support/Ringfence", false},
		{"windows", "windows", map[string]string{"LOCALAPPDATA": `C:\Users\u\AppData\Local`}, `C:\Users\u\AppData\Local\Ringfence`, false},
		{"windows profile", "windows", map[string]string{"USERPROFILE": `C:\Users\u`}, `C:\Users\u\AppData\Local\Ringfence`, false},
		{"nothing", "linux", map[string]string{}, "", true},
		{"nothing windows", "windows", map[string]string{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Home(func(k string) string { return tt.env[k] }, tt.goos)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("Home = %q, %v; want %q (error %v)", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestFileNames(t *testing.T) {
	for got, want := range map[string]string{DB("/h"): "/h/ringfence.db", Config("/h"): "/h/config.json",
		KeyFile("/h"): "/h/keys.json", KeyLock("/h"): "/h/keys.lock"} {
		if got != want {
			t.Errorf("%s, want %s", got, want)
		}
	}
}
