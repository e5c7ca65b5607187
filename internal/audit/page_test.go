package audit

import "testing"

func TestValidPage(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"chrome-extension://abcdefghijklmnopabcdefghijklmnop/audit.html", true},
		{"moz-extension://0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/audit.html", true},
		{"chrome-extension://abcdefghijklmnopabcdefghijklmnoq/audit.html", false}, // q is not a-p
		{"chrome-extension://abcdefghijklmnop/audit.html", false},
		{"chrome-extension://abcdefghijklmnopabcdefghijklmnop/popup.html", false},
		{"chrome-extension://abcdefghijklmnopabcdefghijklmnop/audit.html?x=1", false},
		{"moz-extension://0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D/audit.html", false},
		{"moz-extension://0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d0000/audit.html", false},
		{"https://evil.example/audit.html", false},
		{"javascript:alert(1)//audit.html", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidPage(tt.url); got != tt.ok {
			t.Errorf("ValidPage(%q) = %v, want %v", tt.url, got, tt.ok)
		}
	}
}
