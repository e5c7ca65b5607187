// Package audittest runs guided audits against a real store the way the
// extension does (an audit-trigger snapshot per page, one step each, then
// finish), for the tests of the packages that show audits.
package audittest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/audit"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// Page is one step of a planted audit: captured with Settings as its
// settings.json, or skipped/failed when Status says so.
type Page struct {
	StepID   string
	Project  string
	Status   string // "" = captured
	Settings string
	Reason   string
	Category string // "" = by the step's role
}

// Run begins an audit, stores each captured page as an audit snapshot,
// reports every step and finishes the audit. It returns the summary.
func Run(ctx context.Context, st *store.Store, pages []Page) (spec.AuditSummary, error) {
	a, err := st.BeginAudit(ctx, false, "", time.Now())
	if err != nil {
		return spec.AuditSummary{}, err
	}
	for _, p := range pages {
		if err := Step(ctx, st, a.ID, p); err != nil {
			return spec.AuditSummary{}, err
		}
	}
	time.Sleep(2 * time.Millisecond) // finished_at after the last step
	return audit.Finish(ctx, st, a.ID, time.Now())
}

// Step stores one page of audit id.
func Step(ctx context.Context, st *store.Store, id string, p Page) error {
	sp, ok := audit.StepSpec(p.StepID)
	if !ok {
		return fmt.Errorf("audittest: no step %q", p.StepID)
	}
	url := strings.ReplaceAll(sp.URL, "{project}", p.Project)
	step := store.AuditStep{StepID: p.StepID, Project: p.Project, Status: p.Status, URL: url, FinalURL: url, Reason: p.Reason, At: time.Now()}
	if p.Status == "" {
		step.Status = spec.AuditStepCaptured
		sn, err := st.SaveSnapshot(ctx, store.Snapshot{URL: url, Title: audit.Title(p.StepID, p.Project), CapturedAt: time.Now(),
			Trigger: spec.TriggerAudit, Browser: "Chromium", Category: category(sp, p.Category),
			Artifacts: []store.ArtifactInfo{{Name: "settings.json", MIME: "application/json"}}},
			map[string]io.Reader{"settings.json": strings.NewReader(p.Settings)})
		if err != nil {
			return err
		}
		step.SnapshotID = sn.ID
	} else {
		step.FinalURL = "https://auth.openai.com/log-in"
	}
	_, err := st.RecordAuditStep(ctx, id, step)
	return err
}

func category(sp spec.AuditStep, given string) string {
	if given != "" {
		return given
	}
	if sp.Role == "api" {
		return spec.CategoryAPIDashboard
	}
	return spec.CategoryAccountStatus
}

// Week1 and Week2 are two audits of one account with planted changes
// between them: an API key added (ci-bot, nobody recorded as using it), the
// training toggle flipped on, a custom instruction rewritten, and the
// billing page skipped (signed out). The email is the same on ChatGPT and
// the API platform.
var (
	Week1 = []Page{
		{StepID: "chatgpt.account", Settings: `{"account":{"email":"jane@example.com","plan":"ChatGPT Plus"},"controls":[]}`},
		{StepID: "chatgpt.data-controls", Settings: `{"controls":[{"label":"Improve the model for everyone","kind":"switch","checked":false}]}`},
		{StepID: "chatgpt.personalization", Settings: `{"controls":[{"label":"Enable for new chats","kind":"switch","checked":true}],` +
			`"fields":[{"label":"What would you like ChatGPT to know about you?","value":"I write Go for a living."}]}`},
		{StepID: "platform.api-keys", Settings: `{"account":{"email":"jane@example.com"},` +
			`"api_keys":[{"name":"prod-backend","prefix":"sk-...Xq2w","project":"Default project"}]}`},
		{StepID: "platform.project-api-keys", Project: "proj_abc123", Settings: `{"api_keys":[{"name":"staging","prefix":"sk-...St4g"}]}`},
		{StepID: "platform.billing", Settings: `{"fields":[{"label":"Plan","value":"Pay as you go"}]}`},
	}
	Week2 = []Page{
		{StepID: "chatgpt.account", Settings: `{"account":{"email":"jane@example.com","plan":"ChatGPT Plus"},"controls":[]}`},
		{StepID: "chatgpt.data-controls", Settings: `{"controls":[{"label":"Improve the model for everyone","kind":"switch","checked":true}]}`},
		{StepID: "chatgpt.personalization", Settings: `{"controls":[{"label":"Enable for new chats","kind":"switch","checked":true}],` +
			`"fields":[{"label":"What would you like ChatGPT to know about you?","value":"I write Rust for a living."}]}`},
		{StepID: "platform.api-keys", Settings: `{"account":{"email":"jane@example.com"},` +
			`"api_keys":[{"name":"prod-backend","prefix":"sk-...Xq2w","project":"Default project"},{"name":"ci-bot","prefix":"sk-...Ci7z","project":"Default project"}]}`},
		{StepID: "platform.project-api-keys", Project: "proj_abc123", Settings: `{"api_keys":[{"name":"staging","prefix":"sk-...St4g"}]}`},
		{StepID: "platform.billing", Status: spec.AuditStepSkipped, Reason: "redirected to sign-in"},
	}
)
