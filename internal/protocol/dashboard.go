package protocol

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/ringfence/ringfence/internal/audit"
	"github.com/ringfence/ringfence/internal/spec"
)

// DashboardOpener finds the running dashboard (`ringfence serve`) of this
// data folder or starts one, and returns its URL with the access token.
type DashboardOpener func(ctx context.Context) (string, error)

// EnableDashboard registers `dashboard.open` (docs/protocol.md): the popup's
// "Open evidence dashboard" and its snapshot list use it.
func (s *Server) EnableDashboard(open DashboardOpener) {
	s.routes[spec.MsgDashboardOpen] = func(ctx context.Context, body json.RawMessage) (any, error) {
		var req spec.DashboardOpenRequest
		if err := decode(body, &req); err != nil {
			return nil, err
		}
		if req.SnapshotID != "" && !snapshotIDShape(req.SnapshotID) {
			return nil, errorf(spec.CodeBadRequest, "snapshot_id %q is not a snapshot id", req.SnapshotID)
		}
		if req.AuditID != "" && !snapshotIDShape(req.AuditID) {
			return nil, errorf(spec.CodeBadRequest, "audit_id %q is not an audit id", req.AuditID)
		}
		if req.AuditPage != "" && !audit.ValidPage(req.AuditPage) {
			return nil, errorf(spec.CodeBadRequest, "audit_page must be chrome-extension://<id>/audit.html or moz-extension://<uuid>/audit.html")
		}
		if req.AuditPage != "" && s.store != nil {
			// Remembered for the dashboard's Run audit button; failing to
			// remember it must not keep the dashboard from opening.
			_ = s.store.SetAuditPage(ctx, req.AuditPage)
		}
		u, err := open(ctx)
		if err != nil {
			return nil, errorf(spec.CodeStorageError, "cannot start the dashboard: %v", err)
		}
		switch {
		case req.SnapshotID != "":
			u += "#snapshot/" + url.PathEscape(req.SnapshotID)
		case req.AuditID != "":
			u += "#audit/" + url.PathEscape(req.AuditID)
		}
		return spec.DashboardOpenReply{URL: u}, nil
	}
}

// snapshotIDShape: what store ids look like ([0-9A-Za-z-], ≤ 64), so the
// id can go into a URL fragment as is.
func snapshotIDShape(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}
