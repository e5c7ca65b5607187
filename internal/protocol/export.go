package protocol

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/evidence"
	"github.com/ringfence/ringfence/internal/nativemsg"
	"github.com/ringfence/ringfence/internal/platform"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
	"github.com/ringfence/ringfence/internal/version"
)

// ExportConfig is what the `export` message needs beyond the store.
type ExportConfig struct {
	// SigningKey returns the kit's Ed25519 key (keys.Ring.SigningKey).
	SigningKey func(context.Context) (ed25519.PrivateKey, error)
	// Getenv locates the default folder (the user's Downloads).
	Getenv func(string) string
	// Progress receives progress frames for the request in flight; nil
	// sends none. Serve writes nothing while a handler runs, so sharing
	// the port's writer is safe.
	Progress io.Writer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// EnableExport registers the `export` message type (docs/protocol.md).
func (s *Server) EnableExport(cfg ExportConfig) {
	s.routes[spec.MsgExport] = func(ctx context.Context, body json.RawMessage) (any, error) {
		return s.export(ctx, cfg, body)
	}
}

type requestIDKey struct{}

// withRequestID lets a long handler address progress frames to its request.
func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func (s *Server) export(ctx context.Context, cfg ExportConfig, body json.RawMessage) (any, error) {
	if err := s.needStore(); err != nil {
		return nil, err
	}
	var req spec.ExportRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.Format == "" {
		req.Format = evidence.FormatZip
	}
	if req.Format != evidence.FormatZip && req.Format != evidence.FormatWACZ {
		return nil, errorf(spec.CodeBadRequest, "format must be zip or wacz, not %q", req.Format)
	}
	f := evidence.Filter{Categories: req.Categories, IDs: req.SnapshotIDs}
	for _, c := range req.Categories {
		if !slices.Contains(spec.Categories, c) {
			return nil, errorf(spec.CodeBadRequest, "category %q is not one of %s", c, strings.Join(spec.Categories, ", "))
		}
	}
	var err error
	if f.Since, err = store.ParseBound(req.Since); err != nil {
		return nil, errorf(spec.CodeBadRequest, "since: %v", err)
	}
	if f.Until, err = store.ParseBound(req.Until); err != nil {
		return nil, errorf(spec.CodeBadRequest, "until: %v", err)
	}
	dir := req.Dir
	if dir == "" {
		dir = platform.Downloads(cfg.Getenv, runtime.GOOS)
		if dir == "" {
			return nil, errorf(spec.CodeBadRequest, "no Downloads folder found; set an export folder in the options")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, errorf(spec.CodeStorageError, "create %s: %v", dir, err)
		}
	}
	if !filepath.IsAbs(dir) {
		return nil, errorf(spec.CodeBadRequest, "dir %q must be an absolute path", dir)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, errorf(spec.CodeBadRequest, "dir %q is not an existing folder", dir)
	}
	if cfg.SigningKey == nil {
		return nil, errorf(spec.CodeInternal, "export has no signing key")
	}
	key, err := cfg.SigningKey(ctx)
	if err != nil {
		return nil, errorf(spec.CodeStorageError, "signing key: %v", err)
	}
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	opts, err := evidence.WithStaging(s.store, evidence.Options{Filter: f, SigningKey: key, HostVersion: version.Version, Lang: req.Lang})
	if err != nil {
		return nil, errorf(spec.CodeStorageError, "export: %v", err)
	}
	if id := requestID(ctx); cfg.Progress != nil && id != "" {
		opts.Progress = progressFrames(cfg.Progress, id)
	}
	path, res, err := evidence.ExportNew(ctx, evidence.StoreSource{Store: s.store}, dir, req.Format, now(), opts)
	if errors.Is(err, evidence.ErrEmpty) {
		return nil, errorf(spec.CodeBadRequest, "no snapshot matches the selection; nothing was written")
	}
	var unknown *evidence.UnknownIDsError
	if errors.As(err, &unknown) {
		return nil, errorf(spec.CodeBadRequest, "%v; nothing was written", err)
	}
	if err != nil {
		return nil, errorf(spec.CodeStorageError, "export: %v", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, errorf(spec.CodeStorageError, "export: %v", err)
	}
	return spec.ExportReply{Path: path, Format: req.Format, Bytes: st.Size(), Snapshots: res.Snapshots,
		Events: res.Events, Files: res.Files, Fingerprint: res.Fingerprint}, nil
}

// progressFrames writes `{"id","progress":{done,total,stage}}` frames, at
// most about ten a second plus the last of each stage, so a large export
// does not flood the port.
func progressFrames(w io.Writer, id string) evidence.Progress {
	return evidence.Throttle(func(done, total int, stage string) {
		b, err := json.Marshal(struct {
			ID       string        `json:"id"`
			Progress spec.Progress `json:"progress"`
		}{id, spec.Progress{Done: done, Total: total, Stage: stage}})
		if err == nil {
			_ = nativemsg.Write(w, b)
		}
	}, 100*time.Millisecond)
}
