package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"
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

// WriteSnapshotsJSON writes snaps as a JSON array indented by two spaces —
// byte for byte what an encoding/json Encoder with SetIndent("", "  ")
// writes for them, HTML escaping included — without reflection or the
// Encoder's whole-array buffer and second indenting pass: `list --json`
// over 10 000 snapshots spent most of its time there. Values the fast path
// does not cover (non-empty redactions and notes, strings that need
// escaping, unusual floats) go through encoding/json.
func WriteSnapshotsJSON(w io.Writer, snaps []Snapshot) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if len(snaps) == 0 {
		if snaps == nil {
			bw.WriteString("null\n")
		} else {
			bw.WriteString("[]\n")
		}
		return bw.Flush()
	}
	b := make([]byte, 0, 4<<10)
	b = append(b, "[\n"...)
	for i := range snaps {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		var err error
		if b, err = appendSnapshotIndent(b, &snaps[i]); err != nil {
			return err
		}
		if len(b) >= 32<<10 {
			if _, err := bw.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "\n]\n"...)
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}

// appendSnapshotIndent appends s as an element of an indented top-level
// array (fields at four spaces), in Snapshot.MarshalJSON's field order.
func appendSnapshotIndent(b []byte, s *Snapshot) ([]byte, error) {
	const in = "\n    "
	var err error
	str := func(key, v string) {
		b = append(b, in...)
		b = append(b, key...)
		b = appendJSONString(b, v)
		b = append(b, ',')
	}
	num := func(key string, v int64) {
		b = append(b, in...)
		b = append(b, key...)
		b = strconv.AppendInt(b, v, 10)
		b = append(b, ',')
	}
	nested := func(key string, v any) {
		b = append(b, in...)
		b = append(b, key...)
		if err == nil {
			b, err = appendIndented(b, v, "    ")
		}
		b = append(b, ',')
	}
	b = append(b, "  {"...)
	str(`"id": `, s.ID)
	str(`"url": `, s.URL)
	str(`"final_url": `, s.FinalURL)
	str(`"title": `, s.Title)
	num(`"tz_offset_minutes": `, int64(s.TZOffsetMinutes))
	str(`"trigger": `, s.Trigger)
	str(`"browser": `, s.Browser)
	str(`"browser_version": `, s.BrowserVersion)
	str(`"extension_version": `, s.ExtensionVersion)
	str(`"host_version": `, s.HostVersion)
	num(`"viewport_width": `, int64(s.ViewportWidth))
	num(`"viewport_height": `, int64(s.ViewportHeight))
	if f := math.Abs(s.DevicePixelRatio); f == 0 || (f >= 1e-6 && f < 1e21) {
		// encoding/json's own format for floats in this range.
		b = append(b, in+`"device_pixel_ratio": `...)
		b = strconv.AppendFloat(b, s.DevicePixelRatio, 'f', -1, 64)
		b = append(b, ',')
	} else {
		nested(`"device_pixel_ratio": `, s.DevicePixelRatio)
	}
	str(`"language": `, s.Language)
	str(`"category": `, s.Category)
	str(`"category_source": `, s.CategorySource)
	if s.Redactions != nil && len(s.Redactions) == 0 {
		b = append(b, in+`"redactions": [],`...)
	} else {
		nested(`"redactions": `, s.Redactions)
	}
	if s.Notes != nil && len(s.Notes) == 0 {
		b = append(b, in+`"notes": {},`...)
	} else {
		nested(`"notes": `, s.Notes)
	}
	if s.APIKeyCount == nil {
		b = append(b, in+`"api_key_count": null,`...)
	} else {
		num(`"api_key_count": `, int64(*s.APIKeyCount))
	}
	switch {
	case s.Artifacts == nil:
		b = append(b, in+`"artifacts": null,`...)
	case len(s.Artifacts) == 0:
		b = append(b, in+`"artifacts": [],`...)
	default:
		b = append(b, in+`"artifacts": [`...)
		for i, a := range s.Artifacts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n      {\n        \"name\": "...)
			b = appendJSONString(b, a.Name)
			b = append(b, ",\n        \"mime\": "...)
			b = appendJSONString(b, a.MIME)
			b = append(b, ",\n        \"size\": "...)
			b = strconv.AppendInt(b, a.Size, 10)
			b = append(b, ",\n        \"sha256\": "...)
			b = appendJSONString(b, a.SHA256)
			b = append(b, "\n      }"...)
		}
		b = append(b, "\n    ],"...)
	}
	str(`"captured_at": `, fmtTime(s.CapturedAt))
	b = append(b, in+`"stored_at": `...)
	b = appendJSONString(b, fmtOptional(s.StoredAt))
	b = append(b, "\n  }"...)
	return b, err
}

// appendJSONString quotes v as encoding/json does by default: plain
// printable ASCII as is, anything else (quotes, backslashes, HTML
// characters, control bytes, non-ASCII) through encoding/json.
func appendJSONString(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(v) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, v...)
	return append(b, '"')
}

// appendIndented appends v marshalled by encoding/json and indented as a
// value whose lines start with prefix.
func appendIndented(b []byte, v any, prefix string) ([]byte, error) {
	j, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}
