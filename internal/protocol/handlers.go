package protocol

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/ringfence/ringfence/internal/nativemsg"
	"github.com/ringfence/ringfence/internal/store"
	"github.com/ringfence/ringfence/internal/version"
)

// decode unmarshals a request body; an absent body decodes as {}.
func decode(body json.RawMessage, v any) error {
	if len(bytes.TrimSpace(body)) == 0 || bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errorf(CodeBadRequest, "body: %v", err)
	}
	return nil
}

func (s *Server) needStore() error {
	if s.store == nil {
		return errorf(CodeStorageError, "the store is not available: %v", s.storeErr)
	}
	return nil
}

// capabilities lists the features hello advertises.
func (s *Server) capabilities() []string {
	caps := []string{"snapshot", "events", "identity.summary"}
	if _, ok := s.routes["export"]; ok {
		caps = append(caps, "export")
	}
	return caps
}

type helloStore struct {
	store.Stats
	Path string `json:"path,omitempty"`
	// DiskBytes is what the database takes on disk (the file and its WAL), for the options page's
	// "what Ringfence stores".
	DiskBytes int64  `json:"disk_bytes"`
	Error     string `json:"error,omitempty"`
}

// diskBytes sums the sizes of the database file and its -wal and -shm companions that exist.
func diskBytes(path string) int64 {
	var n int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(path + suffix); err == nil {
			n += fi.Size()
		}
	}
	return n
}

type limits struct {
	MaxFrame    int `json:"max_frame"`
	MaxReply    int `json:"max_reply"`
	ChunkSize   int `json:"chunk_size"`
	MaxArtifact int `json:"max_artifact"`
	MaxUpload   int `json:"max_upload"`
}

func (s *Server) hello(ctx context.Context, body json.RawMessage) (any, error) {
	var req struct {
		ExtensionVersion string `json:"extension_version"`
		Browser          string `json:"browser"`
		BrowserVersion   string `json:"browser_version"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	st := helloStore{}
	if s.store == nil {
		st.Error = fmt.Sprint(s.storeErr)
	} else {
		st.Path = s.store.Path()
		st.DiskBytes = diskBytes(st.Path)
		stats, err := s.store.Stats(ctx)
		if err != nil {
			st.Error = err.Error()
		}
		st.Stats = stats
	}
	return map[string]any{
		"host_version":     version.Version,
		"protocol_version": version.Protocol,
		"capabilities":     s.capabilities(),
		"store":            st,
		"keyring":          s.keys,
		"limits": limits{MaxFrame: nativemsg.MaxIncoming, MaxReply: nativemsg.MaxOutgoing, ChunkSize: ChunkSize,
			MaxArtifact: store.MaxArtifactSize, MaxUpload: store.MaxUploadSize},
	}, nil
}

// Meta is snapshot.begin's meta object.
type Meta struct {
	URL              string                      `json:"url"`
	FinalURL         string                      `json:"final_url"`
	Title            string                      `json:"title"`
	CapturedAt       time.Time                   `json:"captured_at"`
	TZOffsetMinutes  int                         `json:"tz_offset_minutes"`
	Trigger          string                      `json:"trigger"`
	Browser          string                      `json:"browser"`
	BrowserVersion   string                      `json:"browser_version"`
	ExtensionVersion string                      `json:"extension_version"`
	Viewport         struct{ Width, Height int } `json:"viewport"`
	DevicePixelRatio float64                     `json:"device_pixel_ratio"`
	Language         string                      `json:"language"`
	Category         string                      `json:"category"`
	CategorySource   string                      `json:"category_source"`
	Redactions       []store.Redaction           `json:"redactions"`
	Notes            map[string]string           `json:"notes"`
	CaptureID        string                      `json:"capture_id"`
}

func (m Meta) snapshot() store.Snapshot {
	return store.Snapshot{
		URL: m.URL, FinalURL: m.FinalURL, Title: m.Title, CapturedAt: m.CapturedAt,
		TZOffsetMinutes: m.TZOffsetMinutes, Trigger: m.Trigger, Browser: m.Browser,
		BrowserVersion: m.BrowserVersion, ExtensionVersion: m.ExtensionVersion, HostVersion: version.Version,
		ViewportWidth: m.Viewport.Width, ViewportHeight: m.Viewport.Height, DevicePixelRatio: m.DevicePixelRatio,
		Language: m.Language, Category: m.Category, CategorySource: m.CategorySource,
		Redactions: m.Redactions, Notes: m.Notes, CaptureID: m.CaptureID,
	}
}

func (s *Server) snapshotBegin(ctx context.Context, body json.RawMessage) (any, error) {
	var req struct {
		Meta      *Meta                `json:"meta"`
		Artifacts []store.ArtifactInfo `json:"artifacts"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.Meta == nil {
		return nil, errorf(CodeBadRequest, "meta is required")
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	if len(s.uploads) >= maxOpenUploads {
		return nil, errorf(CodeTooLarge, "%d uploads already open on this port; commit or abort one", maxOpenUploads)
	}
	u, err := s.store.BeginUpload(s.redactMeta(req.Meta.snapshot()), req.Artifacts)
	if err != nil {
		return nil, err
	}
	s.nextID++
	id := fmt.Sprintf("u-%d", s.nextID)
	s.uploads[id] = u
	return map[string]any{"upload_id": id, "chunk_size": ChunkSize}, nil
}

// redactMeta applies the secret rules to the snapshot's URLs and title (the
// extension already did; this is defence in depth) and logs what it found
// under the artifact name "meta".
func (s *Server) redactMeta(sn store.Snapshot) store.Snapshot {
	counts := map[string]int{}
	for _, f := range []*string{&sn.URL, &sn.FinalURL, &sn.Title} {
		var c map[string]int
		*f, c = s.redactor().String(*f)
		for rule, n := range c {
			counts[rule] += n
		}
	}
	for _, rule := range slices.Sorted(maps.Keys(counts)) {
		sn.Redactions = append(sn.Redactions, store.Redaction{Rule: rule, Artifact: "meta", Count: counts[rule]})
	}
	return sn
}

func (s *Server) upload(id string) (*store.Upload, error) {
	u, ok := s.uploads[id]
	if !ok {
		return nil, errorf(CodeUnknownUpload, "no open upload %q on this port", id)
	}
	return u, nil
}

// chunkBody is snapshot.chunk's body.
type chunkBody struct {
	UploadID string `json:"upload_id"`
	Artifact string `json:"artifact"`
	Offset   *int64 `json:"offset"`
	Data     []byte `json:"data"` // base64 in JSON
}

func (s *Server) snapshotChunk(ctx context.Context, body json.RawMessage) (any, error) {
	var req chunkBody
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	return s.chunk(req)
}

func (s *Server) chunk(req chunkBody) (any, error) {
	u, err := s.upload(req.UploadID)
	if err != nil {
		return nil, err
	}
	if req.Offset == nil {
		return nil, errorf(CodeBadRequest, "offset is required")
	}
	n, err := u.Write(req.Artifact, *req.Offset, req.Data)
	if err != nil {
		return nil, err
	}
	return map[string]int64{"received": n}, nil
}

// namedUpload decodes a body that only names an upload ({"upload_id"}) and
// finds that upload on this port.
func (s *Server) namedUpload(body json.RawMessage) (string, *store.Upload, error) {
	var req struct {
		UploadID string `json:"upload_id"`
	}
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
	if snap.Duplicate {
		return map[string]any{"snapshot_id": snap.ID, "artifacts": arts, "duplicate": true}, nil
	}
	return map[string]any{"snapshot_id": snap.ID, "artifacts": arts}, nil
}

func (s *Server) snapshotAbort(ctx context.Context, body json.RawMessage) (any, error) {
	id, u, err := s.namedUpload(body)
	if err != nil {
		return nil, err
	}
	u.Abort()
	delete(s.uploads, id)
	return struct{}{}, nil
}

// SnapshotSummary is one row of snapshot.list.
type SnapshotSummary struct {
	ID            string    `json:"id"`
	CapturedAt    time.Time `json:"captured_at"`
	Title         string    `json:"title"`
	URL           string    `json:"url"`
	Category      string    `json:"category"`
	Trigger       string    `json:"trigger"`
	ArtifactCount int       `json:"artifact_count"`
	Bytes         int64     `json:"bytes"`
}

// maxListLimit keeps snapshot.list replies well under 1 MB; so do the
// summary caps, whatever rows older hosts stored before the field caps
// (200 × (512 + 2048) bytes, escaped, stays far below it).
const (
	maxListLimit    = 200
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
	var req struct {
		Limit    int    `json:"limit"`
		Category string `json:"category"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.Limit < 0 || req.Limit > maxListLimit {
		return nil, errorf(CodeBadRequest, "limit must be 0..%d", maxListLimit)
	}
	if req.Limit == 0 {
		req.Limit = 20
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
	out := make([]SnapshotSummary, 0, len(snaps))
	for _, sn := range snaps {
		out = append(out, SnapshotSummary{ID: sn.ID, CapturedAt: sn.CapturedAt,
			Title: truncate(sn.Title, maxSummaryTitle), URL: truncate(sn.URL, maxSummaryURL),
			Category: sn.Category, Trigger: sn.Trigger, ArtifactCount: len(sn.Artifacts), Bytes: sn.Bytes()})
	}
	return map[string]any{"snapshots": out}, nil
}

func (s *Server) eventLog(ctx context.Context, body json.RawMessage) (any, error) {
	var req struct {
		Type    string          `json:"type"`
		RuleID  string          `json:"rule_id"`
		URL     string          `json:"url"`
		At      time.Time       `json:"at"`
		Detail  json.RawMessage `json:"detail"`
		EventID string          `json:"event_id"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	// Event URLs and details are stored verbatim in the evidence log, so a
	// token in a URL (an OAuth ?code=, a key pasted in a query) stops here.
	url, _ := s.redactor().String(req.URL)
	detail, _ := s.redactor().JSON(req.Detail)
	e, err := s.store.AppendEvent(ctx, store.Event{Type: req.Type, RuleID: req.RuleID, URL: url, At: req.At,
		Detail: detail, EventID: req.EventID})
	if err != nil {
		return nil, err
	}
	if e.Duplicate {
		return map[string]any{"seq": e.Seq, "hash": e.Hash, "duplicate": true}, nil
	}
	return map[string]any{"seq": e.Seq, "hash": e.Hash}, nil
}

func (s *Server) identitySummary(ctx context.Context, body json.RawMessage) (any, error) {
	if err := decode(body, &struct{}{}); err != nil {
		return nil, err
	}
	if err := s.needStore(); err != nil {
		return nil, err
	}
	return s.store.IdentitySummary(ctx)
}
