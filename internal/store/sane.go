package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
	"unicode/utf8"
)

// Accepted time range. Every stored time is written as
// "YYYY-MM-DDTHH:MM:SS.mmmZ" (fmtTime), hashed in that form and re-read by
// the stand-alone checks in docs/evidence-kit.md; a year outside 2000..9999
// (after conversion to UTC) has no such four-digit form, so it is refused
// with bad_request rather than stored in a shape that breaks the chain.
var (
	MinTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)
)

// checkTime refuses a time outside MinTime..MaxTime.
func checkTime(field string, t time.Time) error {
	u := t.UTC()
	if u.Before(MinTime) || u.After(MaxTime) {
		return invalid("%s %s is outside the accepted range %s .. %s (UTC)", field,
			t.Format(time.RFC3339Nano), fmtTime(MinTime), fmtTime(MaxTime))
	}
	return nil
}

// MaxDetailDepth caps how deeply an event detail may nest: the documented
// Python chain check parses each line with the standard json module, whose
// recursion limit is about 1000 levels.
const MaxDetailDepth = 32

// checkDetail refuses a detail that is not valid UTF-8 or nests deeper
// than MaxDetailDepth (counted over the compact JSON, outside strings).
func checkDetail(d []byte) error {
	if !utf8.Valid(d) {
		return invalid("event detail is not valid UTF-8")
	}
	depth, inStr, esc := 0, false, false
	for _, c := range d {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			if depth > MaxDetailDepth {
				return invalid("event detail nests deeper than %d levels", MaxDetailDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// URLTruncMark starts the suffix CapURL puts on a URL it cut.
const URLTruncMark = "#ringfence-truncated"

// CapURL keeps a URL of at most MaxURL bytes as it is. A longer one (long
// ?ref= or tracking parameters are common) is kept, not refused: cut on a
// UTF-8 boundary and followed by
// "#ringfence-truncated:<full length>:sha256:<hex of the full URL>", so the
// evidence still says which page it was and the whole URL can be matched
// against a copy. The hash is over the URL as given (callers redact first).
func CapURL(u string) string {
	if len(u) <= MaxURL {
		return u
	}
	sum := sha256.Sum256([]byte(u))
	suffix := fmt.Sprintf("%s:%d:sha256:%s", URLTruncMark, len(u), hex.EncodeToString(sum[:]))
	cut := MaxURL - len(suffix)
	for cut > 0 && !utf8.RuneStart(u[cut]) {
		cut--
	}
	return u[:cut] + suffix
}

// reservedArtifactName reports names that would collide with the kit's own
// files inside a snapshot's folder, or are not file names at all.
func reservedArtifactName(name string) bool {
	switch name {
	case ".", "..", "meta.json":
		return true
	}
	return false
}
