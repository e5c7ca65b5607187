package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/spec"
)

func TestDashboardOpen(t *testing.T) {
	s := NewServer(nil, errors.New("no store"), keys.Status{})
	if slices.Contains(s.Types(), "dashboard.open") {
		t.Fatal("dashboard.open served before EnableDashboard")
	}
	calls := 0
	s.EnableDashboard(func(context.Context) (string, error) {
		calls++
		return "http://127.0.0.1:4000/?token=t", nil
	})
	cases := []struct {
		body    any
		wantURL string
		code    string
	}{
		{map[string]any{}, "http://127.0.0.1:4000/?token=t", ""},
		{map[string]any{"snapshot_id": "20261130T100203Z-2fbb8bd1"}, "http://127.0.0.1:4000/?token=t#snapshot/20261130T100203Z-2fbb8bd1", ""},
		{map[string]any{"snapshot_id": "../x#y"}, "", spec.CodeBadRequest},
	}
	for _, c := range cases {
		r := call(t, s, "dashboard.open", c.body)
		if c.code != "" {
			if r.OK || r.Error == nil || r.Error.Code != c.code {
				t.Errorf("%v: %+v", c.body, r)
			}
			continue
		}
		var body struct{ URL string }
		json.Unmarshal(r.Body, &body)
		if !r.OK || body.URL != c.wantURL {
			t.Errorf("%v: ok=%v url=%q", c.body, r.OK, body.URL)
		}
	}
	if calls != 2 {
		t.Errorf("opener called %d times, want 2 (never for a bad id)", calls)
	}
	if !slices.Contains(s.capabilities(), "dashboard") {
		t.Errorf("capabilities %v lack dashboard", s.capabilities())
	}
}
