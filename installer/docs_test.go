package installer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/platform"
)

// docs/install.md must list every folder and registry key the code writes,
// in the forms it uses (~ for the home, ~/L/AS for macOS's Application
// Support).
func TestDocsListEveryLocation(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "docs", "install.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, goos := range []string{"linux", "darwin", "windows"} {
		e := fixedEnv(t, goos)
		for _, system := range []bool{false, true} {
			locs, err := Locations(e, system)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range locs {
				if l.Blocked != "" {
					continue // never written; the docs explain why (Snap, Opera --system)
				}
				var want string
				switch goos {
				case "windows":
					want = "`" + l.Reg[0].Path + "`"
				case "darwin":
					want = platform.Dir(goos, l.Manifest) + "/"
					want = strings.Replace(want, e.Home+"/Library/Application Support", "~/L/AS", 1)
				default:
					want = strings.Replace(platform.Dir(goos, l.Manifest)+"/", e.Home, "~", 1)
				}
				if !strings.Contains(doc, want) {
					t.Errorf("docs/install.md does not list %s %s (system=%v): %s", goos, l.ID, system, want)
				}
			}
		}
	}
}
