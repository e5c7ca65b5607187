package installer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ConfigKey is the field of $RINGFENCE_HOME/config.json that lists extra
// extension ids the host accepts (docs/protocol.md, "Caller check").
const ConfigKey = "allowed_extension_ids"

// ConfigPath is config.json inside the data dir.
func ConfigPath(dataDir string) string { return filepath.Join(dataDir, "config.json") }

// readConfig returns config.json's fields (kept as raw JSON so fields owned
// by others survive a rewrite) and the allowed ids. A missing file is empty.
func readConfig(path string) (map[string]json.RawMessage, []string, bool, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]json.RawMessage{}, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	fields := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, nil, true, fmt.Errorf("%s is not a JSON object: %w", path, err)
		}
	}
	var ids []string
	if v, ok := fields[ConfigKey]; ok {
		if err := json.Unmarshal(v, &ids); err != nil {
			return nil, nil, true, fmt.Errorf("%s: %s must be a list of strings: %w", path, ConfigKey, err)
		}
	}
	return fields, ids, true, nil
}

// ConfiguredIDs returns the extra extension ids listed in config.json.
func ConfiguredIDs(dataDir string) ([]string, error) {
	_, ids, _, err := readConfig(ConfigPath(dataDir))
	return ids, err
}

func writeConfig(path string, fields map[string]json.RawMessage, ids []string) error {
	if len(ids) == 0 {
		delete(fields, ConfigKey)
	} else {
		v, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		fields[ConfigKey] = v
	}
	out, err := json.MarshalIndent(fields, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(out, '\n'), modeOr(path, 0o600))
}

// modeOr is path's permission bits, or def when it does not exist, so a
// rewrite keeps the mode the user chose.
func modeOr(path string, def os.FileMode) os.FileMode {
	if st, err := os.Stat(path); err == nil {
		return st.Mode().Perm()
	}
	return def
}
