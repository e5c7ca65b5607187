package audit

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/ringfence/ringfence/internal/spec"
)

// trainingLabel matches settings about training on or sharing the user's
// data, in the languages the settings pages are captured in most.
// Compiled on first use: the native host links this package but never audits
// at start, and package-level compiles are paid by every process start.
var trainingLabel = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)improve the model|train|data shar|share .*data|data controls|` +
		`modell.*verbessern|trainier|améliorer le modèle|entraîn|mejorar el modelo|entren|melhorar o modelo|migliorare il modello`)
})

// personalLabel matches custom instructions and memory: things the user
// wrote and would lose or have rewritten.
var personalLabel = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)custom instruction|instruction|memory|memories|know about you|respond|` +
		`anweisung|erinnerung|mémoire|memoria|memória`)
})

// accountAlert lists the account fields whose change is a sign of takeover.
var accountAlert = map[string]bool{"email": true, "phone": true, "linked_services": true, "sso": true}

func show(s string) string {
	if s == "" {
		return "(none)"
	}
	return "“" + s + "”"
}

func keyName(k spec.AuditKey) string {
	name := k.Name
	if name == "" {
		name = "(unnamed)"
	}
	if k.Prefix != "" {
		name += " (" + k.Prefix + ")"
	}
	if k.Project != "" {
		name += " in " + k.Project
	}
	return name
}

// actions lists what needs the user's attention, high severity first.
func actions(sum spec.AuditSummary, notices []spec.AuditNotice, failed []spec.AuditStepResult) []spec.AuditAction {
	var high, medium []spec.AuditAction
	add := func(sev, step, format string, a ...any) {
		x := spec.AuditAction{Severity: sev, StepID: step, Text: fmt.Sprintf(format, a...)}
		if sev == High {
			high = append(high, x)
		} else {
			medium = append(medium, x)
		}
	}
	if ch := sum.Changes; ch != nil {
		for _, k := range ch.KeysAdded {
			if k.Unowned {
				add(High, k.StepID, "New API key %s appeared on %s and nothing is recorded as using it. "+
					"If you did not create it, revoke it now; if you did, record what uses it in the dashboard's API keys.",
					keyName(k), Title(k.StepID, ""))
			}
		}
		for _, k := range ch.KeysRemoved {
			add(Medium, k.StepID, "API key %s is gone from %s. Confirm it was you who deleted it, and that nothing still needs it.",
				keyName(k), Title(k.StepID, ""))
		}
		// Custom instructions and memory: one action per page, naming what changed.
		personal := map[string][]string{}
		var personalSteps []string
		for _, c := range ch.Settings {
			switch {
			case trainingLabel().MatchString(c.Label):
				add(High, c.StepID, "“%s” changed from %s to %s on %s. If you did not change it, set it back and check who can sign in to your account.",
					c.Label, show(c.From), show(c.To), Title(c.StepID, ""))
			case c.StepID == "chatgpt.personalization" || personalLabel().MatchString(c.Label):
				if personal[c.StepID] == nil {
					personalSteps = append(personalSteps, c.StepID)
				}
				personal[c.StepID] = append(personal[c.StepID], c.Label)
			}
		}
		for _, step := range personalSteps {
			// What names instructions or memory first, then the rest of the page.
			slices.SortStableFunc(personal[step], func(x, y string) int {
				return boolRank(personalLabel().MatchString(y)) - boolRank(personalLabel().MatchString(x))
			})
			add(Medium, step, "Your custom instructions or memory changed (%s) on %s. Check that the new text is yours, and keep the old one if you need it.",
				listLabels(personal[step]), Title(step, ""))
		}
		for _, c := range ch.Account {
			if accountAlert[strings.ToLower(c.Label)] {
				add(High, c.StepID, "Your account's %s changed from %s to %s (%s). If you did not do this, secure the account now: change the password, sign out other sessions, turn on two-step verification.",
					c.Label, show(c.From), show(c.To), Title(c.StepID, ""))
			}
		}
	}
	for _, n := range notices {
		add(High, "", "A moderation notice was captured on %s: %s. Read it, note any deadline to appeal, and keep it in your evidence kit.",
			n.At.UTC().Format("2006-01-02"), show(n.Title))
	}
	if sum.Identity.Shared {
		add(High, "", "The same identity (%s) holds your production API keys and is used on ChatGPT or Sora. Use a separate identity for production API keys.",
			strings.Join(append(append([]string{}, sum.Identity.Emails...), sum.Identity.Phones...), ", "))
	}
	for _, s := range failed {
		what := "was skipped (it asked you to sign in)"
		if s.Status == spec.AuditStepFailed {
			what = "could not be captured"
			if s.Reason != "" {
				what += " (" + s.Reason + ")"
			}
		}
		add(Medium, s.StepID, "%s %s. Sign in there and run the audit again so this page is compared next time.", s.Title, what)
	}
	return append(append([]spec.AuditAction{}, high...), medium...)
}

// listLabels names up to three labels and counts the rest.
func listLabels(labels []string) string {
	const shown = 3
	var q []string
	for i, l := range labels {
		if i == shown {
			break
		}
		q = append(q, "“"+l+"”")
	}
	out := strings.Join(q, ", ")
	if n := len(labels) - shown; n > 0 {
		out += fmt.Sprintf(" and %d more", n)
	}
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
