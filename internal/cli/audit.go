package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ringfence/ringfence/internal/audit"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// auditRow is one line of `ringfence audits`.
type auditRow struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	Scheduled  bool       `json:"scheduled"`
	StartedAt  spec.Time  `json:"started_at"`
	FinishedAt *spec.Time `json:"finished_at"`
	audit.Counts
	Actions int `json:"actions"`
}

func runAudits(ctx context.Context, e *Env, args []string) int {
	c := newCommand(e, "audits [--json]",
		"List the guided audits, newest first: when each ran, how many pages were captured,\n"+
			"skipped or failed, and how many items need action. See 'ringfence audit show ID'.")
	asJSON := c.fs.Bool("json", false, "print a JSON array")
	if _, code, ok := c.parse(e, args, 0, 0); !ok {
		return code
	}
	st, _, err := openStore(ctx, e)
	if err != nil {
		return fail(e, "audits", err)
	}
	defer st.Close()
	all, err := st.Audits(ctx)
	if err != nil {
		return fail(e, "audits", err)
	}
	rows := []auditRow{}
	for _, a := range all {
		sum, err := audit.Show(a)
		if err != nil {
			return fail(e, "audits", err)
		}
		rows = append(rows, auditRow{ID: a.ID, Status: a.Status, Scheduled: a.Scheduled, StartedAt: sum.StartedAt,
			FinishedAt: sum.FinishedAt, Counts: audit.CountSteps(sum.Steps), Actions: len(sum.Actions)})
	}
	if *asJSON {
		writeJSON(e.Stdout, rows)
		return ExitOK
	}
	if len(rows) == 0 {
		fmt.Fprintln(e.Stdout, "No audits yet: start one from the Ringfence toolbar button → Run audit.")
		return ExitOK
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tSTARTED (UTC)\tCAPTURED\tSKIPPED\tFAILED\tACTIONS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\n", r.ID, r.Status, r.StartedAt.UTC().Format("2006-01-02 15:04"),
			r.Captured, r.Skipped, r.Failed, r.Actions)
	}
	tw.Flush()
	return ExitOK
}

func runAudit(ctx context.Context, e *Env, args []string) int {
	if len(args) == 0 || args[0] != "show" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.Stdout, "usage: ringfence audit show ID|latest [--json]")
			return ExitOK
		}
		fmt.Fprintln(e.Stderr, "usage: ringfence audit show ID|latest [--json]")
		return ExitUsage
	}
	c := newCommand(e, "audit show ID|latest [--json]",
		"Show one guided audit: what changed since the previous audit, the items that need\n"+
			"action, the pages that were skipped or failed, and the identity check.")
	asJSON := c.fs.Bool("json", false, "print the audit summary as JSON")
	pos, code, ok := c.parse(e, args[1:], 1, 1)
	if !ok {
		return code
	}
	st, _, err := openStore(ctx, e)
	if err != nil {
		return fail(e, "audit show", err)
	}
	defer st.Close()
	var a store.Audit
	if pos[0] == "latest" {
		a, err = st.LatestAudit(ctx, false)
	} else {
		a, err = st.GetAudit(ctx, pos[0])
	}
	if err != nil {
		return fail(e, "audit show", err)
	}
	sum, err := audit.Show(a)
	if err != nil {
		return fail(e, "audit show", err)
	}
	if *asJSON {
		writeJSON(e.Stdout, sum)
		return ExitOK
	}
	writeAuditText(e.Stdout, sum)
	return ExitOK
}

// writeAuditText is the human form of an audit summary: actions first, then
// the changes, the pages not captured, and the identity check.
func writeAuditText(w io.Writer, s spec.AuditSummary) {
	c := audit.CountSteps(s.Steps)
	fmt.Fprintf(w, "Audit %s (%s), started %s UTC", s.AuditID, s.Status, s.StartedAt.UTC().Format("2006-01-02 15:04"))
	if s.FinishedAt != nil {
		fmt.Fprintf(w, ", finished %s UTC", s.FinishedAt.UTC().Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(w, "\n%d page(s) captured, %d skipped, %d failed.\n", c.Captured, c.Skipped, c.Failed)

	fmt.Fprintln(w, "\nNeeds action:")
	if len(s.Actions) == 0 {
		if s.Status == spec.AuditCompleted {
			fmt.Fprintln(w, "  nothing.")
		} else {
			fmt.Fprintf(w, "  (the audit is %s; actions are worked out when it finishes)\n", s.Status)
		}
	}
	for _, a := range s.Actions {
		fmt.Fprintf(w, "  [%s] %s\n", strings.ToUpper(a.Severity), a.Text)
	}

	fmt.Fprintln(w, "\nChanges since the previous audit:")
	switch ch := s.Changes; {
	case ch == nil:
		fmt.Fprintln(w, "  none compared: this is the first completed audit (or it has not finished).")
	default:
		n := 0
		line := func(format string, a ...any) { n++; fmt.Fprintf(w, "  "+format+"\n", a...) }
		for _, k := range ch.KeysAdded {
			owner := ""
			if k.Unowned {
				owner = " — nothing recorded as using it"
			}
			line("API key added: %s %s on %s%s", k.Name, k.Prefix, audit.Title(k.StepID, ""), owner)
		}
		for _, k := range ch.KeysRemoved {
			line("API key removed: %s %s on %s", k.Name, k.Prefix, audit.Title(k.StepID, ""))
		}
		for _, x := range ch.Settings {
			line("setting %s: %s → %s (%s)", x.Label, none(x.From), none(x.To), audit.Title(x.StepID, ""))
		}
		for _, x := range ch.Account {
			line("account %s: %s → %s (%s)", x.Label, none(x.From), none(x.To), audit.Title(x.StepID, ""))
		}
		for _, x := range ch.Notices {
			line("notice: %s (%s, %s)", x.Title, x.At.UTC().Format("2006-01-02"), x.SnapshotID)
		}
		if n == 0 {
			fmt.Fprintf(w, "  nothing changed since %s.\n", ch.PreviousID)
		}
	}

	fmt.Fprintln(w, "\nPages not captured:")
	missing := 0
	for _, st := range s.Steps {
		if st.Status == spec.AuditStepCaptured {
			continue
		}
		missing++
		why := st.Reason
		if why == "" && st.Status == spec.AuditStepSkipped {
			why = "signed out"
		}
		fmt.Fprintf(w, "  %s: %s (%s)\n", st.Title, st.Status, why)
	}
	if missing == 0 {
		fmt.Fprintln(w, "  none.")
	}

	fmt.Fprintln(w, "\nIdentity check:")
	id := s.Identity
	switch {
	case id.Shared:
		fmt.Fprintf(w, "  SHARED: %s is used both for your API keys and on ChatGPT/Sora.\n  %s\n",
			strings.Join(append(append([]string{}, id.Emails...), id.Phones...), ", "), id.Advice)
	case s.Status != spec.AuditCompleted:
		fmt.Fprintln(w, "  worked out when the audit finishes.")
	default:
		fmt.Fprintf(w, "  no email or phone seen on both the API platform and ChatGPT/Sora (%d API key(s) seen).\n", id.APIKeys)
	}
}

func none(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
