package audit

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/internal/spec"
)

// Roles of audit steps (spec/audit.json).
const (
	RoleAPI      = "api"
	RoleConsumer = "consumer"
)

// IdentityAdvice is what the summary tells a user whose API-platform
// identity is also used on consumer products.
const IdentityAdvice = "The email or phone number that holds your production API keys is also signed in to ChatGPT or Sora. " +
	"If the consumer account is suspended or flagged (a moderation decision on a chat, an image, a video), the same identity — " +
	"and with it your API keys — can be caught up in it. Use a separate identity for production API keys than for ChatGPT and Sora experiments: " +
	"create a separate account (its own email, its own phone) that owns an organization, move your production keys and projects to that " +
	"organization, invite your personal account only as a member if you need it, and keep a kit of this audit as a record of the change."

// identitySettings is the part of settings.json the identity check reads.
type identitySettings struct {
	Account map[string]json.RawMessage      `json:"account"`
	Fields  []struct{ Label, Value string } `json:"fields"`
	APIKeys []struct {
		Name   string `json:"name"`
		Prefix string `json:"prefix"`
	} `json:"api_keys"`
}

// normEmail: a value that looks like an email (masked ones too:
// j***@example.com), lowercased; "" otherwise.
func normEmail(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	at := strings.LastIndexByte(v, '@')
	if at < 1 || at == len(v)-1 || strings.ContainsAny(v, " \t\n<>[]()") || !strings.Contains(v[at:], ".") {
		return ""
	}
	return v
}

// normPhone: the digits of a value that looks like a phone number with at
// least 7 of them (a masked ***42 is too short to compare), "+" kept; ""
// otherwise.
func normPhone(v string) string {
	v = strings.TrimSpace(v)
	var b strings.Builder
	digits := 0
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
			digits++
		case c == '+' && i == 0:
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.':
		default:
			return ""
		}
	}
	if digits < 7 || digits > 15 {
		return ""
	}
	return b.String()
}

func rawString(r json.RawMessage) string {
	var s string
	if json.Unmarshal(r, &s) != nil {
		return ""
	}
	return s
}

// identity compares the emails and phones seen on api-role pages with those
// on consumer-role pages of the same audit.
func identity(pages map[string]page) spec.IdentityCheck {
	type seen struct{ emails, phones map[string]string } // normalised → as stored
	roles := map[string]*seen{RoleAPI: {map[string]string{}, map[string]string{}}, RoleConsumer: {map[string]string{}, map[string]string{}}}
	keys := map[string]bool{}
	for _, p := range pages {
		sp, ok := StepSpec(p.step.StepID)
		if !ok || p.settings == nil {
			continue
		}
		var s identitySettings
		if json.Unmarshal(p.settings, &s) != nil {
			continue
		}
		for _, k := range s.APIKeys {
			keys[k.Prefix+"\x00"+k.Name] = true
		}
		r := roles[sp.Role]
		if r == nil {
			continue
		}
		values := []string{rawString(s.Account["email"]), rawString(s.Account["phone"])}
		for _, f := range s.Fields {
			values = append(values, f.Value)
		}
		for _, v := range values {
			if e := normEmail(v); e != "" {
				r.emails[e] = strings.TrimSpace(v)
			} else if ph := normPhone(v); ph != "" {
				r.phones[ph] = strings.TrimSpace(v)
			}
		}
	}
	out := emptyIdentity()
	out.APIKeys = len(keys)
	for _, e := range slices.Sorted(maps.Keys(roles[RoleAPI].emails)) {
		if _, ok := roles[RoleConsumer].emails[e]; ok {
			out.Emails = append(out.Emails, roles[RoleAPI].emails[e])
		}
	}
	for _, ph := range slices.Sorted(maps.Keys(roles[RoleAPI].phones)) {
		if _, ok := roles[RoleConsumer].phones[ph]; ok {
			out.Phones = append(out.Phones, roles[RoleAPI].phones[ph])
		}
	}
	out.Shared = len(out.Emails)+len(out.Phones) > 0
	if out.Shared {
		out.Advice = IdentityAdvice
	}
	return out
}
