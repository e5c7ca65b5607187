package dashboard

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ringfence/ringfence/internal/diff"
	"github.com/ringfence/ringfence/internal/evidence"
	"github.com/ringfence/ringfence/internal/importer"
	"github.com/ringfence/ringfence/internal/store"
)

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// fail maps store errors to HTTP status codes with a JSON body
// {"error": {"code", "message"}}.
func (s *Server) fail(w http.ResponseWriter, err error) {
	code, status := "storage_error", http.StatusInternalServerError
	switch {
	case errors.Is(err, store.ErrNotFound):
		code, status = "not_found", http.StatusNotFound
	case errors.Is(err, store.ErrInvalid), errors.Is(err, importer.ErrUnsupported), errors.Is(err, errBadRequest):
		code, status = "bad_request", http.StatusBadRequest
	case errors.Is(err, store.ErrTooLarge):
		code, status = "too_large", http.StatusRequestEntityTooLarge
	case errors.Is(err, store.ErrStorageFull):
		code, status = "storage_full", http.StatusInsufficientStorage
	}
	if status == http.StatusInternalServerError {
		s.cfg.Logf("%v", err)
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": err.Error()}})
}

var errBadRequest = errors.New("bad request")

func badRequest(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, a...))
}

// decodeBody reads a small JSON body (64 KiB at most).
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	if err := dec.Decode(v); err != nil {
		return badRequest("body: %v", err)
	}
	return nil
}

// Summary is one snapshot (or import) on the timeline.
type Summary struct {
	ID            string `json:"id"`
	CapturedAt    string `json:"captured_at"`
	Title         string `json:"title"`
	URL           string `json:"url"`
	Category      string `json:"category"`
	Trigger       string `json:"trigger"`
	ArtifactCount int    `json:"artifact_count"`
	Bytes         int64  `json:"bytes"`
	APIKeyCount   *int   `json:"api_key_count"`
}

func summarize(sn store.Snapshot) Summary {
	return Summary{ID: sn.ID, CapturedAt: sn.CapturedAt.UTC().Format("2006-01-02T15:04:05.000Z"), Title: sn.Title,
		URL: sn.URL, Category: sn.Category, Trigger: sn.Trigger, ArtifactCount: len(sn.Artifacts), Bytes: sn.Bytes(),
		APIKeyCount: sn.APIKeyCount}
}

// timeline lists the newest snapshots and events (default 500 each).
func (s *Server) timeline(w http.ResponseWriter, r *http.Request) {
	limit := 500
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5000 {
			s.fail(w, badRequest("limit must be 1..5000"))
			return
		}
		limit = n
	}
	ctx := r.Context()
	snaps, err := s.cfg.Store.ListSnapshots(ctx, store.Filter{Limit: limit})
	if err != nil {
		s.fail(w, err)
		return
	}
	st, err := s.cfg.Store.Stats(ctx)
	if err != nil {
		s.fail(w, err)
		return
	}
	events, err := s.cfg.Store.EventsSince(ctx, max(0, st.Events-int64(limit)), limit)
	if err != nil {
		s.fail(w, err)
		return
	}
	out := make([]Summary, 0, len(snaps))
	for _, sn := range snaps {
		out = append(out, summarize(sn))
	}
	slices.Reverse(events)
	writeJSON(w, http.StatusOK, map[string]any{"snapshots": out, "events": events, "stats": st})
}

func (s *Server) snapshot(w http.ResponseWriter, r *http.Request) {
	sn, err := s.cfg.Store.GetSnapshot(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sn)
}

func (s *Server) deleteSnapshot(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength > 0 {
		if err := decodeBody(r, &req); err != nil {
			s.fail(w, err)
			return
		}
	}
	reason, _ := s.redact.String(req.Reason)
	d, err := s.cfg.Store.DeleteSnapshot(r.Context(), r.PathValue("id"), "dashboard", reason)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// artifactCSP keeps any artifact opened directly inert: no script, no
// requests, its own opaque origin.
const artifactCSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"

// inlineTypes are shown in the page; everything else is plain text or a
// download, never HTML the browser would render with this origin.
var inlineTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

func (s *Server) openArtifact(w http.ResponseWriter, r *http.Request) (store.ArtifactInfo, io.ReadCloser, bool) {
	id, name := r.PathValue("id"), r.PathValue("name")
	sn, err := s.cfg.Store.GetSnapshot(r.Context(), id)
	if err != nil {
		s.fail(w, err)
		return store.ArtifactInfo{}, nil, false
	}
	i := slices.IndexFunc(sn.Artifacts, func(a store.ArtifactInfo) bool { return a.Name == name })
	if i < 0 {
		s.fail(w, fmt.Errorf("artifact %q of snapshot %q: %w", name, id, store.ErrNotFound))
		return store.ArtifactInfo{}, nil, false
	}
	rc, err := s.cfg.Store.OpenArtifact(r.Context(), id, name)
	if err != nil {
		s.fail(w, err)
		return store.ArtifactInfo{}, nil, false
	}
	return sn.Artifacts[i], rc, true
}

func (s *Server) artifact(w http.ResponseWriter, r *http.Request) {
	a, rc, ok := s.openArtifact(w, r)
	if !ok {
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Security-Policy", artifactCSP)
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	mt, _, _ := mime.ParseMediaType(a.MIME)
	switch {
	case r.URL.Query().Get("download") != "":
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": r.PathValue("id") + "-" + a.Name}))
	case inlineTypes[mt]:
		h.Set("Content-Type", mt)
	case strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "message/rfc822":
		h.Set("Content-Type", "text/plain; charset=utf-8")
	default:
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": r.PathValue("id") + "-" + a.Name}))
	}
	io.Copy(w, rc)
}

// domView serves the sanitized DOM for the sandboxed iframe: rendered as
// HTML, but in an opaque origin with no script and no network at all.
func (s *Server) domView(w http.ResponseWriter, r *http.Request) {
	r.SetPathValue("name", "dom.html")
	a, rc, ok := s.openArtifact(w, r)
	if !ok {
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Security-Policy", artifactCSP+"; frame-ancestors 'self'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	io.Copy(w, rc)
}

func (s *Server) previous(w http.ResponseWriter, r *http.Request) {
	sn, err := s.cfg.Store.GetSnapshot(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	prev, err := s.cfg.Store.PreviousOfPage(r.Context(), sn)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, summarize(prev))
}

// diff compares ?a= (older) with ?b=; without a, b's previous snapshot of
// the same page.
func (s *Server) diff(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	aID, bID := r.URL.Query().Get("a"), r.URL.Query().Get("b")
	if bID == "" {
		s.fail(w, badRequest("b (a snapshot id) is required"))
		return
	}
	if aID == "" {
		b, err := s.cfg.Store.GetSnapshot(ctx, bID)
		if err != nil {
			s.fail(w, err)
			return
		}
		a, err := s.cfg.Store.PreviousOfPage(ctx, b)
		if err != nil {
			s.fail(w, err)
			return
		}
		aID = a.ID
	}
	res, err := Compare(ctx, s.cfg.Store, aID, bID)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// Compare loads two snapshots' settings.json and text.txt and diffs them;
// `ringfence diff` uses it too.
func Compare(ctx context.Context, st *store.Store, aID, bID string) (diff.Result, error) {
	side := func(id string) (diff.Side, error) {
		sn, err := st.GetSnapshot(ctx, id)
		if err != nil {
			return diff.Side{}, err
		}
		sd := diff.Side{ID: sn.ID}
		for _, a := range sn.Artifacts {
			var dst *[]byte
			switch a.Name {
			case "settings.json":
				dst = &sd.Settings
			case "text.txt":
				dst = &sd.Text
			default:
				continue
			}
			rc, err := st.OpenArtifact(ctx, id, a.Name)
			if err != nil {
				return sd, err
			}
			b, err := io.ReadAll(io.LimitReader(rc, 32<<20))
			rc.Close()
			if err != nil {
				return sd, fmt.Errorf("read %s of %s: %w", a.Name, id, err)
			}
			*dst = b
		}
		return sd, nil
	}
	a, err := side(aID)
	if err != nil {
		return diff.Result{}, err
	}
	b, err := side(bID)
	if err != nil {
		return diff.Result{}, err
	}
	return diff.Compare(a, b)
}

func (s *Server) notes(w http.ResponseWriter, r *http.Request) {
	n, err := s.cfg.Store.Notes(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"notes": n})
}

func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text       string `json:"text"`
		About      string `json:"about"`
		SnapshotID string `json:"snapshot_id"`
	}
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, err)
		return
	}
	// Notes go into the evidence log verbatim: a key pasted into one stops here.
	text, _ := s.redact.String(req.Text)
	about, _ := s.redact.String(req.About)
	n, err := s.cfg.Store.AddNote(r.Context(), store.Note{Text: text, About: about, SnapshotID: req.SnapshotID})
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, n)
}

// importFile takes multipart/form-data with one or more "file" parts (the
// drag-and-drop) and stores each as an import.
func (s *Server) importFile(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, importer.MaxFile+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, badRequest("send the files as multipart/form-data: %v", err))
		return
	}
	var out []map[string]any
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.fail(w, badRequest("reading the upload: %v", err))
			return
		}
		if p.FormName() != "file" || p.FileName() == "" {
			p.Close()
			continue
		}
		data, err := io.ReadAll(io.LimitReader(p, importer.MaxFile+1))
		p.Close()
		if err != nil {
			s.fail(w, badRequest("reading %s: %v", p.FileName(), err))
			return
		}
		snap, info, err := Import(r.Context(), s.cfg.Store, p.FileName(), data, s.redact)
		if err != nil {
			s.fail(w, err)
			return
		}
		out = append(out, map[string]any{"id": snap.ID, "title": snap.Title, "category": snap.Category, "info": info})
	}
	if len(out) == 0 {
		s.fail(w, badRequest("no file in the upload"))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"imported": out})
}

func (s *Server) keys(w http.ResponseWriter, r *http.Request) {
	keys, err := s.cfg.Store.APIKeys(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	sum, err := s.cfg.Store.KeyInventorySummary(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys, "summary": sum, "rotations": store.Rotations})
}

func (s *Server) updateKey(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Key        string   `json:"key"`
		Dependents []string `json:"dependents"`
		Rotation   string   `json:"rotation"`
	}
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, err)
		return
	}
	for i, d := range req.Dependents {
		req.Dependents[i], _ = s.redact.String(d)
	}
	k, err := s.cfg.Store.UpdateAPIKey(r.Context(), req.Key, req.Dependents, req.Rotation)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, k)
}

func (s *Server) identity(w http.ResponseWriter, r *http.Request) {
	id, err := s.cfg.Store.IdentitySummary(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, id)
}

// jobs are exports running in the background; Serve cancels and waits for
// them on shutdown.
type jobs struct {
	mu   sync.Mutex
	next int
	wg   sync.WaitGroup
}

func (j *jobs) start(fn func(id string)) string {
	j.mu.Lock()
	j.next++
	id := "x" + strconv.Itoa(j.next)
	j.mu.Unlock()
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		fn(id)
	}()
	return id
}

func (j *jobs) wait() { j.wg.Wait() }

// export starts writing a kit; progress, the result or the failure arrive
// over the websocket as export.progress / export.done / export.failed.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Format      string   `json:"format"`
		SnapshotIDs []string `json:"snapshot_ids"`
		Categories  []string `json:"categories"`
	}
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, err)
		return
	}
	if req.Format == "" {
		req.Format = evidence.FormatZip
	}
	if req.Format != evidence.FormatZip && req.Format != evidence.FormatWACZ {
		s.fail(w, badRequest("format must be zip or wacz"))
		return
	}
	if s.cfg.SigningKey == nil || s.cfg.ExportDir == "" {
		s.fail(w, errors.New("export is not configured"))
		return
	}
	key, err := s.cfg.SigningKey(r.Context())
	if err != nil {
		s.fail(w, fmt.Errorf("signing key: %w", err))
		return
	}
	if err := os.MkdirAll(s.cfg.ExportDir, 0o700); err != nil {
		s.fail(w, fmt.Errorf("export folder: %w", err))
		return
	}
	ctx := s.baseContext() // outlives the request, ends with the server
	id := s.jobs.start(func(id string) {
		opts := evidence.Options{Filter: evidence.Filter{IDs: req.SnapshotIDs, Categories: req.Categories},
			SigningKey: key, HostVersion: s.cfg.HostVersion, TempDir: s.cfg.ExportDir,
			Progress: evidence.Throttle(func(done, total int, stage string) {
				s.send(map[string]any{"type": "export.progress", "job": id, "done": done, "total": total, "stage": stage})
			}, 100*time.Millisecond)}
		path, res, err := evidence.ExportNew(ctx, evidence.StoreSource{Store: s.cfg.Store}, s.cfg.ExportDir, req.Format, time.Now(), opts)
		if err != nil {
			s.send(map[string]any{"type": "export.failed", "job": id, "error": err.Error()})
			return
		}
		size := int64(0)
		if st, err := os.Stat(path); err == nil {
			size = st.Size()
		}
		s.send(map[string]any{"type": "export.done", "job": id, "file": filepath.Base(path), "path": path, "bytes": size,
			"snapshots": res.Snapshots, "events": res.Events, "files": res.Files, "fingerprint": res.Fingerprint})
	})
	writeJSON(w, http.StatusAccepted, map[string]any{"job": id})
}

// kitName is what ExportNew names a kit: ringfence-evidence-YYYY-MM-DD[-N].zip|wacz.
func kitName(name string) bool {
	rest, ok := strings.CutPrefix(name, "ringfence-evidence-")
	if !ok || strings.ContainsAny(name, "/\\") {
		return false
	}
	ext := filepath.Ext(rest)
	if ext != ".zip" && ext != ".wacz" {
		return false
	}
	for _, c := range strings.TrimSuffix(rest, ext) {
		if !(c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !kitName(name) || s.cfg.ExportDir == "" {
		s.fail(w, fmt.Errorf("kit %q: %w", name, store.ErrNotFound))
		return
	}
	f, err := os.Open(filepath.Join(s.cfg.ExportDir, name))
	if err != nil {
		s.fail(w, fmt.Errorf("kit %q: %w", name, store.ErrNotFound))
		return
	}
	defer f.Close()
	w.Header().Set("Content-Security-Policy", artifactCSP)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	io.Copy(w, f)
}

// maxKitUpload bounds a kit uploaded for verification.
const maxKitUpload = 4 << 30

// FileResult is one file of a verified kit.
type FileResult struct {
	Path     string   `json:"path"`
	Size     uint64   `json:"size"`
	OK       bool     `json:"ok"`
	Problems []string `json:"problems"`
}

// verify checks a kit sent as the raw request body and reports per file.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	if s.cfg.ExportDir == "" {
		s.fail(w, errors.New("verify is not configured"))
		return
	}
	if err := os.MkdirAll(s.cfg.ExportDir, 0o700); err != nil {
		s.fail(w, fmt.Errorf("export folder: %w", err))
		return
	}
	tmp, err := os.CreateTemp(s.cfg.ExportDir, "verify-*.part")
	if err != nil {
		s.fail(w, err)
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, http.MaxBytesReader(w, r.Body, maxKitUpload))
	if err != nil {
		s.fail(w, badRequest("reading the kit: %v", err))
		return
	}
	s.send(map[string]any{"type": "verify.progress", "stage": "received", "bytes": n})
	v, kind, err := evidence.Verify(r.Context(), tmp, n)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": err.Error(), "files": []FileResult{}})
		return
	}
	byFile := map[string][]string{}
	for _, p := range v.Problems {
		byFile[p.File] = append(byFile[p.File], p.Message)
	}
	files := []FileResult{}
	if zr, err := zip.NewReader(tmp, n); err == nil {
		for _, f := range zr.File {
			probs := byFile[f.Name]
			delete(byFile, f.Name)
			files = append(files, FileResult{Path: f.Name, Size: f.UncompressedSize64, OK: len(probs) == 0, Problems: orEmpty(probs)})
		}
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range byFile {
			if !yield(k) {
				return
			}
		}
	}) {
		files = append(files, FileResult{Path: name, OK: false, Problems: byFile[name]})
	}
	if v.Problems == nil {
		v.Problems = []evidence.Problem{}
	}
	s.send(map[string]any{"type": "verify.progress", "stage": "checked", "bytes": n})
	writeJSON(w, http.StatusOK, map[string]any{"ok": v.OK(), "kind": kind, "verification": v, "files": files})
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
