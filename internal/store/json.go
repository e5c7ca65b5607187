package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ringfence/ringfence/internal/jsonesc"
	"github.com/ringfence/ringfence/internal/spec"
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
		if b, err = appendSnapshotIndent(b, &snaps[i], fmtTime(snaps[i].CapturedAt), fmtOptional(snaps[i].StoredAt)); err != nil {
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
// array (fields at four spaces), in Snapshot.MarshalJSON's field order;
// captured and stored are its times as MarshalJSON formats them.
func appendSnapshotIndent(b []byte, s *Snapshot, captured, stored string) ([]byte, error) {
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
	str(`"captured_at": `, captured)
	b = append(b, in+`"stored_at": `...)
	b = appendJSONString(b, stored)
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

// listJSONQuery returns, per snapshot, its columns as one JSON array built
// by SQLite (device_pixel_ratio apart, read as the exact float64) and its
// artifacts as name, mime, size, sha256 joined by unit separators, one
// artifact per record separator. One column instead of twenty-one is what
// makes it fast: the driver's cost per column read, not SQLite's, was most
// of `list --json` over a large store. Artifact names, MIME types and
// hashes cannot hold control characters (validate); a record that does not
// split cleanly is read again with a plain query.
const listJSONQuery = `SELECT json_array(id, captured_at, tz_offset_minutes, url, final_url, title, trigger,
	browser, browser_version, extension_version, host_version, viewport_width, viewport_height, language,
	category, category_source, redactions, notes, api_key_count, stored_at),
	device_pixel_ratio,
	(SELECT group_concat(name || char(31) || mime || char(31) || size || char(31) || sha256, char(30))
		FROM artifacts WHERE snapshot_id = snapshots.id)
	FROM snapshots`

// listFields is the number of values in listJSONQuery's JSON array.
const listFields = 20

// WriteListJSON writes the snapshots f selects, newest first, byte for byte
// as WriteSnapshotsJSON writes ListSnapshots' result (an empty selection is
// "[]"), streaming from one query instead of building every snapshot
// first. Reading rows (SQLite) and writing them (parsing, formatting) run on
// two goroutines that hand batches of rows over, so on two cores neither
// waits for the other. On an error the output stops short and the error is
// returned.
func (s *Store) WriteListJSON(ctx context.Context, w io.Writer, f Filter) error {
	cond, args := f.where()
	q := listJSONQuery + cond + " ORDER BY captured_at DESC, id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: list snapshots: %w", classify(err))
	}
	defer rows.Close()
	const batches = 3
	full, free := make(chan *listBatch, batches), make(chan *listBatch, batches)
	for range batches {
		free <- &listBatch{}
	}
	lw := &listWriter{s: s, w: w, b: make([]byte, 0, 80<<10)}
	written := make(chan error, 1)
	go func() {
		var err error
		for batch := range full {
			if err == nil {
				if err = lw.batch(ctx, batch); err != nil {
					cancel() // the reader stops at its next row
				}
			}
			free <- batch
		}
		written <- err
	}()
	batch := <-free
	batch.reset()
	var (
		row, arts sql.RawBytes
		dpr       float64
		readErr   error
	)
	for rows.Next() {
		if readErr = rows.Scan(&row, &dpr, &arts); readErr != nil {
			break
		}
		batch.add(row, arts, dpr)
		if len(batch.dpr) == listBatchRows {
			full <- batch
			batch = <-free
			batch.reset()
		}
	}
	if readErr == nil {
		readErr = rows.Err()
	}
	full <- batch
	close(full)
	if err := <-written; err != nil {
		return err
	}
	if readErr != nil {
		// No closing bracket: a cut-short list must not parse as whole.
		return fmt.Errorf("store: list snapshots: %w", classify(readErr))
	}
	return lw.end()
}

// listBatchRows is how many rows the reader hands the writer at once.
const listBatchRows = 128

// listBatch holds rows of listJSONQuery copied out of the driver's buffers:
// their bytes back to back in buf, each row's ends in offs.
type listBatch struct {
	buf  []byte
	offs []int // per row: end of the JSON array, end of the artifacts
	dpr  []float64
}

func (l *listBatch) reset() { l.buf, l.offs, l.dpr = l.buf[:0], l.offs[:0], l.dpr[:0] }

func (l *listBatch) add(row, arts []byte, dpr float64) {
	l.buf = append(l.buf, row...)
	l.offs = append(l.offs, len(l.buf))
	l.buf = append(l.buf, arts...)
	l.offs = append(l.offs, len(l.buf))
	l.dpr = append(l.dpr, dpr)
}

// listWriter formats listJSONQuery's rows as WriteSnapshotsJSON does.
type listWriter struct {
	s          *Store
	w          io.Writer
	b          []byte // written out whenever it passes 64 KiB
	n          int
	fields     [][]byte
	snap       Snapshot
	keys       int
	artifacts  []ArtifactInfo
	prev       [listFields]string // the previous row's strings, by field
	redactions []Redaction        // reused between rows
	noNotes    map[string]string
}

func (lw *listWriter) batch(ctx context.Context, l *listBatch) error {
	start := 0
	for i, dpr := range l.dpr {
		rowEnd, artsEnd := l.offs[2*i], l.offs[2*i+1]
		if err := lw.row(ctx, l.buf[start:rowEnd], l.buf[rowEnd:artsEnd], dpr); err != nil {
			return err
		}
		start = artsEnd
		if len(lw.b) >= 64<<10 {
			if _, err := lw.w.Write(lw.b); err != nil {
				return err
			}
			lw.b = lw.b[:0]
		}
	}
	return nil
}

func (lw *listWriter) end() error {
	if lw.n == 0 {
		lw.b = append(lw.b, "[]\n"...)
	} else {
		lw.b = append(lw.b, "\n]\n"...)
	}
	_, err := lw.w.Write(lw.b)
	return err
}

func (lw *listWriter) row(ctx context.Context, row, arts []byte, dpr float64) error {
	var err error
	if lw.fields, err = splitJSONArray(row, lw.fields[:0]); err != nil || len(lw.fields) != listFields {
		return fmt.Errorf("store: list snapshots: unexpected row %.80q: %v", row, err)
	}
	fields, snap := lw.fields, &lw.snap
	var bad error
	str := func(i int) string {
		// Most columns repeat from row to row (the page, browser,
		// versions, category): the previous row's string is reused
		// rather than allocated again.
		if f := fields[i]; len(f) >= 2 && string(f[1:len(f)-1]) == lw.prev[i] && bytes.IndexByte(f, '\\') < 0 {
			return lw.prev[i]
		}
		v, err := jsonString(fields[i])
		if err != nil && bad == nil {
			bad = err
		}
		lw.prev[i] = v
		return v
	}
	num := func(i int) int {
		v, err := strconv.Atoi(string(fields[i]))
		if err != nil && bad == nil {
			bad = err
		}
		return v
	}
	snap.ID, snap.TZOffsetMinutes = str(0), num(2)
	snap.URL, snap.FinalURL, snap.Title, snap.Trigger = str(3), str(4), str(5), str(6)
	snap.Browser, snap.BrowserVersion, snap.ExtensionVersion, snap.HostVersion = str(7), str(8), str(9), str(10)
	snap.ViewportWidth, snap.ViewportHeight, snap.DevicePixelRatio = num(11), num(12), dpr
	snap.Language, snap.Category, snap.CategorySource = str(13), str(14), str(15)
	if lw.redactions == nil {
		lw.redactions = []Redaction{} // "[]" is an empty list, not null
	}
	snap.Redactions, snap.Notes = lw.redactions[:0], nil
	if red := str(16); red != "[]" {
		if err := json.Unmarshal([]byte(red), &snap.Redactions); err != nil {
			return fmt.Errorf("store: snapshot %s redactions: %w", snap.ID, err)
		}
	}
	if nts := str(17); nts == "{}" {
		if lw.noNotes == nil {
			lw.noNotes = map[string]string{}
		}
		snap.Notes = lw.noNotes // only read
	} else if err := json.Unmarshal([]byte(nts), &snap.Notes); err != nil {
		return fmt.Errorf("store: snapshot %s notes: %w", snap.ID, err)
	}
	snap.APIKeyCount = nil
	if string(fields[18]) != "null" {
		lw.keys = num(18)
		snap.APIKeyCount = &lw.keys
	}
	if bad != nil {
		return fmt.Errorf("store: list snapshots: row of %s: %w", snap.ID, bad)
	}
	var ok bool
	if lw.artifacts, ok = splitArtifacts(arts, lw.artifacts[:0]); !ok {
		if lw.artifacts, err = lw.s.artifacts(ctx, snap.ID); err != nil {
			return err
		}
	}
	snap.Artifacts = lw.artifacts
	if lw.n == 0 {
		lw.b = append(lw.b, "[\n"...)
	} else {
		lw.b = append(lw.b, ",\n"...)
	}
	if lw.b, err = appendSnapshotIndent(lw.b, snap, listTime(fields[1], false), listTime(fields[19], true)); err != nil {
		return err
	}
	lw.n++
	if snap.Redactions != nil {
		lw.redactions = snap.Redactions
	}
	return nil
}

// listTime is a stored time (a JSON string from listJSONQuery) as
// Snapshot.MarshalJSON writes it: the text as it is when it is already in
// that form (every time the store writes is), else parsed and formatted
// again as a plain column read would be — an unparsable one is the zero
// time, which an optional time writes as "".
func listTime(v []byte, optional bool) string {
	if len(v) == 26 && v[0] == '"' && v[25] == '"' {
		if t, ok := canonicalTime(v[1:25]); ok && (!optional || !t.IsZero()) {
			return string(v[1:25])
		}
	}
	t := time.Time{}
	if str, err := jsonString(v); err == nil {
		t = parseTime(str)
	}
	if optional {
		return fmtOptional(t)
	}
	return fmtTime(t)
}

// canonicalTime parses "2006-01-02T15:04:05.000Z" (spec.TimeFormat) by
// hand, and only a time that formats back to the same text: time.Parse on
// every row was a good part of list --json.
func canonicalTime(v []byte) (time.Time, bool) {
	num := func(i, n int) int {
		x := 0
		for _, c := range v[i : i+n] {
			if c < '0' || c > '9' {
				return -1
			}
			x = x*10 + int(c-'0')
		}
		return x
	}
	if v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':' || v[19] != '.' || v[23] != 'Z' {
		return time.Time{}, false
	}
	y, mo, d, h, mi, sec, ms := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2), num(20, 3)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ms*int(time.Millisecond), time.UTC)
	if t.Day() != d || t.Month() != time.Month(mo) {
		return time.Time{}, false // the 31st of a 30-day month and the like
	}
	return t, true
}

// splitJSONArray appends to out the raw values of a flat JSON array as
// SQLite's json_array writes it (no whitespace; strings, numbers, null).
func splitJSONArray(b []byte, out [][]byte) ([][]byte, error) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return out, errors.New("not a JSON array")
	}
	b = b[1 : len(b)-1]
	for len(b) > 0 {
		end := 0
		if b[0] == '"' {
			end = 1
			for {
				i := bytes.IndexAny(b[end:], `"\`)
				if i < 0 {
					return out, errors.New("unterminated string")
				}
				end += i
				if b[end] == '\\' {
					end += 2
					continue
				}
				end++
				break
			}
		} else {
			end = bytes.IndexByte(b, ',')
			if end < 0 {
				end = len(b)
			}
		}
		if end > len(b) {
			return out, errors.New("unterminated string")
		}
		out = append(out, b[:end])
		b = b[end:]
		if len(b) > 0 {
			if b[0] != ',' {
				return out, errors.New("missing comma")
			}
			b = b[1:]
		}
	}
	return out, nil
}

// jsonString decodes one JSON string value as SQLite writes it: the bytes
// as they are when nothing is escaped (SQLite escapes only quotes,
// backslashes and control characters), else with the escapes undone and
// every other byte kept as it is — invalid UTF-8 included, so the value is
// the column's text exactly, as a plain column read would return it.
func jsonString(v []byte) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", fmt.Errorf("not a JSON string: %.40q", v)
	}
	v = v[1 : len(v)-1]
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v), nil
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			out = append(out, v[i])
			continue
		}
		if i+1 >= len(v) {
			return "", errors.New("a string ends in a backslash")
		}
		i++
		if b, ok := jsonesc.Simple(v[i]); ok {
			out = append(out, b)
			continue
		}
		if v[i] != 'u' {
			return "", fmt.Errorf("an unknown escape \\%c", v[i])
		}
		r, ok := jsonesc.Hex4(v[i+1:])
		if !ok {
			return "", fmt.Errorf("a bad \\u escape %.6q", v[i-1:])
		}
		out = utf8.AppendRune(out, r)
		i += 4
	}
	return string(out), nil
}

// splitArtifacts parses listJSONQuery's artifacts column into out, sorted
// by name; ok is false when a record does not have its four fields.
func splitArtifacts(b []byte, out []ArtifactInfo) ([]ArtifactInfo, bool) {
	out = out[:0]
	if out == nil {
		out = []ArtifactInfo{}
	}
	for len(b) > 0 {
		rec := b
		if i := bytes.IndexByte(b, 0x1e); i >= 0 {
			rec, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		var f [4][]byte
		for k := range 3 {
			i := bytes.IndexByte(rec, 0x1f)
			if i < 0 {
				return out, false
			}
			f[k], rec = rec[:i], rec[i+1:]
		}
		if bytes.IndexByte(rec, 0x1f) >= 0 {
			return out, false
		}
		f[3] = rec
		size, err := strconv.ParseInt(string(f[2]), 10, 64)
		if err != nil {
			return out, false
		}
		out = append(out, ArtifactInfo{Name: common(f[0]), MIME: common(f[1]), Size: size, SHA256: string(f[3])})
	}
	slices.SortFunc(out, func(a, b ArtifactInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, true
}

// common returns the usual artifact names and MIME types without
// allocating a string for each of tens of thousands of rows.
func common(b []byte) string {
	for _, c := range spec.ArtifactNames {
		if string(b) == c {
			return c
		}
	}
	for _, c := range [...]string{"image/png", "text/html", "application/json", "text/plain", "multipart/related"} {
		if string(b) == c {
			return c
		}
	}
	return string(b)
}
