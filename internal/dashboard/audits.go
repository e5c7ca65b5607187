package dashboard

import (
	"net/http"

	"github.com/ringfence/ringfence/internal/audit"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// The Audits view's API (docs/dashboard.md, docs/audit.md).

// auditListRow is one audit in GET /api/audits.
type auditListRow struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	Scheduled  bool       `json:"scheduled"`
	StartedAt  spec.Time  `json:"started_at"`
	FinishedAt *spec.Time `json:"finished_at"`
	audit.Counts
	Actions int  `json:"actions"`
	High    int  `json:"high"`
	Shared  bool `json:"identity_shared"`
}

// runAuditHelp is what the Run audit button says when the extension has not
// told the host where its audit page is.
const runAuditHelp = "Start an audit from the Ringfence toolbar button → Run audit. Once the extension has run one, this button opens its audit page."

// audits lists every audit, newest first, and the Run audit target.
func (s *Server) audits(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	all, err := s.cfg.Store.Audits(ctx)
	if err != nil {
		s.fail(w, err)
		return
	}
	rows := []auditListRow{}
	for _, a := range all {
		sum, err := audit.Show(a)
		if err != nil {
			s.fail(w, err)
			return
		}
		row := auditListRow{ID: a.ID, Status: a.Status, Scheduled: a.Scheduled, StartedAt: sum.StartedAt,
			FinishedAt: sum.FinishedAt, Counts: audit.CountSteps(sum.Steps), Actions: len(sum.Actions), Shared: sum.Identity.Shared}
		for _, x := range sum.Actions {
			if x.Severity == audit.High {
				row.High++
			}
		}
		rows = append(rows, row)
	}
	page, err := s.cfg.Store.AuditPage(ctx)
	if err != nil {
		s.fail(w, err)
		return
	}
	if !audit.ValidPage(page) {
		page = "" // only ever the extension's own page
	}
	writeJSON(w, http.StatusOK, map[string]any{"audits": rows, "audit_page": page, "run_help": runAuditHelp})
}

// auditDetail is one audit's summary; the id may be "latest".
func (s *Server) auditDetail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	var a store.Audit
	var err error
	if id == "latest" {
		a, err = s.cfg.Store.LatestAudit(ctx, false)
	} else {
		a, err = s.cfg.Store.GetAudit(ctx, id)
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	sum, err := audit.Show(a)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sum)
}
