package installer

import (
	"encoding/json"
	"os"

	"github.com/ringfence/ringfence/internal/config"
)

// config.json belongs to internal/config; install and uninstall only add
// and remove ids in its allowed list, keeping every other field.

// readConfig returns config.json's fields, the allowed ids and whether the
// file exists.
func readConfig(path string) (map[string]json.RawMessage, []string, bool, error) {
	f, err := config.Read(path)
	return f.Fields, f.Allowed, f.Exists, err
}

// ConfiguredIDs returns the extra extension ids listed in config.json.
func ConfiguredIDs(dataDir string) ([]string, error) {
	f, err := config.Load(dataDir)
	return f.Allowed, err
}

func writeConfig(path string, fields map[string]json.RawMessage, ids []string) error {
	out, err := config.File{Fields: fields, Allowed: ids}.Encode()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, out, modeOr(path, 0o600))
}

// modeOr is path's permission bits, or def when it does not exist, so a
// rewrite keeps the mode the user chose.
func modeOr(path string, def os.FileMode) os.FileMode {
	if st, err := os.Stat(path); err == nil {
		return st.Mode().Perm()
	}
	return def
}
