package store

import (
	"testing"
	"time"
)

func TestParseBound(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "", want: time.Time{}},
		{in: "2026-11-01", want: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2026-11-01T09:30:00+02:00", want: time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC)},
		{in: "2026-11-01T09:30:00Z", want: time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)},
		{in: "yesterday", wantErr: true},
		{in: "2026-13-01", wantErr: true},
		{in: "01/11/2026", wantErr: true},
	} {
		got, err := ParseBound(c.in)
		if (err != nil) != c.wantErr {
			t.Errorf("ParseBound(%q): error %v, want error %v", c.in, err, c.wantErr)
			continue
		}
		if !c.wantErr && !got.Equal(c.want) {
			t.Errorf("ParseBound(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
