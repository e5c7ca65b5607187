package installer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/internal/config"
)

// UninstallOptions are uninstall's flags and hooks.
type UninstallOptions struct {
	System bool
	DryRun bool
	// Purge also deletes the data dir and the keyring entries, after
	// Confirm says yes (the CLI asks, or --yes).
	Purge   bool
	Confirm func(question string) bool
	// DeleteKeys removes Ringfence's keyring entries; it returns a
	// one-line description of what it did.
	DeleteKeys func(ctx context.Context) (string, error)
}

// Uninstall removes what the install record lists, and nothing else:
// registry keys still pointing where install pointed them, the files it
// wrote, the ids it added to config.json, and the folders it created if
// they are empty.
func Uninstall(ctx context.Context, m Machine, o UninstallOptions) (*Result, error) {
	res := &Result{DryRun: o.DryRun}
	recPath := recordPath(m.Env, o.System)
	rec, found, err := loadRecord(recPath)
	if err != nil {
		return nil, err
	}
	purgeDirs := dataDirs(m, rec)
	// Ask before touching anything, so "no" leaves everything as it was.
	if o.Purge && !o.DryRun {
		q := fmt.Sprintf("Delete %s (every snapshot, event and key file) and Ringfence's keyring entries? This cannot be undone.", strings.Join(purgeDirs, " and "))
		if o.Confirm == nil || !o.Confirm(q) {
			return res, errors.New("purge not confirmed: nothing was removed")
		}
	}
	if !found {
		res.Notes = append(res.Notes, "no install record at "+recPath+": nothing to remove")
	}
	act := func(op, path, note string) { res.Actions = append(res.Actions, Action{Op: op, Path: path, Note: note}) }
	var errs []error

	for _, r := range rec.Reg {
		if m.Registry == nil {
			errs = append(errs, fmt.Errorf("cannot remove %s: no registry on %s", r.Key, m.GOOS))
			continue
		}
		cur, err := m.Registry.Default(r.Key)
		switch {
		case errors.Is(err, ErrNoKey):
			continue
		case err != nil:
			errs = append(errs, err)
			continue
		case cur != r.Value:
			act("keep", r.Key.String(), "points at "+cur+" now, not at what install wrote")
			continue
		}
		act("remove", r.Key.String(), "")
		if !o.DryRun {
			if err := m.Registry.DeleteKey(r.Key); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, f := range rec.Files {
		if _, err := os.Lstat(f.Path); isNotExist(err) {
			continue
		}
		if f.Kind == "link" {
			if cur, err := os.Readlink(f.Path); err != nil || cur != f.Link {
				act("keep", f.Path, "no longer install's link to "+f.Link)
				continue
			}
			act("remove", f.Path, "link")
			if !o.DryRun {
				if err := os.Remove(f.Path); err != nil && !isNotExist(err) {
					errs = append(errs, err)
				}
			}
			continue
		}
		if sum, err := fileSHA256(f.Path); err != nil || sum != f.SHA256 {
			// Changed since install wrote it (another installer, the user):
			// not ours to delete any more.
			act("keep", f.Path, "changed since install wrote it")
			continue
		}
		if f.Original != nil {
			act("restore", f.Path, "the "+f.Kind+" that was there before install")
			if !o.DryRun {
				if err := writeFileAtomic(f.Path, []byte(*f.Original), 0o644); err != nil {
					errs = append(errs, err)
				}
			}
			continue
		}
		act("remove", f.Path, f.Kind)
		if !o.DryRun {
			if err := os.Remove(f.Path); err != nil && !isNotExist(err) {
				errs = append(errs, err)
			}
		}
	}
	if len(rec.ConfigIDs) > 0 || rec.ConfigCreated {
		if err := undoConfig(m.DataDir, rec, o.DryRun, act); err != nil {
			errs = append(errs, err)
		}
	}
	if found && len(errs) > 0 {
		act("keep", recPath, "install record kept so uninstall can be re-run once the errors are fixed")
	} else if found {
		act("remove", recPath, "install record")
		if !o.DryRun {
			if err := os.Remove(recPath); err != nil && !isNotExist(err) {
				errs = append(errs, err)
			}
		}
	}
	// Purge before the folder pass, so parents install created (~/.local/share)
	// go too once the data dir is gone.
	if o.Purge {
		if err := purge(ctx, o, purgeDirs, act); err != nil {
			errs = append(errs, err)
		}
	}
	// Innermost first; a folder that holds anything else (a database, a
	// manifest of another program) stays.
	dirs := slices.Clone(rec.Dirs)
	slices.Reverse(dirs)
	for _, d := range dirs {
		if o.DryRun {
			act("rmdir", d, "if empty")
			continue
		}
		if err := os.Remove(d); err == nil {
			act("rmdir", d, "")
		} else if !isNotExist(err) {
			act("keep", d, "not empty")
		}
	}

	return res, errors.Join(errs...)
}

func undoConfig(dataDir string, rec *Record, dry bool, act func(op, path, note string)) error {
	path := config.Path(dataDir)
	if sum, err := fileSHA256(path); err == nil && sum == rec.ConfigWritten {
		// Untouched since install wrote it: restore the original bytes.
		if rec.ConfigCreated {
			act("remove", path, "config created by install")
			if dry {
				return nil
			}
			return os.Remove(path)
		}
		if rec.ConfigOriginal != nil {
			act("config", path, "restore the content from before install")
			if dry {
				return nil
			}
			return writeFileAtomic(path, []byte(*rec.ConfigOriginal), modeOr(path, 0o600))
		}
	}
	fields, ids, existed, err := readConfig(path)
	if err != nil || !existed {
		return err
	}
	kept := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return slices.Contains(rec.ConfigIDs, id) })
	if len(kept) == 0 {
		delete(fields, config.AllowedKey)
	}
	if rec.ConfigCreated && len(fields) == 0 {
		act("remove", path, "config created by install")
		if dry {
			return nil
		}
		return os.Remove(path)
	}
	if len(kept) == len(ids) {
		return nil
	}
	act("config", path, "remove the ids install added")
	if dry {
		return nil
	}
	return writeConfig(path, fields, kept)
}

// dataDirs are the folders --purge deletes: the data dir, and the data dir
// of each Flatpak browser's copy of the host (~/.var/app/<id>/data/ringfence,
// where that sandboxed host keeps its store).
func dataDirs(m Machine, rec *Record) []string {
	dirs := []string{m.DataDir}
	for _, f := range rec.Files {
		if f.Kind != "binary" {
			continue
		}
		d := filepath.Dir(filepath.Dir(f.Path))
		if d != m.DataDir && d != m.SystemDir() && filepath.Base(d) == "ringfence" && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

func purge(ctx context.Context, o UninstallOptions, dirs []string, act func(op, path, note string)) error {
	var errs []error
	if o.DeleteKeys != nil {
		if o.DryRun {
			act("remove", "keyring", "Ringfence's entries")
		} else if what, err := o.DeleteKeys(ctx); err != nil {
			errs = append(errs, fmt.Errorf("delete keyring entries: %w", err))
		} else {
			act("remove", "keyring", what)
		}
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			continue
		}
		errs = append(errs, purgeDataDir(d, o.DryRun, act))
	}
	return errors.Join(errs...)
}

// dataEntries are the names Ringfence itself keeps in a data folder.
var dataEntries = []string{"ringfence.db", "ringfence.db-wal", "ringfence.db-shm", "ringfence.db-journal",
	"keys.json", "keys.lock", "config.json", RecordName, "uploads", "bin"}

// purgeDataDir deletes Ringfence's own entries of d, then d itself when
// nothing else is left: RINGFENCE_HOME may name a folder that also holds
// files of the user's, and those are not ours to delete.
func purgeDataDir(d string, dry bool, act func(op, path, note string)) error {
	var errs []error
	for _, name := range dataEntries {
		p := filepath.Join(d, name)
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		act("remove", p, "data")
		if !dry {
			if err := os.RemoveAll(p); err != nil {
				errs = append(errs, err)
			}
		}
	}
	entries, err := os.ReadDir(d)
	var foreign []string
	for _, e := range entries {
		if !slices.Contains(dataEntries, e.Name()) {
			foreign = append(foreign, e.Name())
		}
	}
	switch {
	case err != nil:
		errs = append(errs, err)
	case len(foreign) == 0:
		act("remove", d, "data dir")
		if !dry {
			if err := os.Remove(d); err != nil {
				errs = append(errs, err)
			}
		}
	default:
		act("keep", d, fmt.Sprintf("holds %d entries that are not Ringfence's (first: %s)", len(foreign), foreign[0]))
	}
	return errors.Join(errs...)
}
