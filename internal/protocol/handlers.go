package protocol

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"unicode/utf8"

	"github.com/ringfence/ringfence/internal/nativemsg"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
	"github.com/ringfence/ringfence/internal/version"
)

// decode unmarshals a request body; an absent body decodes as {}.
func decode(body json.RawMessage, v any) error {
	if len(bytes.TrimSpace(body)) == 0 || bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errorf(spec.CodeBadRequest, "body: %v", err)
	}
	return nil
}

func (s *Server) needStore() error {
	if s.store == nil {
		return errorf(spec.CodeStorageError, "the store is not available: %v", s.storeErr)
	}
	return nil
}

// capabilities lists the features hello advertises.
func (s *Server) capabilities() []string {
	// "amend": snapshot.begin takes amends (docs/protocol.md, Amending a snapshot).
	// "upload_ids": snapshot.begin takes the client's upload_id, so the client
	// need not wait for its reply; it also promises text chunks.
	caps := []string{"snapshot", "amend", "upload_ids", "events", "identity.summary", "audit"}
	if _, ok := s.routes["export"]; ok {
		caps = append(caps, "export")
	}
	if _, ok := s.routes["dashboard.open"]; ok {
		caps = append(caps, "dashboard")
	}
	return caps
}

// diskBytes sums the sizes of the database file and its -wal and -shm companions that exist: what
// the store takes on disk, for the options page's "what Ringfence stores".
func diskBytes(path string) int64 {
	var n int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(path + suffix); err == nil {
			n += fi.Size()
		}
	}
	return n
}

func (s *Server) hello(ctx context.Context, body json.RawMessage) (any, error) {
	var req spec.HelloRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	st := spec.StoreStatus{}
	if s.store == nil {
		st.Error = fmt.Sprint(s.storeErr)
	} else {
		st.Path = s.store.Path()
		st.DiskBytes = diskBytes(st.Path)
		stats, err := s.store.Stats(ctx)
		if err == nil {
			err = s.store.KeyErr() // known by now, or not waited for
		}
		if err != nil {
			st.Error = err.Error()
		}
		st.Snapshots, st.Events, st.BlobBytes = stats.Snapshots, stats.Events, stats.BlobBytes
	}
	k := s.keys()
	return spec.HelloReply{
		HostVersion:     version.Version,
		ProtocolVersion: version.Protocol,
		Capabilities:    s.capabilities(),
		Store:           st,
		Keyring:         spec.KeyringStatus{Backend: k.Backend, OK: k.OK, Detail: k.Detail, Pending: k.Pending},
		Limits: spec.Limits{MaxFrame: nativemsg.MaxIncoming, MaxReply: nativemsg.MaxOutgoing, ChunkSize: ChunkSize,
			MaxArtifact: store.MaxArtifactSize, MaxUpload: store.MaxUploadSize},
	}, nil
}

// snapshotOf is the store's record of snapshot.begin's meta object.
func snapshotOf(m spec.SnapshotMeta) store.Snapshot {
	var red []store.Redaction
	for _, r := range m.Redactions {
		red = append(red, store.Redaction{Rule: r.Rule, Artifact: r.Artifact, Count: r.Count})
	}
	return store.Snapshot{
		URL: m.URL, FinalURL: m.FinalURL, Title: m.Title, CapturedAt: m.CapturedAt.Time,
		TZOffsetMinutes: m.TZOffsetMinutes, Trigger: m.Trigger, Browser: m.Browser,
		BrowserVersion: m.BrowserVersion, ExtensionVersion: m.ExtensionVersion, HostVersion: version.Version,
		ViewportWidth: m.Viewport.Width, ViewportHeight: m.Viewport.Height, DevicePixelRatio: m.DevicePixelRatio,
		Language: m.Language, Category: m.Category, CategorySource: m.CategorySource,
		Redactions: red, Notes: m.Notes, CaptureID: m.CaptureID,
	}
}

func (s *Server) snapshotBegin(ctx context.Context, body json.RawMessage) (any, error) {
	var req spec.SnapshotBeginRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.Meta == nil {
		return nil, errorf(spec.CodeBadRequest, "meta is required")
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	if len(s.uploads) >= maxOpenUploads {
		return nil, errorf(spec.CodeTooLarge, "%d uploads already open on this port; commit or abort one", maxOpenUploads)
	}
	if req.UploadID != "" {
		if !validUploadID(req.UploadID) {
			return nil, errorf(spec.CodeBadRequest, "upload_id must be 1 to 64 of A-Z a-z 0-9 - _")
		}
		if _, open := s.uploads[req.UploadID]; open {
			return nil, errorf(spec.CodeBadRequest, "upload %q is already open on this port", req.UploadID)
		}
	}
	decls := make([]store.ArtifactInfo, 0, len(req.Artifacts))
	for _, a := range req.Artifacts {
		decls = append(decls, store.ArtifactInfo{Name: a.Name, MIME: a.MIME, Size: a.Size, SHA256: a.SHA256})
	}
	var u *store.Upload
	var err error
	if req.Amends != "" {
		u, err = s.store.BeginAmend(ctx, req.Amends, s.redactMeta(snapshotOf(*req.Meta)), decls)
	} else {
		u, err = s.store.BeginUpload(s.redactMeta(snapshotOf(*req.Meta)), decls)
	}
	if err != nil {
		return nil, err
	}
	id := req.UploadID
	for id == "" || s.uploads[id] != nil { // the client may have taken "u-N" already
		s.nextID++
		id = fmt.Sprintf("u-%d", s.nextID)
	}
	s.uploads[id] = u
	return spec.SnapshotBeginReply{UploadID: id, ChunkSize: ChunkSize, TextChunks: true}, nil
}

// validUploadID is the shape of a client-chosen upload id: short, and safe
// to quote in an error message or a log line.
func validUploadID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// redactMeta applies the secret rules to every free-text field of the
// snapshot's metadata — URLs, title, language, browser and versions, and
// every note key and value (page_language and the like come from the page) —
// as defence in depth after the extension's own pass, and logs what it
// found under the artifact name "meta". A URL over store.MaxURL is redacted
// whole before store.CapURL cuts and hashes it.
func (s *Server) redactMeta(sn store.Snapshot) store.Snapshot {
	counts := map[string]int{}
	red := func(f *string) {
		var c map[string]int
		*f, c = s.redactor().String(*f)
		for rule, n := range c {
			counts[rule] += n
		}
	}
	for _, f := range []*string{&sn.URL, &sn.FinalURL, &sn.Title, &sn.Language, &sn.Browser,
		&sn.BrowserVersion, &sn.ExtensionVersion, &sn.CategorySource} {
		red(f)
	}
	if len(sn.Notes) > 0 {
		notes := make(map[string]string, len(sn.Notes))
		for k, v := range sn.Notes {
			red(&k)
			red(&v)
			notes[k] = v
		}
		sn.Notes = notes
	}
	for _, rule := range slices.Sorted(maps.Keys(counts)) {
		sn.Redactions = append(sn.Redactions, store.Redaction{Rule: rule, Artifact: "meta", Count: counts[rule]})
	}
	return sn
}

func (s *Server) upload(id string) (*store.Upload, error) {
	u, ok := s.uploads[id]
	if !ok {
		return nil, errorf(spec.CodeUnknownUpload, "no open upload %q on this port", id)
	}
	return u, nil
}

func (s *Server) snapshotChunk(ctx context.Context, body json.RawMessage) (any, error) {
	var req spec.SnapshotChunkRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	return s.chunk(req)
}

func (s *Server) chunk(req spec.SnapshotChunkRequest) (any, error) {
	u, err := s.upload(req.UploadID)
	if err != nil {
		return nil, err
	}
	if req.Offset == nil {
		return nil, errorf(spec.CodeBadRequest, "offset is required")
	}
	data := req.Data
	if req.Text != "" {
		if len(req.Data) > 0 {
			return nil, errorf(spec.CodeBadRequest, "a chunk has data or text, not both")
		}
		// JSON gave the string as valid UTF-8 (anything else was replaced, and then fails the
		// artifact's SHA-256 at commit): its bytes are the chunk's.
		data = []byte(req.Text)
	}
	n, err := u.Write(req.Artifact, *req.Offset, data)
	if err != nil {
		return nil, err
	}
	return spec.SnapshotChunkReply{Received: n}, nil
}

// namedUpload decodes a body that only names an upload ({"upload_id"}) and
// finds that upload on this port.
func (s *Server) namedUpload(body json.RawMessage) (string, *store.Upload, error) {
	var req spec.SnapshotCommitRequest // snapshot.abort's body has the same one field
	if err := decode(body, &req); err != nil {
		return "", nil, err
	}
	u, err := s.upload(req.UploadID)
	return req.UploadID, u, err
}

func (s *Server) snapshotCommit(ctx context.Context, body json.RawMessage) (any, error) {
	id, u, err := s.namedUpload(body)
	if err != nil {
		return nil, err
	}
	delete(s.uploads, id) // finished whatever the outcome
	snap, arts, err := u.Commit(ctx)
	if err != nil {
		return nil, err
	}
	rep := spec.SnapshotCommitReply{SnapshotID: snap.ID, Artifacts: make([]spec.StoredArtifact, 0, len(arts)), Duplicate: snap.Duplicate}
	for _, a := range arts {
		rep.Artifacts = append(rep.Artifacts, spec.StoredArtifact{Name: a.Name, MIME: a.MIME, Size: a.Size, SHA256: a.SHA256,
			Deduplicated: a.Deduplicated})
	}
	return rep, nil
}

func (s *Server) snapshotAbort(ctx context.Context, body json.RawMessage) (any, error) {
	id, u, err := s.namedUpload(body)
	if err != nil {
		return nil, err
	}
	u.Abort()
	delete(s.uploads, id)
	return spec.SnapshotAbortReply{}, nil
}

// spec.MaxListLimit keeps snapshot.list replies well under 1 MB; so do the
// summary caps, whatever rows older hosts stored before the field caps
// (200 × (512 + 2048) bytes, escaped, stays far below it).
const (
	maxSummaryTitle = 512
	maxSummaryURL   = 2048
)

// truncate cuts s to at most n bytes on a UTF-8 boundary, marking the cut
// with "…" (counted in n).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

func (s *Server) snapshotList(ctx context.Context, body json.RawMessage) (any, error) {
	var req spec.SnapshotListRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.Limit < 0 || req.Limit > spec.MaxListLimit {
		return nil, errorf(spec.CodeBadRequest, "limit must be 0..%d", spec.MaxListLimit)
	}
	if req.Limit == 0 {
		req.Limit = spec.DefaultListLimit
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	f := store.Filter{Limit: req.Limit}
	if req.Category != "" {
		f.Categories = []string{req.Category}
	}
	snaps, err := s.store.ListSnapshots(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]spec.SnapshotSummary, 0, len(snaps))
	for _, sn := range snaps {
		out = append(out, spec.SnapshotSummary{ID: sn.ID, CapturedAt: spec.Time{Time: sn.CapturedAt},
			Title: truncate(sn.Title, maxSummaryTitle), URL: truncate(sn.URL, maxSummaryURL),
			Category: sn.Category, Trigger: sn.Trigger, ArtifactCount: len(sn.Artifacts), Bytes: sn.Bytes()})
	}
	return spec.SnapshotListReply{Snapshots: out}, nil
}

func (s *Server) eventLog(ctx context.Context, body json.RawMessage) (any, error) {
	var req spec.EventLogRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	if len(req.Detail) > store.MaxEventDetail {
		return nil, errorf(spec.CodeTooLarge, "event detail is %d bytes, at most %d", len(req.Detail), store.MaxEventDetail)
	}
	// Event URLs and details are stored verbatim in the evidence log, so a
	// token in a URL (an OAuth ?code=, a key pasted in a query) stops here.
	url, _ := s.redactor().String(req.URL)
	ruleID, _ := s.redactor().String(req.RuleID)
	detail, _ := s.redactor().JSON(req.Detail)
	e, err := s.store.AppendEvent(ctx, store.Event{Type: req.Type, RuleID: ruleID, URL: url, At: req.At.Time,
		Detail: detail, EventID: req.EventID})
	if err != nil {
		return nil, err
	}
	return spec.EventLogReply{Seq: e.Seq, Hash: e.Hash, Duplicate: e.Duplicate}, nil
}

func (s *Server) identitySummary(ctx context.Context, body json.RawMessage) (any, error) {
	if err := decode(body, &spec.IdentitySummaryRequest{}); err != nil {
		return nil, err
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	id, err := s.store.IdentitySummary(ctx)
	if err != nil {
		return nil, err
	}
	rep := spec.IdentitySummaryReply{Snapshots: id.Snapshots, Categories: make(map[string]spec.CategoryLatest, len(id.Categories))}
	if id.LastSnapshotAt != nil {
		rep.LastSnapshotAt = &spec.Time{Time: *id.LastSnapshotAt}
	}
	if id.APIKeys != nil {
		rep.APIKeys = &spec.APIKeysSeen{Count: id.APIKeys.Count, SeenAt: spec.Time{Time: id.APIKeys.SeenAt}, SnapshotID: id.APIKeys.SnapshotID}
	}
	for c, l := range id.Categories {
		rep.Categories[c] = spec.CategoryLatest{SnapshotID: l.SnapshotID, CapturedAt: spec.Time{Time: l.CapturedAt}}
	}
	if k := id.KeyInventory; k != nil {
		rep.KeyInventory = &spec.KeyInventory{Keys: k.Keys, UsedBy: k.UsedBy, NotRotated: k.NotRotated}
	}
	return rep, nil
}
