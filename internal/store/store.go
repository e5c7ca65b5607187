// Package store is Ringfence's evidence store: one SQLite file (WAL) holding
// snapshots, their artifacts as content-addressed encrypted blobs, and the
// append-only hash-chained event log. docs/data-model.md describes the schema.
package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ringfence/ringfence/internal/spec"
)

// Errors callers branch on. Everything else is a storage failure.
var (
	ErrNotFound     = errors.New("not found")
	ErrStorageFull  = errors.New("storage full")
	ErrInvalid      = errors.New("invalid input")
	ErrTooLarge     = errors.New("too large")
	ErrSizeMismatch = errors.New("size mismatch")
	ErrChecksum     = errors.New("checksum mismatch")
	ErrOutOfOrder   = errors.New("chunk out of order")
	ErrClosed       = errors.New("upload closed")
	ErrWrongKey     = errors.New("the data key does not match this database")
)

// Limits on what one snapshot may hold; the protocol advertises them.
const (
	MaxArtifactSize = spec.MaxArtifact
	MaxUploadSize   = spec.MaxUpload
	MaxArtifacts    = spec.MaxArtifacts
	MaxEventDetail  = 64 << 10
)

// busyTimeout is how long a writer waits for another process's write
// transaction; commits are milliseconds, so this only matters under load.
const busyTimeout = 15 * time.Second

// Store is an open evidence store. It is safe for concurrent use, and several
// processes may open the same file at once.
type Store struct {
	db      *sql.DB
	path    string
	uploads string
	// keyReady is closed once aead or keyErr is set: the data key may
	// still be on its way from the OS keyring (OpenLazy), and only sealing
	// and opening blobs wait for it.
	keyReady chan struct{}
	aead     cipher.AEAD
	keyErr   error
	key      []byte
	// checkMu guards checked: the key is compared with the database's
	// record on first use, on the caller's connection, rather than by the
	// background fetch, which would open a second SQLite connection while
	// the host answers its first request.
	checkMu sync.Mutex
	checked bool
	// thumbs counts thumbnails being made in the background; Close
	// waits for them.
	thumbs sync.WaitGroup
	// bufs recycles staging and sealing buffers (bufpool.go); flaters
	// recycles deflate writers (~1 MB of state each).
	bufs    bufPool
	flaters sync.Pool
	// full is set when a write failed for lack of space; the next write
	// first checkpoints and truncates the WAL (recoverSpace).
	full atomic.Bool
	// swept lists the leftover temporary files removed at open.
	swept []string
	// stmts holds the commit path's prepared statements (stmts.go).
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

// walSizeLimit is journal_size_limit: after a checkpoint resets the WAL,
// SQLite truncates the file to at most this, so one large snapshot does not
// keep its WAL's size on disk for good. It is above the WAL's usual size
// (the automatic checkpoint runs at 1000 pages, 16 MiB, plus the last
// commit): a WAL cut below that grows again on the next commits, and
// appending to a file costs its fsync a metadata update that overwriting
// one does not (8 MiB made a 5 MB commit about 12 % slower).
const walSizeLimit = 32 << 20

// Open opens (creating if needed) the database at path and brings its schema
// up to date. dataKey is the 32-byte AES-256 key the blobs are sealed with.
// Chunked uploads are staged in an "uploads" folder next to the database.
func Open(ctx context.Context, path string, dataKey []byte) (*Store, error) {
	return OpenWith(ctx, path, dataKey, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, dataKey []byte, opt Options) (*Store, error) {
	return OpenKeyFunc(ctx, path, func(context.Context) ([]byte, error) { return dataKey, nil }, opt)
}

// Options tune OpenWith and OpenKeyFunc.
type Options struct {
	// MaxBytes caps the database file (SQLite max_page_count); writes past
	// it fail with ErrStorageFull exactly as a full disk does. Zero = no cap.
	MaxBytes int64
}

// pageSize is the page size of new databases. Artifacts are large blobs
// stored in overflow pages; with 16 KiB pages SQLite (modernc) writes a
// 2 MB blob about three times faster than with the default 4 KiB, while a
// small event row still costs one page. Existing files keep their size.
const pageSize = 16384

// OpenKeyFunc is OpenWith taking the data key from a function that
// runs while the database is being opened: fetching the key from the OS
// keyring is a few IPC round trips, and overlapping them with SQLite's own
// start-up shortens the wait. It returns once the key is checked.
func OpenKeyFunc(ctx context.Context, path string, dataKey func(context.Context) ([]byte, error), opt Options) (*Store, error) {
	s, err := OpenLazy(ctx, path, dataKey, opt)
	if err != nil {
		return nil, err
	}
	if _, err := s.cipher(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// OpenLazy opens the database and returns without waiting for the data
// key: dataKey runs in the background, and only what seals or opens blobs
// waits for it (and fails with its error). Counts, lists and the event log
// answer at once, so a native host's first reply does not wait for the OS
// keyring. KeyErr reports a key that turned out missing or wrong.
func OpenLazy(ctx context.Context, path string, dataKey func(context.Context) ([]byte, error), opt Options) (*Store, error) {
	s, err := openDB(ctx, path, opt)
	if err != nil {
		return nil, err
	}
	s.keyReady = make(chan struct{})
	go func() {
		defer close(s.keyReady)
		s.key, s.aead, s.keyErr = fetchKey(context.WithoutCancel(ctx), dataKey)
		if s.keyErr == nil {
			s.sweepUploads(time.Hour)
		}
	}()
	return s, nil
}

// fetchKey fetches the data key and makes its cipher.
func fetchKey(ctx context.Context, dataKey func(context.Context) ([]byte, error)) ([]byte, cipher.AEAD, error) {
	key, err := dataKey(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("store: data key: %w", err)
	}
	if len(key) != 32 {
		return nil, nil, fmt.Errorf("store: data key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, nil, fmt.Errorf("store: data key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, fmt.Errorf("store: data key: %w", err)
	}
	return key, aead, nil
}

// cipher waits for the data key (see OpenLazy) and, on first use, checks
// it against the database.
func (s *Store) cipher(ctx context.Context) (cipher.AEAD, error) {
	select {
	case <-s.keyReady:
	case <-ctx.Done():
		return nil, fmt.Errorf("store: waiting for the data key: %w", ctx.Err())
	}
	s.checkMu.Lock()
	defer s.checkMu.Unlock()
	if s.keyErr == nil && !s.checked {
		if err := s.checkKey(ctx, s.key); err != nil {
			err = fmt.Errorf("store: open %s: %w", s.path, err)
			if errors.Is(err, ErrWrongKey) {
				s.keyErr, s.checked = err, true // final: a wrong key stays wrong
			}
			return nil, err
		}
		s.checked = true
	}
	if s.keyErr != nil {
		return nil, s.keyErr
	}
	return s.aead, nil
}

// KeyErr is the data key's error once known: nil while it is still being
// fetched or not yet checked, and when it is fine.
func (s *Store) KeyErr() error {
	select {
	case <-s.keyReady:
	default:
		return nil
	}
	s.checkMu.Lock()
	defer s.checkMu.Unlock()
	return s.keyErr
}

// openDB opens the SQLite file with the pragmas every connection needs and
// applies pending migrations.
func openDB(ctx context.Context, path string, opt Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create data folder: %w", classify(err))
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Add("_pragma", fmt.Sprintf("page_size(%d)", pageSize)) // runs before journal_mode: only a new file takes it
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL") // an acknowledged snapshot survives power loss too
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate") // writers take the lock up front: no deadlock-on-upgrade
	q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
	// A commit's statements (an INSERT OR IGNORE, inserts with triggers)
	// keep statement journals; past 64 KiB SQLite spilled them to a new
	// file in /var/tmp on every commit. In memory they cost no syscalls.
	q.Add("_pragma", "temp_store(MEMORY)")
	if opt.MaxBytes > 0 {
		// The empty schema alone takes 18 pages; 32 leaves room for migrations.
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", max(opt.MaxBytes/pageSize, 32)))
	}
	// In a file: URI "?" starts the parameters and "#" a fragment: a data
	// folder whose path holds either (or "%") must be percent-encoded, or
	// SQLite opens a truncated path without our pragmas.
	dsn := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path)) + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	s := &Store{db: db, path: path, uploads: filepath.Join(filepath.Dir(path), "uploads")}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// SQLite creates the WAL and shared-memory files with the umask's mode;
	// they hold page images, so they get the database's 0600 too.
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) && runtime.GOOS != "windows" {
			db.Close()
			return nil, fmt.Errorf("store: restrict %s: %w", f, err)
		}
	}
	return s, nil
}

// checkKey compares an HMAC of the data key with the one recorded when the
// database was created, so a different key (say, a keyring entry lost and
// re-created) is refused up front instead of sealing new blobs under a key
// the old ones do not share.
func (s *Store) checkKey(ctx context.Context, dataKey []byte) error {
	m := hmac.New(sha256.New, dataKey)
	m.Write([]byte("ringfence-key-check-v1"))
	want := hex.EncodeToString(m.Sum(nil))
	var have string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'key_check'`).Scan(&have)
	if err == nil {
		if !hmac.Equal([]byte(have), []byte(want)) {
			return ErrWrongKey
		}
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return classify(err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var have string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'key_check'`).Scan(&have)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('key_check', ?)`, want)
			return err
		}
		if err != nil {
			return err
		}
		if !hmac.Equal([]byte(have), []byte(want)) {
			return ErrWrongKey
		}
		return nil
	})
}

// Close waits for thumbnails in progress, then closes the database.
func (s *Store) Close() error {
	s.thumbs.Wait()
	s.bufs.drop()
	s.closeStmts()
	return s.db.Close()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Stats are the counts `hello` reports.
type Stats struct {
	Snapshots int64 `json:"snapshots"`
	Events    int64 `json:"events"`
	BlobBytes int64 `json:"blob_bytes"`
}

const statsQuery = `SELECT
	(SELECT value FROM counters WHERE name = 'snapshots'),
	(SELECT value FROM counters WHERE name = 'events'),
	(SELECT value FROM counters WHERE name = 'blob_bytes')`

// Stats counts snapshots, events and stored (compressed, encrypted) blob bytes.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	// The counters table (migration 3) keeps these current: three point
	// reads instead of scanning every row, so hello does not grow with the store.
	err := s.db.QueryRowContext(ctx, statsQuery).Scan(&st.Snapshots, &st.Events, &st.BlobBytes)
	if err != nil {
		return st, fmt.Errorf("store: stats: %w", classify(err))
	}
	return st, nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns its first line
// ("ok" when the file is sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return "", fmt.Errorf("store: integrity check: %w", classify(err))
	}
	return res, nil
}

// write runs fn in one BEGIN IMMEDIATE transaction, retrying the whole
// transaction if SQLite still reports busy after busy_timeout.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.full.Load() {
		s.recoverSpace(ctx)
	}
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = s.writeOnce(ctx, fn)
		if err == nil || !isBusy(err) {
			err = classify(err)
			if errors.Is(err, ErrStorageFull) {
				s.full.Store(true)
				s.recoverSpace(ctx)
			}
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
		}
	}
	return classify(err)
}

// recoverSpace runs after a write failed for lack of space, and before
// every write until it succeeds: a TRUNCATE checkpoint copies the committed
// WAL frames into the database and cuts the WAL to zero bytes, so the space
// the WAL held comes back as soon as the database file has room for those
// pages — without it the WAL keeps its size (and the store stays full) until
// an automatic checkpoint, which never comes while every write fails.
func (s *Store) recoverSpace(ctx context.Context) {
	var busy, logFrames, done int
	err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done)
	if err == nil && busy == 0 {
		s.full.Store(false)
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

func isBusy(err error) bool {
	c := sqliteCode(err) & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// classify maps "disk full" in any of its forms to ErrStorageFull, keeping
// the original error in the chain.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrStorageFull) {
		return err
	}
	full := errors.Is(err, syscall.ENOSPC) || sqliteCode(err)&0xff == sqlite3.SQLITE_FULL
	if !full && sqliteCode(err) == sqlite3.SQLITE_IOERR_WRITE {
		full = true // SQLite reports ENOSPC during WAL writes as IOERR_WRITE
	}
	if full {
		return fmt.Errorf("%w: %w", ErrStorageFull, err)
	}
	return err
}

const timeFormat = spec.TimeFormat

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}
