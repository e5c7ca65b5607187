package caller

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ringfence/ringfence/internal/config"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want Caller
		ok   bool
	}{
		{"chromium", []string{"chrome-extension://kgjgjjlabbgcnkpjhjigkccigfbappbn/"}, Caller{Browser: "chromium", ExtensionID: config.DevChromeID}, true},
		{"chromium on windows", []string{"chrome-extension://abc/", "--parent-window=0"}, Caller{Browser: "chromium", ExtensionID: "abc"}, true},
		{"firefox", []string{"/home/u/.mozilla/native-messaging-hosts/io.ringfence.host.json", "ringfence@ringfence.io"},
			Caller{Browser: "firefox", ExtensionID: config.DevFirefoxID, ManifestPath: "/home/u/.mozilla/native-messaging-hosts/io.ringfence.host.json"}, true},
		{"firefox windows", []string{`C:\Users\u\AppData\io.ringfence.host.JSON`, "x@y"},
			Caller{Browser: "firefox", ExtensionID: "x@y", ManifestPath: `C:\Users\u\AppData\io.ringfence.host.JSON`}, true},
		{"no args", nil, Caller{}, false},
		{"a verb", []string{"list", "--json"}, Caller{}, false},
		{"empty chrome id", []string{"chrome-extension:///"}, Caller{}, false},
		{"chrome path", []string{"chrome-extension://abc/evil/"}, Caller{}, false},
		{"json then flag", []string{"kit.json", "--json"}, Caller{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.args)
			if ok != tt.ok || got != tt.want {
				t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", tt.args, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestAllowlist(t *testing.T) {
	home := t.TempDir()
	cfg, err := config.Load(home)
	if err != nil {
		t.Fatalf("missing config: %v", err)
	}
	os.WriteFile(filepath.Join(home, "config.json"), []byte(`{"allowed_extension_ids":["abcdefghijklmnopabcdefghijklmnop"],"other":1}`), 0o600)
	cfg2, err := config.Load(home)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cfg  config.File
		id   string
		want bool
	}{
		{cfg, config.DevChromeID, true},
		{cfg, config.DevFirefoxID, true},
		{cfg, "abcdefghijklmnopabcdefghijklmnop", false},
		{cfg2, "abcdefghijklmnopabcdefghijklmnop", true},
		{cfg2, "", false},
		{cfg2, "evil@example.com", false},
	}
	for _, tt := range tests {
		if got := IsAllowed(Caller{ExtensionID: tt.id}, Allowed(tt.cfg)); got != tt.want {
			t.Errorf("IsAllowed(%q) = %v", tt.id, got)
		}
	}
	os.WriteFile(filepath.Join(home, "config.json"), []byte(`{`), 0o600)
	if _, err := config.Load(home); err == nil {
		t.Error("a broken config.json loaded")
	}
}
