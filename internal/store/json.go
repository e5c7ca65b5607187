package store

import (
	"bytes"
	"encoding/json"
	"time"
)

// Times leave the host as RFC 3339 UTC with exactly three fractional digits
// (spec.TimeFormat) — the form the event hash covers — so `.690` never
// becomes `.69` and anyone recomputing a chain hash from JSON can use the
// string as is. Event and Snapshot do it here; the protocol's replies
// (snapshot.list, identity.summary) carry their times as spec.Time, which
// marshals the same way.

// MarshalJSON writes at in the hashed form.
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event
	return marshalRaw(struct {
		plain
		At string `json:"at"`
	}{plain(e), fmtTime(e.At)})
}

// MarshalJSON writes captured_at and stored_at with milliseconds.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	type plain Snapshot
	return marshalRaw(struct {
		plain
		CapturedAt string `json:"captured_at"`
		StoredAt   string `json:"stored_at"`
	}{plain(s), fmtTime(s.CapturedAt), fmtOptional(s.StoredAt)})
}

func fmtOptional(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtTime(t)
}

// marshalRaw leaves HTML characters unescaped: the caller's encoder applies
// its own SetEscapeHTML choice to what a MarshalJSON returns, and a detail's
// bytes must reach an exported events.jsonl exactly as they were hashed.
func marshalRaw(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
