package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/ringfence/ringfence/internal/spec"
)

// The guided audit's records (docs/audit.md). The store keeps the audit and
// its steps and checks what only it can check (the audit is running, the
// snapshot exists and was an audit capture); internal/audit computes the
// summary from the artifacts.

// Errors the audit calls return besides ErrNotFound (no such audit).
var (
	// ErrAuditClosed: the audit is completed or abandoned.
	ErrAuditClosed = errors.New("the audit is no longer running")
)

// Event types the audit appends (spec/vocabulary.json).
const (
	EventAuditStarted   = spec.EventAuditStarted
	EventAuditCompleted = spec.EventAuditCompleted
)

// metaAuditPage is the meta key holding the extension's audit page URL, last
// reported by audit.begin or dashboard.open.
const metaAuditPage = "audit_page"

// Audit is one audits row, with its steps.
type Audit struct {
	ID         string
	Status     string
	Scheduled  bool
	StartedAt  time.Time
	FinishedAt time.Time // zero while running or when abandoned
	PreviousID string    // the last completed audit when this one began, "" for the first
	AuditPage  string
	Steps      []AuditStep
	// Summary is the stored summary JSON (decrypted), nil until completed.
	Summary json.RawMessage
}

// AuditStep is how one page of an audit ended.
type AuditStep struct {
	StepID     string
	Project    string
	Status     string
	SnapshotID string
	URL        string
	FinalURL   string
	Reason     string
	At         time.Time
}

// summaryAAD binds a sealed summary to its audit.
func summaryAAD(id string) []byte { return []byte("ringfence-audit-summary-v1:" + id) }

// newAuditID: "a-" and a sortable time, plus a random suffix.
func newAuditID(t time.Time) (string, error) {
	id, err := newID(t)
	if err != nil {
		return "", err
	}
	return "a-" + id, nil
}

// BeginAudit starts an audit: a still-running audit becomes abandoned, the
// new one is recorded with the last completed audit as its previous one, and
// audit.started is appended to the event log, all in one transaction. A
// non-empty auditPage is remembered for the dashboard's Run audit button.
func (s *Store) BeginAudit(ctx context.Context, scheduled bool, auditPage string, at time.Time) (Audit, error) {
	if at.IsZero() {
		at = time.Now()
	}
	at = at.UTC().Truncate(time.Millisecond)
	id, err := newAuditID(at)
	if err != nil {
		return Audit{}, fmt.Errorf("store: begin audit: %w", err)
	}
	a := Audit{ID: id, Status: spec.AuditRunning, Scheduled: scheduled, StartedAt: at, AuditPage: auditPage}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var abandoned []string
		rows, err := tx.QueryContext(ctx, `SELECT id FROM audits WHERE status = ?`, spec.AuditRunning)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return err
			}
			abandoned = append(abandoned, r)
		}
		rows.Close()
		if _, err := tx.ExecContext(ctx, `UPDATE audits SET status = ? WHERE status = ?`, spec.AuditAbandoned, spec.AuditRunning); err != nil {
			return err
		}
		var prev sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT id FROM audits WHERE status = ? ORDER BY started_at DESC, id DESC LIMIT 1`,
			spec.AuditCompleted).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		a.PreviousID = prev.String
		if _, err := tx.ExecContext(ctx, `INSERT INTO audits (id, status, scheduled, started_at, previous_id, audit_page)
			VALUES (?, ?, ?, ?, ?, ?)`, id, a.Status, scheduled, fmtTime(at), nullable(a.PreviousID), auditPage); err != nil {
			return err
		}
		if auditPage != "" {
			if err := setMeta(ctx, tx, metaAuditPage, auditPage); err != nil {
				return err
			}
		}
		detail := map[string]any{"audit_id": id, "scheduled": scheduled}
		if len(abandoned) > 0 {
			detail["abandoned"] = abandoned
		}
		d, _ := json.Marshal(detail)
		_, err = s.appendTx(ctx, tx, Event{Type: EventAuditStarted, Detail: d, At: at})
		return err
	})
	if err != nil {
		return Audit{}, fmt.Errorf("store: begin audit: %w", err)
	}
	return a, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func setMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// SetAuditPage remembers the extension's audit page URL (dashboard.open).
// The caller checks its shape.
func (s *Store) SetAuditPage(ctx context.Context, page string) error {
	err := s.write(ctx, func(tx *sql.Tx) error { return setMeta(ctx, tx, metaAuditPage, page) })
	if err != nil {
		return fmt.Errorf("store: audit page: %w", err)
	}
	return nil
}

// AuditPage is the extension's audit page URL last reported, or "".
func (s *Store) AuditPage(ctx context.Context) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaAuditPage).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: audit page: %w", classify(err))
	}
	return v, nil
}

// auditStatus reads an audit's status inside tx: ErrNotFound when there is
// no such audit.
func auditStatus(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	var st string
	err := tx.QueryRowContext(ctx, `SELECT status FROM audits WHERE id = ?`, id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("audit %q: %w", id, ErrNotFound)
	}
	return st, err
}

// RecordAuditStep stores (or replaces) one step of a running audit and
// returns how many steps the audit has. A captured step's snapshot must be
// stored with trigger audit. The caller checks the step id and status
// against the spec.
func (s *Store) RecordAuditStep(ctx context.Context, auditID string, st AuditStep) (int, error) {
	if st.At.IsZero() {
		st.At = time.Now()
	}
	if err := checkTime("step at", st.At); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	st.URL, st.FinalURL = CapURL(st.URL), CapURL(st.FinalURL)
	if len(st.Reason) > MaxNoteBytes {
		cut := MaxNoteBytes
		for cut > 0 && !utf8.RuneStart(st.Reason[cut]) {
			cut--
		}
		st.Reason = st.Reason[:cut]
	}
	var n int
	err := s.write(ctx, func(tx *sql.Tx) error {
		status, err := auditStatus(ctx, tx, auditID)
		if err != nil {
			return err
		}
		if status != spec.AuditRunning {
			return fmt.Errorf("audit %q is %s: %w", auditID, status, ErrAuditClosed)
		}
		if st.SnapshotID != "" {
			var trigger string
			err := tx.QueryRowContext(ctx, `SELECT trigger FROM snapshots WHERE id = ?`, st.SnapshotID).Scan(&trigger)
			if errors.Is(err, sql.ErrNoRows) {
				return invalid("snapshot %q is not stored", st.SnapshotID)
			}
			if err != nil {
				return err
			}
			if trigger != spec.TriggerAudit {
				return invalid("snapshot %q has trigger %q, not %q", st.SnapshotID, trigger, spec.TriggerAudit)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO audit_steps
			(audit_id, step_id, project, status, snapshot_id, url, final_url, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			auditID, st.StepID, st.Project, st.Status, st.SnapshotID, st.URL, st.FinalURL, st.Reason, fmtTime(st.At)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_steps WHERE audit_id = ?`, auditID).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("store: audit step: %w", err)
	}
	return n, nil
}

// FinishAudit completes a running audit: it stores the summary sealed under
// the data key, and appends audit.completed with detail, in one transaction.
func (s *Store) FinishAudit(ctx context.Context, id string, summary []byte, detail json.RawMessage, at time.Time) (Audit, error) {
	if at.IsZero() {
		at = time.Now()
	}
	at = at.UTC().Truncate(time.Millisecond)
	aead, err := s.cipher(ctx)
	if err != nil {
		return Audit{}, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Audit{}, fmt.Errorf("store: finish audit: nonce: %w", err)
	}
	sealed := aead.Seal(nil, nonce, summary, summaryAAD(id))
	err = s.write(ctx, func(tx *sql.Tx) error {
		status, err := auditStatus(ctx, tx, id)
		if err != nil {
			return err
		}
		if status != spec.AuditRunning {
			return fmt.Errorf("audit %q is %s: %w", id, status, ErrAuditClosed)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audits SET status = ?, finished_at = ?, summary_nonce = ?, summary = ? WHERE id = ?`,
			spec.AuditCompleted, fmtTime(at), nonce, sealed, id); err != nil {
			return err
		}
		_, err = s.appendTx(ctx, tx, Event{Type: EventAuditCompleted, Detail: detail, At: at})
		return err
	})
	if err != nil {
		return Audit{}, fmt.Errorf("store: finish audit: %w", err)
	}
	return s.GetAudit(ctx, id)
}

const auditCols = `id, status, scheduled, started_at, coalesce(finished_at, ''), coalesce(previous_id, ''), audit_page,
	summary_nonce, summary`

func (s *Store) scanAudit(ctx context.Context, r scanner) (Audit, error) {
	var a Audit
	var started, finished string
	var nonce, sealed []byte
	if err := r.Scan(&a.ID, &a.Status, &a.Scheduled, &started, &finished, &a.PreviousID, &a.AuditPage, &nonce, &sealed); err != nil {
		return Audit{}, err
	}
	a.StartedAt = parseTime(started)
	if finished != "" {
		a.FinishedAt = parseTime(finished)
	}
	if sealed != nil {
		aead, err := s.cipher(ctx)
		if err != nil {
			return Audit{}, err
		}
		plain, err := aead.Open(nil, nonce, sealed, summaryAAD(a.ID))
		if err != nil {
			return Audit{}, fmt.Errorf("the summary of audit %s does not decrypt under this data key: %w", a.ID, err)
		}
		a.Summary = plain
	}
	return a, nil
}

// GetAudit returns one audit with its steps and decrypted summary.
func (s *Store) GetAudit(ctx context.Context, id string) (Audit, error) {
	a, err := s.scanAudit(ctx, s.db.QueryRowContext(ctx, `SELECT `+auditCols+` FROM audits WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Audit{}, fmt.Errorf("store: audit %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Audit{}, fmt.Errorf("store: audit %q: %w", id, classify(err))
	}
	if a.Steps, err = s.auditSteps(ctx, id); err != nil {
		return Audit{}, err
	}
	return a, nil
}

// LatestAudit is the newest audit (completedOnly: the newest completed
// one), or ErrNotFound.
func (s *Store) LatestAudit(ctx context.Context, completedOnly bool) (Audit, error) {
	q := `SELECT id FROM audits ORDER BY started_at DESC, id DESC LIMIT 1`
	args := []any{}
	if completedOnly {
		q = `SELECT id FROM audits WHERE status = ? ORDER BY started_at DESC, id DESC LIMIT 1`
		args = append(args, spec.AuditCompleted)
	}
	var id string
	err := s.db.QueryRowContext(ctx, q, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Audit{}, fmt.Errorf("store: no audit yet: %w", ErrNotFound)
	}
	if err != nil {
		return Audit{}, fmt.Errorf("store: latest audit: %w", classify(err))
	}
	return s.GetAudit(ctx, id)
}

// Audits lists every audit, newest first, with steps and summaries.
func (s *Store) Audits(ctx context.Context) ([]Audit, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+auditCols+` FROM audits ORDER BY started_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: audits: %w", classify(err))
	}
	var out []Audit
	for rows.Next() {
		a, err := s.scanAudit(ctx, rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: audits: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: audits: %w", err)
	}
	for i := range out {
		if out[i].Steps, err = s.auditSteps(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// auditSteps lists an audit's steps in the order they were reported.
func (s *Store) auditSteps(ctx context.Context, id string) ([]AuditStep, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT step_id, project, status, snapshot_id, url, final_url, reason, at
		FROM audit_steps WHERE audit_id = ? ORDER BY at, rowid`, id)
	if err != nil {
		return nil, fmt.Errorf("store: audit steps: %w", classify(err))
	}
	defer rows.Close()
	out := []AuditStep{}
	for rows.Next() {
		var st AuditStep
		var at string
		if err := rows.Scan(&st.StepID, &st.Project, &st.Status, &st.SnapshotID, &st.URL, &st.FinalURL, &st.Reason, &at); err != nil {
			return nil, fmt.Errorf("store: audit steps: %w", err)
		}
		st.At = parseTime(at)
		out = append(out, st)
	}
	return out, rows.Err()
}
