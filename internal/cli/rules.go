package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ringfence/ringfence/internal/spec"
)

// ruleSource is where one fact comes from: a URL or repository path and the
// date it was observed there, or "unverified".
type ruleSource struct {
	Source   string `json:"source,omitempty"`
	Observed string `json:"observed"`
	Note     string `json:"note,omitempty"`
}

// ruleInfo is one warning rule as `ringfence rules` prints it.
type ruleInfo struct {
	ID       string                `json:"id"`
	Site     string                `json:"site"`
	OptIn    bool                  `json:"opt_in"`
	Hosts    []string              `json:"hosts"`
	Severity string                `json:"severity"`
	Sources  []ruleSource          `json:"sources"`
	Labels   map[string]ruleSource `json:"labels"`
}

// siteRules is the part of a spec/sites/<id>/rules.json this command reads.
type siteRules struct {
	Pack struct {
		Name    string       `json:"name"`
		Sources []ruleSource `json:"sources"`
	} `json:"pack"`
	Rules []struct {
		ID         string   `json:"id"`
		Hosts      []string `json:"hosts"`
		Severity   string   `json:"severity"`
		Provenance struct {
			Rule   []ruleSource          `json:"rule"`
			Labels map[string]ruleSource `json:"labels"`
		} `json:"provenance"`
	} `json:"rules"`
}

// loadRules reads the rules the binary was built with (spec/sites, embedded by
// internal/spec), default sites first.
func loadRules() ([]ruleInfo, error) {
	var out []ruleInfo
	for _, optIn := range []bool{false, true} {
		for _, f := range spec.SiteRules {
			if f.Optional != optIn {
				continue
			}
			var sr siteRules
			if err := json.Unmarshal([]byte(f.JSON), &sr); err != nil {
				return nil, fmt.Errorf("site %s: %w", f.Site, err)
			}
			for _, r := range sr.Rules {
				out = append(out, ruleInfo{ID: r.ID, Site: f.Site, OptIn: f.Optional, Hosts: r.Hosts, Severity: r.Severity,
					Sources: r.Provenance.Rule, Labels: r.Provenance.Labels})
			}
		}
	}
	return out, nil
}

func runRules(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "rules [--json]",
		"List the warning rules of every site (identity) and where each comes from:\nits sources, and per label language the source and the date it was observed,\nor unverified.")
	asJSON := c.fs.Bool("json", false, "print a JSON array of rules with their provenance")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	rules, err := loadRules()
	if err != nil {
		return fail(e, "rules", err)
	}
	if *asJSON {
		if err := writeJSON(e.Stdout, rules); err != nil {
			return fail(e, "rules", err)
		}
		return ExitOK
	}
	for _, r := range rules {
		optIn := ""
		if r.OptIn {
			optIn = ", opt-in"
		}
		fmt.Fprintf(e.Stdout, "%s (%s%s, %s) on %s\n", r.ID, r.Site, optIn, r.Severity, strings.Join(r.Hosts, ", "))
		for _, s := range r.Sources {
			fmt.Fprintf(e.Stdout, "  source: %s — %s\n", orUnverified(s.Source), s.Observed)
		}
		var verified, unverified []string
		for _, lang := range sortedLangs(r.Labels) {
			if s := r.Labels[lang]; s.Observed == "unverified" {
				unverified = append(unverified, lang)
			} else {
				verified = append(verified, lang+" ("+s.Observed+")")
			}
		}
		fmt.Fprintf(e.Stdout, "  labels verified: %s; unverified: %s\n", orNone(verified), orNone(unverified))
	}
	return ExitOK
}

func orUnverified(s string) string {
	if s == "" {
		return "(no source)"
	}
	return s
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

func sortedLangs(m map[string]ruleSource) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	// Stable order for people and tests: English first, then alphabetical.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && langLess(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func langLess(a, b string) bool {
	if a == "en" || b == "en" {
		return a == "en" && b != "en"
	}
	return a < b
}
