package spec

import "time"

// TimeFormat is how times leave the host: RFC 3339 in UTC with exactly three
// fractional digits, the form the store keeps and the event hash covers, so
// `.690` never becomes `.69` and a client can compare the strings as they are.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// Time is a date-time field of a request or reply (format date-time in
// spec/): any RFC 3339 time in, TimeFormat out.
type Time struct{ time.Time }

// MarshalJSON writes t in TimeFormat.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(TimeFormat) + `"`), nil
}
