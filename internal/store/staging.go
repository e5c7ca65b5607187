package store

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// The staging folder ("uploads" next to the database, 0700) holds every
// temporary file that may carry evidence: spilled upload chunks, an
// export's report and WARC spill files (decrypted), and one record per
// export in progress naming its partial kit file, which has to live beside
// the kit for the final rename. Every name starts with "u-<pid>-", so any
// process can tell a dead writer's leftovers from live work; SweepStaging
// removes them at host start, at export start and from `doctor`.

// exportRecord ends the name of a record of an export in progress.
const exportRecord = ".export"

// StagingDirOf is the staging folder of the database at dbPath.
func StagingDirOf(dbPath string) string { return filepath.Join(filepath.Dir(dbPath), "uploads") }

// StagingDir creates (0700) and returns the staging folder.
func (s *Store) StagingDir() (string, error) {
	if err := os.MkdirAll(s.uploads, 0o700); err != nil {
		return "", fmt.Errorf("store: staging folder: %w", classify(err))
	}
	if err := os.Chmod(s.uploads, 0o700); err != nil && runtime.GOOS != "windows" {
		return "", fmt.Errorf("store: staging folder: %w", classify(err))
	}
	return s.uploads, nil
}

// StagingPattern is an os.CreateTemp pattern for a temporary file of this
// process in the staging folder: "u-<pid>-<kind>-*".
func StagingPattern(kind string) string {
	return fmt.Sprintf("%s%d-%s-*", spillPrefix, os.Getpid(), kind)
}

// TrackPartial records that this process is writing the partial file path
// (outside the staging folder), so that if the process dies SweepStaging
// removes it. release drops the record once the file is renamed or removed.
func (s *Store) TrackPartial(path string) (release func(), err error) {
	dir, err := s.StagingDir()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: track %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, StagingPattern("kit")+exportRecord)
	if err != nil {
		return nil, fmt.Errorf("store: track %s: %w", path, classify(err))
	}
	_, werr := f.WriteString(abs)
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		os.Remove(f.Name())
		return nil, fmt.Errorf("store: track %s: %w", path, classify(werr))
	}
	return func() { os.Remove(f.Name()) }, nil
}

// LeftoversRemoved lists the files SweepStaging removed when this store was
// opened (and at SweepNow).
func (s *Store) LeftoversRemoved() []string { return s.swept }

// SweepNow sweeps the staging folder again (an export calls it at start)
// and returns what it removed.
func (s *Store) SweepNow() []string {
	got := SweepStaging(s.uploads, time.Hour)
	s.swept = append(s.swept, got...)
	return got
}

// SweepStaging removes the files in dir that processes that are gone left
// there: at once when the PID in the name no longer runs (where the OS can
// tell), and otherwise once older than maxAge (an upload takes seconds),
// which also covers a PID reused by an unrelated process. A record of an
// export in progress takes its partial kit file with it; a live process's
// record is kept whatever its age (a large export may take long). It
// returns the paths it removed.
func SweepStaging(dir string, maxAge time.Duration) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, spillPrefix) {
			continue
		}
		dead, alive := false, false
		if pid, ok := spillPID(name); ok && pid != os.Getpid() {
			var known bool
			if alive, known = processAlive(pid); known && !alive {
				dead = true
			}
		} else if ok {
			alive = true
		}
		record := strings.HasSuffix(name, exportRecord)
		if !dead && !(record && alive) {
			info, err := e.Info()
			dead = err == nil && time.Since(info.ModTime()) > maxAge
		}
		if !dead {
			continue
		}
		p := filepath.Join(dir, name)
		if record {
			// Only a file named like our partial kits is removed, whatever
			// the record says.
			if b, err := os.ReadFile(p); err == nil && strings.Contains(filepath.Base(string(b)), ".partial-") {
				if err := os.Remove(string(b)); err == nil {
					removed = append(removed, string(b))
				}
			}
		}
		if err := os.Remove(p); err == nil {
			removed = append(removed, p)
		}
	}
	return removed
}
