package store

import (
	"context"
	"database/sql"
)

// The commit path's statements, prepared once per connection instead of on
// every commit: preparing INSERT INTO snapshots compiles its triggers and
// foreign-key checks each time, a fixed cost on every acknowledgement.
const (
	// OR IGNORE: another process may have stored the same bytes since we
	// looked; both rows decrypt to the same plaintext.
	sqlInsertBlob = `INSERT OR IGNORE INTO blobs
		(sha256, size, stored_size, compression, nonce, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlInsertSnapshot = `INSERT INTO snapshots (id, captured_at, tz_offset_minutes, url, final_url,
		title, trigger, browser, browser_version, extension_version, host_version, viewport_width,
		viewport_height, device_pixel_ratio, language, category, category_source, redactions, notes,
		api_key_count, stored_at, capture_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertArtifact = `INSERT INTO artifacts (snapshot_id, name, mime, size, sha256) VALUES (?, ?, ?, ?, ?)`
)

// commitStatements are prepared by prepareStmts.
var commitStatements = []string{sqlInsertBlob, sqlInsertSnapshot, sqlInsertArtifact}

// prepareStmts prepares the commit statements once (on any connection;
// database/sql prepares each again on the first transaction of every other
// connection and keeps it). It runs before a write transaction begins:
// preparing inside one could wait for a pooled connection while holding
// another. A failure only means stmt falls back to unprepared statements.
func (s *Store) prepareStmts(ctx context.Context) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if s.stmts != nil {
		return
	}
	m := make(map[string]*sql.Stmt, len(commitStatements))
	for _, q := range commitStatements {
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			for _, st := range m {
				st.Close()
			}
			return
		}
		m[q] = st
	}
	s.stmts = m
}

// stmt is query for tx: the cached prepared statement (database/sql
// prepares it on tx's connection the first time and keeps it), or the plain
// query when prepareStmts could not prepare them.
func (s *Store) stmt(ctx context.Context, tx *sql.Tx, query string) txStmt {
	s.stmtMu.Lock()
	st := s.stmts[query]
	s.stmtMu.Unlock()
	if st != nil {
		return tx.StmtContext(ctx, st)
	}
	return txExec{tx, query}
}

// txStmt is what the commit path needs of a statement.
type txStmt interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
}

// txExec runs an unprepared query on a transaction.
type txExec struct {
	tx    *sql.Tx
	query string
}

func (e txExec) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return e.tx.ExecContext(ctx, e.query, args...)
}

// closeStmts closes the prepared statements (Close).
func (s *Store) closeStmts() {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
}
