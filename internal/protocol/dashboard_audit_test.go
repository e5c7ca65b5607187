package protocol

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// TestDashboardOpenAudit: audit_id opens #audit/ID; audit_page is kept for
// the dashboard's Run audit button only when it is the extension's page.
func TestDashboardOpenAudit(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	s.EnableDashboard(func(context.Context) (string, error) { return "http://127.0.0.1:4000/?token=t", nil })
	chrome := "chrome-extension://abcdefghijklmnopabcdefghijklmnop/audit.html"
	tests := []struct {
		name    string
		body    map[string]any
		wantURL string
		code    string
		page    string // the stored audit page afterwards
	}{
		{"audit page", map[string]any{"audit_id": "a-20261130T100203Z-2fbb8bd1"}, "http://127.0.0.1:4000/?token=t#audit/a-20261130T100203Z-2fbb8bd1", "", ""},
		{"bad audit id", map[string]any{"audit_id": "a/../b"}, "", spec.CodeBadRequest, ""},
		{"foreign audit page", map[string]any{"audit_page": "https://evil.example/audit.html"}, "", spec.CodeBadRequest, ""},
		{"extension's audit page", map[string]any{"audit_page": chrome}, "http://127.0.0.1:4000/?token=t", "", chrome},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, s, "dashboard.open", tt.body)
			if tt.code != "" {
				if r.OK || r.Error.Code != tt.code {
					t.Fatalf("got %+v, want %s", r.Error, tt.code)
				}
			} else {
				var b spec.DashboardOpenReply
				json.Unmarshal(mustOK(t, r, "dashboard.open"), &b)
				if b.URL != tt.wantURL {
					t.Errorf("url %q, want %q", b.URL, tt.wantURL)
				}
			}
			if p, _ := s.store.AuditPage(context.Background()); p != tt.page {
				t.Errorf("stored audit page %q, want %q", p, tt.page)
			}
		})
	}
}
