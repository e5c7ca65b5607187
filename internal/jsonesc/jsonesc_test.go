package jsonesc

import (
	"encoding/json"
	"testing"
)

// TestSimpleAgreesWithEncodingJSON: every byte after a backslash means what
// encoding/json makes of it, or is refused where encoding/json refuses it.
func TestSimpleAgreesWithEncodingJSON(t *testing.T) {
	for c := 0; c < 256; c++ {
		if c == 'u' {
			continue
		}
		var want string
		err := json.Unmarshal([]byte{'"', '\\', byte(c), '"'}, &want)
		got, ok := Simple(byte(c))
		if ok != (err == nil) || ok && string(got) != want {
			t.Errorf("\\%q: Simple = %q, %v; encoding/json = %q, %v", byte(c), got, ok, want, err)
		}
	}
}

func TestHex4(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want rune
		ok   bool
	}{
		{"0041", 'A', true},
		{"00e9", 'é', true},
		{"00E9", 'é', true},
		{"FFFF", 0xffff, true},
		{"d83dxyz", 0xd83d, true}, // only the first four count
		{"12", 0, false},
		{"12g4", 0, false},
		{"+123", 0, false},
		{"", 0, false},
	} {
		got, ok := Hex4([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("Hex4(%q) = %U, %v; want %U, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
