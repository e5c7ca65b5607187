package spec

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimeWire(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`"2026-11-30T10:02:03.69Z"`, `"2026-11-30T10:02:03.690Z"`},
		{`"2026-11-30T10:02:03Z"`, `"2026-11-30T10:02:03.000Z"`},
		{`"2026-11-30T11:02:03.456789+01:00"`, `"2026-11-30T10:02:03.456Z"`},
	}
	for _, tt := range tests {
		var v Time
		if err := json.Unmarshal([]byte(tt.in), &v); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		got, err := json.Marshal(v)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: got %s %v, want %s", tt.in, got, err, tt.want)
		}
	}
	var bad Time
	if err := json.Unmarshal([]byte(`"yesterday"`), &bad); err == nil {
		t.Error("a time that is not RFC 3339 was accepted")
	}
	// Pointers (nullable fields) write null until set.
	var p struct {
		At *Time `json:"at"`
	}
	if b, _ := json.Marshal(p); string(b) != `{"at":null}` {
		t.Errorf("nil time: %s", b)
	}
	p.At = &Time{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if b, _ := json.Marshal(p); string(b) != `{"at":"2026-01-02T03:04:05.000Z"}` {
		t.Errorf("set time: %s", b)
	}
}
