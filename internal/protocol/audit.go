package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/audit"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// The guided audit's messages (docs/audit.md, docs/protocol.md).

func (s *Server) registerAudit() {
	s.routes[spec.MsgAuditBegin] = s.auditBegin
	s.routes[spec.MsgAuditStep] = s.auditStep
	s.routes[spec.MsgAuditFinish] = s.auditFinish
	s.routes[spec.MsgAuditShow] = s.auditShow
}

// auditErr maps the store's audit errors onto their codes.
func auditErr(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errorf(spec.CodeUnknownAudit, "%v", err)
	case errors.Is(err, store.ErrAuditClosed):
		return errorf(spec.CodeAuditClosed, "%v", err)
	}
	return err
}

// validProject: proj_ and 1..64 of [A-Za-z0-9_-].
func validProject(p string) bool {
	rest, ok := strings.CutPrefix(p, "proj_")
	return ok && len(rest) >= 1 && len(rest) <= 64 && strings.Trim(rest,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == ""
}

func (s *Server) auditBegin(ctx context.Context, body json.RawMessage) (any, error) {
	var req spec.AuditBeginRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.AuditPage != "" && !audit.ValidPage(req.AuditPage) {
		return nil, errorf(spec.CodeBadRequest, "audit_page must be chrome-extension://<id>/audit.html or moz-extension://<uuid>/audit.html")
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	a, err := s.store.BeginAudit(ctx, req.Scheduled, req.AuditPage, time.Now())
	if err != nil {
		return nil, err
	}
	rep := spec.AuditBeginReply{AuditID: a.ID, StartedAt: spec.Time{Time: a.StartedAt}}
	if a.PreviousID != "" {
		rep.PreviousID = &a.PreviousID
	}
	return rep, nil
}

func (s *Server) auditStep(ctx context.Context, body json.RawMessage) (any, error) {
	var req spec.AuditStepRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if !snapshotIDShape(req.AuditID) {
		return nil, errorf(spec.CodeBadRequest, "audit_id is required ([0-9A-Za-z-]{1,64})")
	}
	st := req.Step
	sp, ok := audit.StepSpec(st.StepID)
	if !ok {
		return nil, errorf(spec.CodeBadRequest, "step_id %q is not a step of spec/audit.json", st.StepID)
	}
	switch {
	case sp.PerProject && !validProject(st.Project):
		return nil, errorf(spec.CodeBadRequest, "step %s is per project: project must be proj_… (got %q)", st.StepID, st.Project)
	case !sp.PerProject && st.Project != "":
		return nil, errorf(spec.CodeBadRequest, "step %s is not per project: project must be empty", st.StepID)
	}
	if !oneOf(st.Status, spec.AuditStepStatuses) {
		return nil, errorf(spec.CodeBadRequest, "status %q is not one of %v", st.Status, spec.AuditStepStatuses)
	}
	switch {
	case st.Status == spec.AuditStepCaptured && !snapshotIDShape(st.SnapshotID):
		return nil, errorf(spec.CodeBadRequest, "a captured step needs its snapshot_id")
	case st.Status != spec.AuditStepCaptured && st.SnapshotID != "":
		return nil, errorf(spec.CodeBadRequest, "a %s step has no snapshot_id", st.Status)
	}
	if st.URL == "" {
		return nil, errorf(spec.CodeBadRequest, "step url is required")
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	// URLs and the reason are stored outside artifacts: the secret rules
	// run on them as on snapshot meta.
	url, _ := s.redactor().String(st.URL)
	final, _ := s.redactor().String(st.FinalURL)
	reason, _ := s.redactor().String(st.Reason)
	n, err := s.store.RecordAuditStep(ctx, req.AuditID, store.AuditStep{StepID: st.StepID, Project: st.Project,
		Status: st.Status, SnapshotID: st.SnapshotID, URL: url, FinalURL: final, Reason: reason, At: st.At.Time})
	if err != nil {
		return nil, auditErr(err)
	}
	return spec.AuditStepReply{Steps: n}, nil
}

func oneOf(v string, set []string) bool {
	for _, x := range set {
		if v == x {
			return true
		}
	}
	return false
}

func (s *Server) auditFinish(ctx context.Context, body json.RawMessage) (any, error) {
	var req spec.AuditFinishRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if !snapshotIDShape(req.AuditID) {
		return nil, errorf(spec.CodeBadRequest, "audit_id is required ([0-9A-Za-z-]{1,64})")
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	sum, err := audit.Finish(ctx, s.store, req.AuditID, time.Now())
	if err != nil {
		return nil, auditErr(err)
	}
	return spec.AuditFinishReply{Audit: sum}, nil
}

func (s *Server) auditShow(ctx context.Context, body json.RawMessage) (any, error) {
	var req spec.AuditShowRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.AuditID != "" && !snapshotIDShape(req.AuditID) {
		return nil, errorf(spec.CodeBadRequest, "audit_id %q is not an audit id", req.AuditID)
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	var a store.Audit
	var err error
	if req.AuditID == "" {
		a, err = s.store.LatestAudit(ctx, false)
		if errors.Is(err, store.ErrNotFound) {
			return spec.AuditShowReply{}, nil
		}
	} else {
		a, err = s.store.GetAudit(ctx, req.AuditID)
	}
	if err != nil {
		return nil, auditErr(err)
	}
	sum, err := audit.Show(a)
	if err != nil {
		return nil, err
	}
	return spec.AuditShowReply{Audit: &sum}, nil
}
