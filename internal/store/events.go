package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// Event is one row of the append-only log. Hash covers PrevHash and every
// other field (ChainHash), so editing or removing a row breaks the chain.
type Event struct {
	Seq      int64           `json:"seq"`
	At       time.Time       `json:"at"`
	Type     string          `json:"type"`
	RuleID   string          `json:"rule_id"`
	URL      string          `json:"url"`
	Detail   json.RawMessage `json:"detail"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
	// EventID is the client's idempotency key (optional, not hashed, not
	// exported): appending an EventID already in the log appends nothing and
	// returns the stored row with Duplicate set.
	EventID   string `json:"-"`
	Duplicate bool   `json:"-"`
}

// GenesisHash is the PrevHash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// validEventType: [a-z][a-z._]{0,63}.
func validEventType(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && s[0] >= 'a' && s[0] <= 'z' &&
		allIn(s, func(c byte) bool { return c >= 'a' && c <= 'z' || c == '.' || c == '_' })
}

// ChainHash is the event hash formula (docs/data-model.md):
//
//	hex(SHA-256("ringfence-event-v1\n" || f(prev_hash) || f(seq) || f(at) ||
//	            f(type) || f(rule_id) || f(url) || f(detail)))
//
// where f(x) = decimal byte length of x || ":" || x || "\n", seq is decimal,
// at is UTC "2006-01-02T15:04:05.000Z", and detail is the event's detail
// JSON exactly as stored and exported (compact; "null" when absent).
// Length prefixes make the encoding unambiguous whatever the fields contain.
func ChainHash(prevHash string, e Event) string {
	h := sha256.New()
	h.Write([]byte("ringfence-event-v1\n"))
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s + "\n"))
	}
	field(prevHash)
	field(strconv.FormatInt(e.Seq, 10))
	field(fmtTime(e.At))
	field(e.Type)
	field(e.RuleID)
	field(e.URL)
	detail := string(e.Detail)
	if detail == "" {
		detail = "null"
	}
	field(detail)
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalDetail compacts detail and escapes <, > and & the way
// encoding/json does, so the stored bytes survive json.Marshal unchanged and
// an exported JSONL line carries exactly the bytes that were hashed.
func canonicalDetail(d json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(d)) == 0 {
		return json.RawMessage("null"), nil
	}
	if len(d) > MaxEventDetail {
		return nil, fmt.Errorf("%w: event detail is %d bytes, at most %d", ErrTooLarge, len(d), MaxEventDetail)
	}
	var c bytes.Buffer
	if err := json.Compact(&c, d); err != nil {
		return nil, invalid("event detail is not JSON: %v", err)
	}
	if err := checkDetail(c.Bytes()); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	json.HTMLEscape(&out, c.Bytes())
	return out.Bytes(), nil
}

// AppendEvent adds e to the log (Seq, PrevHash and Hash are assigned; a zero
// At means now) and returns the stored row.
func (s *Store) AppendEvent(ctx context.Context, e Event) (Event, error) {
	if !validEventType(e.Type) {
		return Event{}, fmt.Errorf("store: %w", invalid("event type %q must match [a-z][a-z._]{0,63}", e.Type))
	}
	if !utf8.ValidString(e.RuleID) || !utf8.ValidString(e.URL) {
		// JSON export would replace the bad bytes, and the hash would no longer match.
		return Event{}, fmt.Errorf("store: %w", invalid("event rule_id and url must be valid UTF-8"))
	}
	if len(e.RuleID) > 256 {
		return Event{}, fmt.Errorf("store: %w", invalid("event rule_id too long"))
	}
	e.URL = CapURL(e.URL)
	if e.EventID != "" && !ValidIdempotencyKey(e.EventID) {
		return Event{}, fmt.Errorf("store: %w", invalid("event_id must be 8..64 characters of [A-Za-z0-9-]"))
	}
	detail, err := canonicalDetail(e.Detail)
	if err != nil {
		return Event{}, fmt.Errorf("store: %w", err)
	}
	e.Detail = detail
	if e.At.IsZero() {
		e.At = time.Now()
	}
	if err := checkTime("event at", e.At); err != nil {
		return Event{}, fmt.Errorf("store: %w", err)
	}
	e.At = e.At.UTC().Truncate(time.Millisecond)
	var eventID any // NULL unless the client sent a key
	if e.EventID != "" {
		eventID = e.EventID
	}
	var dup *Event
	err = s.write(ctx, func(tx *sql.Tx) error {
		dup = nil
		if eventID != nil {
			var d Event
			var at, detail string
			err := tx.QueryRowContext(ctx, `SELECT seq, at, type, rule_id, url, detail, prev_hash, hash FROM events
				WHERE event_id = ?`, eventID).Scan(&d.Seq, &at, &d.Type, &d.RuleID, &d.URL, &detail, &d.PrevHash, &d.Hash)
			if err == nil {
				d.At, d.Detail, d.EventID, d.Duplicate = parseTime(at), json.RawMessage(detail), e.EventID, true
				dup = &d
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("look up event_id: %w", err)
			}
		}
		e.Seq, e.PrevHash = 1, GenesisHash
		var last int64
		var prev string
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
		switch {
		case err == nil:
			e.Seq, e.PrevHash = last+1, prev
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read chain head: %w", err)
		}
		e.Hash = ChainHash(e.PrevHash, e)
		_, err = tx.ExecContext(ctx, `INSERT INTO events (seq, at, type, rule_id, url, detail, prev_hash, hash, event_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, fmtTime(e.At), e.Type, e.RuleID, e.URL, string(e.Detail), e.PrevHash, e.Hash, eventID)
		return err
	})
	if err != nil {
		return Event{}, fmt.Errorf("store: append event: %w", err)
	}
	if dup != nil {
		return *dup, nil
	}
	return e, nil
}

// Events streams the log in seq order. Returning an error from fn stops the
// walk and returns that error.
func (s *Store) Events(ctx context.Context, fn func(Event) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, at, type, rule_id, url, detail, prev_hash, hash FROM events ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("store: events: %w", classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var at, detail string
		if err := rows.Scan(&e.Seq, &at, &e.Type, &e.RuleID, &e.URL, &detail, &e.PrevHash, &e.Hash); err != nil {
			return fmt.Errorf("store: events: %w", err)
		}
		e.At, e.Detail = parseTime(at), json.RawMessage(detail)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// VerifyChain recomputes every hash; it returns the seq of the first bad row,
// or 0 when the chain is intact.
func (s *Store) VerifyChain(ctx context.Context) (int64, error) {
	prev, want, bad := GenesisHash, int64(1), int64(0)
	err := s.Events(ctx, func(e Event) error {
		if e.Seq != want || e.PrevHash != prev || ChainHash(prev, e) != e.Hash {
			bad = e.Seq
			return errStop
		}
		prev, want = e.Hash, want+1
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return bad, err
}

var errStop = errors.New("stop")
