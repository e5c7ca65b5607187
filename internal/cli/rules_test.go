package cli

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestRulesJSONHasProvenance(t *testing.T) {
	home := t.TempDir()
	out, errOut, code := run(t, home, "rules", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rules []ruleInfo
	if err := json.Unmarshal([]byte(out), &rules); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	date := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	sites := map[string]bool{}
	for _, r := range rules {
		sites[r.Site] = true
		if len(r.Sources) == 0 || len(r.Labels) == 0 {
			t.Errorf("%s: no provenance: %+v", r.ID, r)
		}
		for _, s := range append(append([]ruleSource{}, r.Sources...), func() []ruleSource {
			var l []ruleSource
			for _, x := range r.Labels {
				l = append(l, x)
			}
			return l
		}()...) {
			if s.Observed != "unverified" && (!date.MatchString(s.Observed) || s.Source == "") {
				t.Errorf("%s: a dated fact without a source or date: %+v", r.ID, s)
			}
		}
	}
	for _, want := range []string{"openai", "google", "microsoft", "amazon", "github"} {
		if !sites[want] {
			t.Errorf("no rule of site %s", want)
		}
	}
	if rules[0].Site != "openai" || rules[0].OptIn {
		t.Errorf("the default identity comes first: %+v", rules[0])
	}
	var auth *ruleInfo
	for i := range rules {
		if rules[i].ID == "auth.account-deleted" {
			auth = &rules[i]
		}
	}
	if auth == nil || auth.Labels["zh"].Source != "https://github.com/openai/codex/issues/42655" || auth.Labels["zh"].Observed != "2026-09-04" {
		t.Errorf("auth.account-deleted zh label provenance: %+v", auth)
	}
}

func TestRulesText(t *testing.T) {
	out, _, code := run(t, t.TempDir(), "rules")
	if code != ExitOK || !strings.Contains(out, "github.delete-account (github, opt-in, critical) on github.com") ||
		!strings.Contains(out, "source: https://docs.github.com/") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if _, _, code := run(t, t.TempDir(), "rules", "extra"); code != ExitUsage {
		t.Errorf("an argument: exit %d", code)
	}
}
