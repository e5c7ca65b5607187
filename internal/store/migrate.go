package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are applied in order, all pending ones in one write transaction
// (so a failed step leaves the schema as it was), each recorded in
// schema_migrations. Never edit one that has shipped:
// append a new one.
var migrations = []string{
	// 1: the initial schema (docs/data-model.md).
	`CREATE TABLE meta (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	);
	CREATE TABLE blobs (
		sha256      TEXT PRIMARY KEY,
		size        INTEGER NOT NULL,
		stored_size INTEGER NOT NULL,
		compression TEXT NOT NULL CHECK (compression IN ('none', 'deflate')),
		nonce       BLOB NOT NULL,
		data        BLOB NOT NULL,
		created_at  TEXT NOT NULL
	);
	-- hello sums stored_size; the index keeps that from reading every blob row.
	CREATE INDEX blobs_stored_size ON blobs (stored_size);
	CREATE TABLE snapshots (
		id                 TEXT PRIMARY KEY,
		captured_at        TEXT NOT NULL,
		tz_offset_minutes  INTEGER NOT NULL,
		url                TEXT NOT NULL,
		final_url          TEXT NOT NULL,
		title              TEXT NOT NULL,
		trigger            TEXT NOT NULL,
		browser            TEXT NOT NULL,
		browser_version    TEXT NOT NULL,
		extension_version  TEXT NOT NULL,
		host_version       TEXT NOT NULL,
		viewport_width     INTEGER NOT NULL,
		viewport_height    INTEGER NOT NULL,
		device_pixel_ratio REAL NOT NULL,
		language           TEXT NOT NULL,
		category           TEXT NOT NULL,
		category_source    TEXT NOT NULL,
		redactions         TEXT NOT NULL,
		notes              TEXT NOT NULL,
		api_key_count      INTEGER,
		stored_at          TEXT NOT NULL
	);
	CREATE INDEX snapshots_captured ON snapshots (captured_at);
	CREATE INDEX snapshots_category ON snapshots (category, captured_at);
	CREATE TABLE artifacts (
		snapshot_id TEXT NOT NULL REFERENCES snapshots (id),
		name        TEXT NOT NULL,
		mime        TEXT NOT NULL,
		size        INTEGER NOT NULL,
		sha256      TEXT NOT NULL REFERENCES blobs (sha256),
		PRIMARY KEY (snapshot_id, name)
	);
	CREATE INDEX artifacts_blob ON artifacts (sha256);
	CREATE TABLE events (
		seq       INTEGER PRIMARY KEY,
		at        TEXT NOT NULL,
		type      TEXT NOT NULL,
		rule_id   TEXT NOT NULL,
		url       TEXT NOT NULL,
		detail    TEXT NOT NULL,
		prev_hash TEXT NOT NULL,
		hash      TEXT NOT NULL UNIQUE
	);
	CREATE TRIGGER events_no_update BEFORE UPDATE ON events
		BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
	CREATE TRIGGER events_no_delete BEFORE DELETE ON events
		BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;`,
	// 2: idempotency keys. A client retrying snapshot.commit or event.log
	// after a lost reply sends the same key again and gets the first row
	// back instead of a second one. NULL (older clients) is never unique.
	`ALTER TABLE snapshots ADD COLUMN capture_id TEXT;
	CREATE UNIQUE INDEX snapshots_capture_id ON snapshots (capture_id) WHERE capture_id IS NOT NULL;
	ALTER TABLE events ADD COLUMN event_id TEXT;
	CREATE UNIQUE INDEX events_event_id ON events (event_id) WHERE event_id IS NOT NULL;`,
	// 3: running totals, so hello and identity.summary cost the same at
	// 10 snapshots as at 10 000 (count(*) and sum() read every row). The
	// triggers keep them exact whoever writes; the partial index finds the
	// newest api_key_count without walking snapshots that have none.
	`CREATE TABLE counters (
		name  TEXT PRIMARY KEY,
		value INTEGER NOT NULL
	) WITHOUT ROWID;
	INSERT INTO counters (name, value) VALUES
		('snapshots', (SELECT count(*) FROM snapshots)),
		('events', (SELECT count(*) FROM events)),
		('blob_bytes', (SELECT coalesce(sum(stored_size), 0) FROM blobs));
	CREATE TRIGGER counters_snapshots_insert AFTER INSERT ON snapshots
		BEGIN UPDATE counters SET value = value + 1 WHERE name = 'snapshots'; END;
	CREATE TRIGGER counters_snapshots_delete AFTER DELETE ON snapshots
		BEGIN UPDATE counters SET value = value - 1 WHERE name = 'snapshots'; END;
	CREATE TRIGGER counters_events_insert AFTER INSERT ON events
		BEGIN UPDATE counters SET value = value + 1 WHERE name = 'events'; END;
	CREATE TRIGGER counters_blobs_insert AFTER INSERT ON blobs
		BEGIN UPDATE counters SET value = value + NEW.stored_size WHERE name = 'blob_bytes'; END;
	CREATE TRIGGER counters_blobs_delete AFTER DELETE ON blobs
		BEGIN UPDATE counters SET value = value - OLD.stored_size WHERE name = 'blob_bytes'; END;
	CREATE TRIGGER counters_blobs_update AFTER UPDATE OF stored_size ON blobs
		BEGIN UPDATE counters SET value = value - OLD.stored_size + NEW.stored_size WHERE name = 'blob_bytes'; END;
	DROP INDEX blobs_stored_size;
	CREATE INDEX snapshots_api_keys ON snapshots (captured_at) WHERE api_key_count IS NOT NULL;
	-- Thumbnails of screenshots, made after commit so exports need not
	-- decode every PNG; sealed like blobs (their own AAD), keyed by the
	-- screenshot's blob.
	CREATE TABLE thumbnails (
		sha256 TEXT PRIMARY KEY REFERENCES blobs (sha256),
		nonce  BLOB NOT NULL,
		data   BLOB NOT NULL
	);`,
	// 4: the case workspace (docs/dashboard.md). feed is a change log the
	// dashboard polls to push live updates: triggers fill it in the same
	// transaction as the change, from every process, and AUTOINCREMENT never
	// reuses a number (a snapshot's rowid can be reused after a deletion).
	// Only the newest 10 000 rows are kept. api_keys is the inventory of keys
	// seen on API-keys snapshots, with what the user recorded about each.
	`CREATE TABLE feed (
		seq  INTEGER PRIMARY KEY AUTOINCREMENT,
		kind TEXT NOT NULL,
		ref  TEXT NOT NULL,
		info TEXT NOT NULL
	);
	CREATE TRIGGER feed_snapshot_added AFTER INSERT ON snapshots BEGIN
		INSERT INTO feed (kind, ref, info) VALUES ('snapshot.added', NEW.id, NEW.trigger); END;
	CREATE TRIGGER feed_snapshot_deleted AFTER DELETE ON snapshots BEGIN
		INSERT INTO feed (kind, ref, info) VALUES ('snapshot.deleted', OLD.id, OLD.trigger); END;
	CREATE TRIGGER feed_event_added AFTER INSERT ON events BEGIN
		INSERT INTO feed (kind, ref, info) VALUES ('event.added', NEW.seq, NEW.type); END;
	CREATE TRIGGER feed_prune AFTER INSERT ON feed WHEN NEW.seq % 1000 = 0 BEGIN
		DELETE FROM feed WHERE seq <= NEW.seq - 10000; END;
	CREATE TABLE api_keys (
		key            TEXT PRIMARY KEY,
		name           TEXT NOT NULL,
		prefix         TEXT NOT NULL,
		project        TEXT NOT NULL,
		created        TEXT NOT NULL,
		last_used      TEXT NOT NULL,
		first_seen     TEXT NOT NULL,
		last_seen      TEXT NOT NULL,
		first_snapshot TEXT NOT NULL,
		last_snapshot  TEXT NOT NULL,
		dependents     TEXT NOT NULL DEFAULT '[]',
		rotation       TEXT NOT NULL DEFAULT 'not_rotated',
		updated_at     TEXT NOT NULL DEFAULT ''
	);
	CREATE TRIGGER feed_key_updated AFTER UPDATE OF dependents, rotation ON api_keys BEGIN
		INSERT INTO feed (kind, ref, info) VALUES ('key.updated', NEW.key, NEW.rotation); END;`,
	// 5: the guided audit (docs/audit.md). One audits row per audit; its
	// summary is derived from decrypted artifacts (emails, key names), so it
	// is sealed like a blob (summary_nonce, summary). audit_steps holds one
	// row per (audit, step, project), replaced when reported again. The
	// feed triggers let the dashboard follow an audit live.
	`CREATE TABLE audits (
		id            TEXT PRIMARY KEY,
		status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'abandoned')),
		scheduled     INTEGER NOT NULL DEFAULT 0,
		started_at    TEXT NOT NULL,
		finished_at   TEXT,
		previous_id   TEXT,
		audit_page    TEXT NOT NULL DEFAULT '',
		summary_nonce BLOB,
		summary       BLOB
	);
	CREATE INDEX audits_started ON audits (started_at);
	CREATE TABLE audit_steps (
		audit_id    TEXT NOT NULL REFERENCES audits (id),
		step_id     TEXT NOT NULL,
		project     TEXT NOT NULL DEFAULT '',
		status      TEXT NOT NULL CHECK (status IN ('captured', 'skipped', 'failed')),
		snapshot_id TEXT NOT NULL DEFAULT '',
		url         TEXT NOT NULL,
		final_url   TEXT NOT NULL DEFAULT '',
		reason      TEXT NOT NULL DEFAULT '',
		at          TEXT NOT NULL,
		PRIMARY KEY (audit_id, step_id, project)
	);
	CREATE TRIGGER feed_audit_added AFTER INSERT ON audits BEGIN
		INSERT INTO feed (kind, ref, info) VALUES ('audit.updated', NEW.id, NEW.status); END;
	CREATE TRIGGER feed_audit_updated AFTER UPDATE OF status ON audits BEGIN
		INSERT INTO feed (kind, ref, info) VALUES ('audit.updated', NEW.id, NEW.status); END;
	CREATE TRIGGER feed_audit_step AFTER INSERT ON audit_steps BEGIN
		INSERT INTO feed (kind, ref, info) VALUES ('audit.step', NEW.audit_id, NEW.step_id); END;`,
}

// migrate applies pending migrations. The version check happens inside the
// write transaction so two processes starting at once cannot both apply one.
func (s *Store) migrate(ctx context.Context) error {
	// Fast path for every start after the first: a read, no write lock.
	if v, err := s.SchemaVersion(ctx); err == nil && v == len(migrations) {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
			return fmt.Errorf("migrations table: %w", err)
		}
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if have > len(migrations) {
			return fmt.Errorf("database schema version %d is newer than this ringfence (%d): upgrade ringfence", have, len(migrations))
		}
		for v := have + 1; v <= len(migrations); v++ {
			if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				v, fmtTime(time.Now())); err != nil {
				return fmt.Errorf("record migration %d: %w", v, err)
			}
		}
		return nil
	})
}

// SchemaVersion is the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
