// Package redact is the host's last gate against secrets reaching the
// database: it replaces API keys, session tokens, JWTs, bearer tokens and
// credentials in URLs with a marker that keeps only the visible prefix.
//
// The extension redacts snapshots before they leave the page (see
// extension/src/shared/redact.ts, whose rule names and marker this mirrors);
// the host applies these rules to what arrives as plain strings — event URLs
// and details, snapshot URLs and titles — so a secret in a URL is never
// stored even if a sender forgot to redact it.
package redact

import (
	"encoding/json"
	"math"
	"regexp"
	"strings"
)

// Mark replaces the secret part of a match.
const Mark = "[REDACTED]"

type rule struct {
	name string
	re   *regexp.Regexp // group 1: the part kept; group 2: the secret
	// random requires the secret to look random, so "sk-button-primary-large"
	// (a CSS class) is left alone.
	random bool
}

// Redactor holds the compiled rules; build one with New and share it.
type Redactor struct{ rules []rule }

// New compiles the rules.
func New() *Redactor {
	return &Redactor{rules: []rule{
		{"openai_key", regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])(sk-(?:proj-|svcacct-|admin-|None-)?)([A-Za-z0-9_-]{20,})`), true},
		{"session_token", regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])(sess-)([A-Za-z0-9_-]{20,})`), true},
		{"jwt", regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])(eyJ)([A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})`), false},
		{"bearer", regexp.MustCompile(`(?i)\b(Bearer\s+)([A-Za-z0-9._~+/-]{16,}=*)`), false},
		// Parameters that name a credential: any value is one, however short.
		{"url_credential", regexp.MustCompile(`(?i)([?&#;/](?:client_secret|password|passwd|pwd|pass|passphrase|secret|api_secret|private_key|api_key|apikey|access_token|id_token|refresh_token|token|auth_token|session_token|otp)=)([^&#\s"'<>]+)`), false},
		// Parameters that often carry one: values of 8 characters or more.
		{"url_token", regexp.MustCompile(`(?i)([?&#;/](?:key|code|session|sig|signature|auth)=)([^&#\s"'<>]{8,})`), false},
	}}
}

// String returns s with every secret replaced, and how many were replaced
// per rule name (nil when none).
func (r *Redactor) String(s string) (string, map[string]int) {
	var counts map[string]int
	for _, ru := range r.rules {
		ms := ru.re.FindAllStringSubmatchIndex(s, -1)
		if len(ms) == 0 {
			continue
		}
		var b strings.Builder
		last := 0
		for _, m := range ms {
			keepEnd, secStart, secEnd := m[3], m[4], m[5]
			secret := s[secStart:secEnd]
			if strings.HasPrefix(secret, Mark) || (ru.random && !randomish(secret)) {
				continue
			}
			b.WriteString(s[last:keepEnd])
			b.WriteString(Mark)
			last = secEnd
			if counts == nil {
				counts = map[string]int{}
			}
			counts[ru.name]++
		}
		if last > 0 {
			b.WriteString(s[last:])
			s = b.String()
		}
	}
	return s, counts
}

// JSON redacts every string value (not the keys) inside a JSON document.
// Invalid JSON is returned unchanged: the caller validates it separately.
func (r *Redactor) JSON(doc json.RawMessage) (json.RawMessage, map[string]int) {
	if len(doc) == 0 {
		return doc, nil
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return doc, nil
	}
	total := map[string]int{}
	v = r.walk(v, total)
	if len(total) == 0 {
		return doc, nil
	}
	out, err := json.Marshal(v)
	if err != nil {
		return doc, nil
	}
	return out, total
}

func (r *Redactor) walk(v any, total map[string]int) any {
	switch t := v.(type) {
	case string:
		s, c := r.String(t)
		for k, n := range c {
			total[k] += n
		}
		return s
	case []any:
		for i := range t {
			t[i] = r.walk(t[i], total)
		}
	case map[string]any:
		for k := range t {
			t[k] = r.walk(t[k], total)
		}
	}
	return v
}

// randomish mirrors the extension: at least two character classes and a
// Shannon entropy of 3.2 bits per character or more.
func randomish(s string) bool {
	var lower, upper, digit bool
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9':
			digit = true
		}
	}
	classes := 0
	for _, ok := range []bool{lower, upper, digit} {
		if ok {
			classes++
		}
	}
	return classes >= 2 && entropy(s) >= 3.2
}

func entropy(s string) float64 {
	freq := map[rune]int{}
	n := 0
	for _, c := range s {
		freq[c]++
		n++
	}
	h := 0.0
	for _, k := range freq {
		p := float64(k) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}
