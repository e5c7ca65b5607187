package installer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// RecordName is the install record kept in the data dir (per-user) or the
// system dir (--system). Uninstall removes exactly what it lists.
const RecordName = "install-record.json"

// Record lists everything install wrote.
type Record struct {
	Version int `json:"version"`
	// Dirs are folders install created, in creation order (outermost first).
	Dirs  []string     `json:"dirs"`
	Files []RecordFile `json:"files"`
	Reg   []RecordReg  `json:"registry,omitempty"`
	// ConfigCreated: install created config.json; ConfigIDs: ids it added.
	ConfigCreated bool     `json:"config_created,omitempty"`
	ConfigIDs     []string `json:"config_ids,omitempty"`
	// ConfigOriginal is config.json as it was before install first changed
	// it, and ConfigWritten the SHA-256 of what install last wrote: when
	// nobody has edited the file since, uninstall puts the original back
	// byte for byte.
	ConfigOriginal *string `json:"config_original,omitempty"`
	ConfigWritten  string  `json:"config_written,omitempty"`
	// Profiles are --user-data-dir registrations, so doctor checks them.
	Profiles []RecordProfile `json:"profiles,omitempty"`
}

// RecordFile is one file install wrote.
type RecordFile struct {
	Path string `json:"path"`
	Kind string `json:"kind"` // "manifest", "binary" or "link"
	// Link is a symlink's target (Kind "link"; SHA256 is then empty).
	Link      string   `json:"link,omitempty"`
	SHA256    string   `json:"sha256"`
	Locations []string `json:"locations,omitempty"` // location ids served
	// Original is the file as it was before install first replaced it
	// (someone else's manifest of the same name): uninstall puts it back
	// instead of deleting the path.
	Original *string `json:"original,omitempty"`
}

// RecordReg is one registry key install set.
type RecordReg struct {
	Key   RegKey `json:"key"`
	Value string `json:"value"`
}

// RecordProfile is one --user-data-dir registration.
type RecordProfile struct {
	Browser     string `json:"browser"`
	UserDataDir string `json:"user_data_dir"`
}

func loadRecord(path string) (*Record, bool, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Record{Version: 1}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read install record: %w", err)
	}
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, true, fmt.Errorf("install record %s is damaged (%v); delete it and remove the manifests by hand (docs/install.md lists where)", path, err)
	}
	return &r, true, nil
}

func (r *Record) save(path string) error {
	out, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(out, '\n'), 0o600)
}

func (r *Record) addDirs(dirs []string) {
	for _, d := range dirs {
		if !slices.Contains(r.Dirs, d) {
			r.Dirs = append(r.Dirs, d)
		}
	}
}

func (r *Record) putFile(f RecordFile) {
	for i := range r.Files {
		if r.Files[i].Path == f.Path {
			for _, l := range r.Files[i].Locations {
				if !slices.Contains(f.Locations, l) {
					f.Locations = append(f.Locations, l)
				}
			}
			slices.Sort(f.Locations)
			if f.Original == nil {
				f.Original = r.Files[i].Original // what was there before the first install
			}
			r.Files[i] = f
			return
		}
	}
	slices.Sort(f.Locations)
	r.Files = append(r.Files, f)
}

func (r *Record) hasFile(path string) bool {
	return slices.ContainsFunc(r.Files, func(f RecordFile) bool { return f.Path == path })
}

func (r *Record) putReg(k RegKey, v string) {
	for i := range r.Reg {
		if r.Reg[i].Key == k {
			r.Reg[i].Value = v
			return
		}
	}
	r.Reg = append(r.Reg, RecordReg{k, v})
}

func (r *Record) putProfile(p RecordProfile) {
	if !slices.Contains(r.Profiles, p) {
		r.Profiles = append(r.Profiles, p)
	}
}

// recordPath is where the record for a scope lives.
func recordPath(e Env, system bool) string {
	if system {
		return filepath.Join(e.SystemDir(), RecordName)
	}
	return filepath.Join(e.DataDir, RecordName)
}
