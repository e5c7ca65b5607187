package protocol

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/nativemsg"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

func newStore(t testing.TB, opt store.Options) *store.Store {
	t.Helper()
	st, err := store.OpenWith(context.Background(), filepath.Join(t.TempDir(), "ringfence.db"), bytes.Repeat([]byte{7}, 32), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var testKeys = keys.Status{Backend: "secret-service", OK: true}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func metaJSON() map[string]any {
	return map[string]any{"url": "https://platform.openai.com/api-keys", "captured_at": "2026-11-30T10:02:03.456Z",
		"tz_offset_minutes": 60, "trigger": "button", "browser": "Chromium", "browser_version": "156.0",
		"extension_version": "0.1.0", "viewport": map[string]int{"width": 1280, "height": 800},
		"device_pixel_ratio": 1, "language": "en-US", "category": "api_dashboard", "title": "API keys",
		"redactions": []map[string]any{{"rule": "openai_key", "artifact": "dom.html", "count": 2}}}
}

// call sends one request through Handle and decodes the reply.
func call(t *testing.T, s *Server, typ string, body any) ReplyOf {
	t.Helper()
	frame, _ := json.Marshal(map[string]any{"id": "t1", "type": typ, "body": body})
	return decodeReply(t, s.Handle(context.Background(), frame))
}

func decodeReply(t testing.TB, b []byte) ReplyOf {
	t.Helper()
	if len(b) > nativemsg.MaxOutgoing {
		t.Fatalf("reply of %d bytes", len(b))
	}
	var r ReplyOf
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("reply is not JSON: %v: %s", err, b)
	}
	return r
}

// begin opens an upload of one settings.json holding data; it returns the
// upload's id.
func begin(t *testing.T, s *Server, data []byte) string {
	t.Helper()
	return beginMeta(t, s, metaJSON(), data)
}

// beginMeta is begin with the snapshot's meta given.
func beginMeta(t *testing.T, s *Server, meta map[string]any, data []byte) string {
	t.Helper()
	r := call(t, s, "snapshot.begin", map[string]any{"meta": meta, "artifacts": []map[string]any{
		{"name": "settings.json", "mime": "application/json", "size": len(data), "sha256": sum(data)}}})
	if !r.OK {
		t.Fatalf("begin: %+v", r.Error)
	}
	var b struct {
		UploadID string `json:"upload_id"`
	}
	json.Unmarshal(r.Body, &b)
	return b.UploadID
}

// TestEveryType exercises each message type's success path.
func TestEveryType(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	settings := []byte(`{"api_keys":[{"name":"prod"},{"name":"ci"}],"toggles":[]}`)
	var uploadID, auditID string
	tests := []struct {
		typ   string
		body  func() any
		check func(t *testing.T, body json.RawMessage)
	}{
		{"hello", func() any { return map[string]any{"extension_version": "0.1.0"} }, func(t *testing.T, b json.RawMessage) {
			var h struct {
				HostVersion     string      `json:"host_version"`
				ProtocolVersion int         `json:"protocol_version"`
				Capabilities    []string    `json:"capabilities"`
				Keyring         keys.Status `json:"keyring"`
				Store           struct {
					Snapshots int    `json:"snapshots"`
					Path      string `json:"path"`
					DiskBytes int64  `json:"disk_bytes"`
				} `json:"store"`
				Limits struct {
					MaxReply int `json:"max_reply"`
				} `json:"limits"`
			}
			json.Unmarshal(b, &h)
			if h.ProtocolVersion != 1 || h.HostVersion == "" || len(h.Capabilities) == 0 || h.Keyring.Backend != "secret-service" ||
				h.Store.Path == "" || h.Store.DiskBytes <= 0 || h.Limits.MaxReply != nativemsg.MaxOutgoing {
				t.Errorf("hello: %s", b)
			}
		}},
		{"snapshot.begin", func() any {
			return map[string]any{"meta": metaJSON(), "artifacts": []map[string]any{
				{"name": "settings.json", "mime": "application/json", "size": len(settings), "sha256": sum(settings)}}}
		}, func(t *testing.T, b json.RawMessage) {
			var r struct {
				UploadID  string `json:"upload_id"`
				ChunkSize int    `json:"chunk_size"`
			}
			json.Unmarshal(b, &r)
			if r.UploadID == "" || r.ChunkSize != ChunkSize {
				t.Errorf("begin: %s", b)
			}
			uploadID = r.UploadID
		}},
		{"snapshot.chunk", func() any {
			return map[string]any{"upload_id": uploadID, "artifact": "settings.json", "offset": 0, "data": settings}
		}, func(t *testing.T, b json.RawMessage) {
			if string(b) != fmt.Sprintf(`{"received":%d}`, len(settings)) {
				t.Errorf("chunk: %s", b)
			}
		}},
		{"snapshot.commit", func() any { return map[string]any{"upload_id": uploadID} }, func(t *testing.T, b json.RawMessage) {
			var r CommitResult
			json.Unmarshal(b, &r)
			if !strings.HasPrefix(r.SnapshotID, "20261130T100203Z-") || len(r.Artifacts) != 1 || r.Artifacts[0].SHA256 != sum(settings) {
				t.Errorf("commit: %s", b)
			}
		}},
		{"snapshot.abort", func() any {
			return map[string]any{"upload_id": begin(t, s, settings)}
		}, func(t *testing.T, b json.RawMessage) {
			if string(b) != `{}` {
				t.Errorf("abort: %s", b)
			}
		}},
		{"snapshot.list", func() any { return map[string]any{"limit": 5} }, func(t *testing.T, b json.RawMessage) {
			var r struct{ Snapshots []spec.SnapshotSummary }
			json.Unmarshal(b, &r)
			if len(r.Snapshots) != 1 || r.Snapshots[0].Title != "API keys" || r.Snapshots[0].Bytes != int64(len(settings)) {
				t.Errorf("list: %s", b)
			}
		}},
		{"event.log", func() any {
			return map[string]any{"type": "warning.shown", "rule_id": "platform.revoke-key", "url": "https://platform.openai.com/api-keys",
				"at": "2026-11-30T10:02:04.000Z", "detail": map[string]any{"lang": "en"}}
		}, func(t *testing.T, b json.RawMessage) {
			var r struct {
				Seq  int64  `json:"seq"`
				Hash string `json:"hash"`
			}
			json.Unmarshal(b, &r)
			if r.Seq != 1 || len(r.Hash) != 64 {
				t.Errorf("event.log: %s", b)
			}
		}},
		{"identity.summary", func() any { return map[string]any{} }, func(t *testing.T, b json.RawMessage) {
			var r store.Identity
			json.Unmarshal(b, &r)
			if r.Snapshots != 1 || r.APIKeys == nil || r.APIKeys.Count != 2 || r.Categories["api_dashboard"].SnapshotID == "" {
				t.Errorf("identity.summary: %s", b)
			}
		}},
		{"audit.begin", func() any { return map[string]any{"scheduled": true} }, func(t *testing.T, b json.RawMessage) {
			var r spec.AuditBeginReply
			json.Unmarshal(b, &r)
			if r.AuditID == "" || r.PreviousID != nil || r.StartedAt.IsZero() {
				t.Errorf("audit.begin: %s", b)
			}
			auditID = r.AuditID
		}},
		{"audit.step", func() any {
			return map[string]any{"audit_id": auditID, "step": map[string]any{"step_id": "privacy.portal", "title": "Privacy portal",
				"url": "https://privacy.openai.com/policies", "final_url": "https://privacy.openai.com/login", "status": "skipped",
				"at": "2026-11-30T10:02:05.000Z"}}
		}, func(t *testing.T, b json.RawMessage) {
			if string(b) != `{"steps":1}` {
				t.Errorf("audit.step: %s", b)
			}
		}},
		{"audit.finish", func() any { return map[string]any{"audit_id": auditID} }, func(t *testing.T, b json.RawMessage) {
			var r spec.AuditFinishReply
			json.Unmarshal(b, &r)
			if r.Audit.AuditID != auditID || r.Audit.Status != "completed" || len(r.Audit.Steps) != 1 || len(r.Audit.Actions) != 1 {
				t.Errorf("audit.finish: %s", b)
			}
		}},
		{"audit.show", func() any { return map[string]any{"audit_id": auditID} }, func(t *testing.T, b json.RawMessage) {
			var r spec.AuditShowReply
			json.Unmarshal(b, &r)
			if r.Audit == nil || r.Audit.AuditID != auditID || !r.Audit.Scheduled || r.Audit.Steps[0].Status != "skipped" {
				t.Errorf("audit.show: %s", b)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			r := call(t, s, tt.typ, tt.body())
			if !r.OK || r.ID != "t1" || r.Error != nil {
				t.Fatalf("%s: %+v", tt.typ, r.Error)
			}
			tt.check(t, r.Body)
		})
	}
	// Every type has a row above (export has its own tests, export_test.go).
	var tested []string
	for _, tt := range tests {
		tested = append(tested, tt.typ)
	}
	slices.Sort(tested)
	tested = slices.Compact(tested)
	if !slices.Equal(tested, s.Types()) {
		t.Errorf("types tested %v, types served %v", tested, s.Types())
	}
	s.EnableExport(ExportConfig{})
	if !slices.Contains(s.Types(), "export") {
		t.Errorf("EnableExport did not add export: %v", s.Types())
	}
}

// TestEveryErrorCode provokes each stable code through the dispatcher.
func TestEveryErrorCode(t *testing.T) {
	data := []byte(`{"api_keys":[]}`)
	tests := []struct {
		code string
		run  func(t *testing.T) ReplyOf
	}{
		{spec.CodeBadJSON, func(t *testing.T) ReplyOf {
			return decodeReply(t, NewServer(newStore(t, store.Options{}), nil, testKeys).Handle(context.Background(), []byte("\xff{not json")))
		}},
		{spec.CodeBadRequest, func(t *testing.T) ReplyOf {
			return call(t, NewServer(newStore(t, store.Options{}), nil, testKeys), "snapshot.begin", map[string]any{"artifacts": []any{}})
		}},
		{spec.CodeUnknownType, func(t *testing.T) ReplyOf {
			return call(t, NewServer(newStore(t, store.Options{}), nil, testKeys), "snapshot.delete", nil)
		}},
		{spec.CodeTooLarge, func(t *testing.T) ReplyOf {
			return call(t, NewServer(newStore(t, store.Options{}), nil, testKeys), "snapshot.begin", map[string]any{"meta": metaJSON(),
				"artifacts": []map[string]any{{"name": "huge.bin", "mime": "x/y", "size": store.MaxArtifactSize + 1, "sha256": sum(nil)}}})
		}},
		{spec.CodeTooLarge, func(t *testing.T) ReplyOf { // too many open uploads on one port
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			for i := 0; i < maxOpenUploads; i++ {
				begin(t, s, data)
			}
			return call(t, s, "snapshot.begin", map[string]any{"meta": metaJSON(), "artifacts": []any{}})
		}},
		{spec.CodeReplyTooLarge, func(t *testing.T) ReplyOf {
			// No built-in reply can reach the limit any more (field caps,
			// list summaries cut), so a test handler answers too much.
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			s.routes["big"] = func(context.Context, json.RawMessage) (any, error) {
				return strings.Repeat("t", nativemsg.MaxOutgoing), nil
			}
			return call(t, s, "big", nil)
		}},
		{spec.CodeForbiddenCaller, func(t *testing.T) ReplyOf { return decodeReply(t, Forbidden("evil@example.com")) }},
		{spec.CodeUnknownUpload, func(t *testing.T) ReplyOf {
			return call(t, NewServer(newStore(t, store.Options{}), nil, testKeys), "snapshot.chunk",
				map[string]any{"upload_id": "u-99", "artifact": "a", "offset": 0, "data": ""})
		}},
		{spec.CodeUnknownAudit, func(t *testing.T) ReplyOf {
			return call(t, NewServer(newStore(t, store.Options{}), nil, testKeys), "audit.finish", map[string]any{"audit_id": "a-20261130T100203Z-00000000"})
		}},
		{spec.CodeAuditClosed, func(t *testing.T) ReplyOf {
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			r := call(t, s, "audit.begin", nil)
			var b spec.AuditBeginReply
			json.Unmarshal(r.Body, &b)
			call(t, s, "audit.begin", nil) // abandons the first
			return call(t, s, "audit.finish", map[string]any{"audit_id": b.AuditID})
		}},
		{spec.CodeUnknownSnapshot, func(t *testing.T) ReplyOf {
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			return beginAmend(t, s, "20261130T100203Z-00000000", metaJSON(), "fullpage.png", data)
		}},
		{spec.CodeArtifactExists, func(t *testing.T) ReplyOf {
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			first := upload(t, s, metaJSON(), data)
			return beginAmend(t, s, first.SnapshotID, metaJSON(), "settings.json", []byte("{}"))
		}},
		{spec.CodeNotAmendable, func(t *testing.T) ReplyOf {
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			imp, err := s.store.SaveImport(context.Background(), store.Snapshot{URL: "import:mail.eml", CapturedAt: time.Now()},
				map[string]io.Reader{"mail.eml": strings.NewReader("Subject: hi")}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return beginAmend(t, s, imp.ID, metaJSON(), "fullpage.png", data)
		}},
		{spec.CodeCaptureMismatch, func(t *testing.T) ReplyOf {
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			first := upload(t, s, with(metaJSON(), "capture_id", "6a1b2c3d-0000-4000-8000-000000000003"), data)
			return beginAmend(t, s, first.SnapshotID, metaJSON(), "fullpage.png", data)
		}},
		{spec.CodeOutOfOrder, func(t *testing.T) ReplyOf {
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			id := begin(t, s, data)
			return call(t, s, "snapshot.chunk", map[string]any{"upload_id": id, "artifact": "settings.json", "offset": 4, "data": data})
		}},
		{spec.CodeSizeMismatch, func(t *testing.T) ReplyOf {
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			id := begin(t, s, data)
			call(t, s, "snapshot.chunk", map[string]any{"upload_id": id, "artifact": "settings.json", "offset": 0, "data": data[:3]})
			return call(t, s, "snapshot.commit", map[string]any{"upload_id": id})
		}},
		{spec.CodeChecksumMismatch, func(t *testing.T) ReplyOf {
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			id := begin(t, s, data)
			call(t, s, "snapshot.chunk", map[string]any{"upload_id": id, "artifact": "settings.json", "offset": 0, "data": bytes.ToUpper(data)})
			return call(t, s, "snapshot.commit", map[string]any{"upload_id": id})
		}},
		{spec.CodeStorageFull, func(t *testing.T) ReplyOf {
			s := NewServer(newStore(t, store.Options{MaxBytes: 256 << 10}), nil, testKeys)
			big := make([]byte, 1<<20)
			rand.Read(big)
			big = []byte(hex.EncodeToString(big)) // 2 MiB that deflates to ~1 MiB, over the 256 KiB cap
			id := begin(t, s, big)
			for off := 0; off < len(big); off += ChunkSize {
				end := min(off+ChunkSize, len(big))
				call(t, s, "snapshot.chunk", map[string]any{"upload_id": id, "artifact": "settings.json", "offset": off, "data": big[off:end]})
			}
			return call(t, s, "snapshot.commit", map[string]any{"upload_id": id})
		}},
		{spec.CodeStorageError, func(t *testing.T) ReplyOf {
			return call(t, NewServer(nil, errors.New("disk unplugged"), testKeys), "snapshot.list", nil)
		}},
		{spec.CodeInternal, func(t *testing.T) ReplyOf {
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			s.routes["boom"] = func(context.Context, json.RawMessage) (any, error) { panic("boom") }
			return call(t, s, "boom", nil)
		}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.code] = true
		t.Run(tt.code, func(t *testing.T) {
			r := tt.run(t)
			if r.OK || r.Error == nil || r.Error.Code != tt.code || r.Error.Message == "" {
				t.Fatalf("got ok=%v error=%+v, want code %s", r.OK, r.Error, tt.code)
			}
		})
	}
	for _, c := range spec.ErrorCodes {
		if !seen[c] {
			t.Errorf("no test provokes %s", c)
		}
	}
}

func TestBadRequestBodies(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	tests := []struct {
		typ  string
		body any
	}{
		{"hello", "a string"},
		{"snapshot.begin", map[string]any{"meta": map[string]any{"url": "x", "captured_at": "yesterday"}}},
		{"snapshot.begin", map[string]any{"meta": metaJSON(), "artifacts": []map[string]any{{"name": "../x", "mime": "a/b", "size": 1, "sha256": sum(nil)}}}},
		{"snapshot.chunk", map[string]any{"upload_id": begin(t, s, []byte("x")), "artifact": "settings.json", "data": "eA=="}}, // no offset
		{"snapshot.chunk", map[string]any{"upload_id": begin(t, s, []byte("x")), "artifact": "settings.json", "offset": 0, "data": "!!"}},
		{"snapshot.chunk", map[string]any{"upload_id": begin(t, s, []byte("x")), "artifact": "settings.json", "offset": 0, "data": "eA==", "text": "x"}},
		{"snapshot.list", map[string]any{"limit": 100000}},
		{"event.log", map[string]any{"type": "DROP TABLE"}},
		{"identity.summary", []int{1}},
	}
	for _, tt := range tests {
		r := call(t, s, tt.typ, tt.body)
		if r.OK || r.Error.Code != spec.CodeBadRequest {
			t.Errorf("%s %v: %+v", tt.typ, tt.body, r.Error)
		}
	}
}

// session feeds frames to Serve through a pipe that moves one byte per
// Read, and collects the replies.
func TestServeOverPipeOneByteAtATime(t *testing.T) {
	st := newStore(t, store.Options{})
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- NewServer(st, nil, testKeys).Serve(context.Background(), iotest.OneByteReader(inR), outW)
	}()
	c := NewClient(inW, iotest.OneByteReader(outR))
	if err := c.Must("hello", nil, nil); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 100_000) // 1.6 MB in several chunks
	res, err := c.UploadSnapshot(context.Background(), metaJSON(), []Artifact{{"dom.html", "text/html", big}, {"settings.json", "application/json", []byte(`{}`)}}, 300_000)
	if err != nil {
		t.Fatal(err)
	}
	inW.Close()
	if err := <-done; err != nil {
		t.Fatalf("Serve after clean EOF: %v", err)
	}
	r, err := st.OpenArtifact(context.Background(), res.SnapshotID, "dom.html")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	if !bytes.Equal(got, big) {
		t.Error("dom.html is not byte-identical")
	}
}

func TestServeFramingErrors(t *testing.T) {
	hdr := func(n uint32) []byte { return []byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)} }
	tests := []struct {
		name      string
		input     []byte
		wantErr   bool
		wantReply string // error code of the one reply, "" for none
	}{
		{"clean EOF", nil, false, ""},
		{"oversize", hdr(nativemsg.MaxIncoming + 1), true, spec.CodeTooLarge},
		{"zero", hdr(0), true, ""},
		{"truncated", append(hdr(100), "{}"...), true, ""},
		{"garbage", append(hdr(4), "\x00\x01\x02\x03"...), false, spec.CodeBadJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := NewServer(newStore(t, store.Options{}), nil, testKeys).Serve(context.Background(), bytes.NewReader(tt.input), &out)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Serve: %v", err)
			}
			if tt.wantReply == "" {
				if out.Len() != 0 {
					t.Fatalf("unexpected reply %q", out.Bytes())
				}
				return
			}
			frame, err := nativemsg.Read(&out)
			if err != nil {
				t.Fatal(err)
			}
			if r := decodeReply(t, frame); r.Error == nil || r.Error.Code != tt.wantReply {
				t.Fatalf("reply %s", frame)
			}
		})
	}
}

// TestShutdownFinishesInFlight: a SIGTERM (ctx cancel) during a request
// still answers it, then Serve returns nil; an idle Serve returns at once.
func TestShutdownFinishesInFlight(t *testing.T) {
	st := newStore(t, store.Options{})
	s := NewServer(st, nil, testKeys)
	started, release := make(chan struct{}), make(chan struct{})
	s.routes["slow"] = func(ctx context.Context, _ json.RawMessage) (any, error) {
		close(started)
		<-release
		if ctx.Err() != nil {
			return nil, errors.New("the handler's context was cancelled")
		}
		return map[string]bool{"finished": true}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, inR, outW) }()
	frame, _ := json.Marshal(Request{ID: "x", Type: "slow"})
	go nativemsg.Write(inW, frame)
	<-started
	cancel()
	close(release)
	reply, err := nativemsg.Read(outR)
	if err != nil {
		t.Fatal(err)
	}
	if r := decodeReply(t, reply); !r.OK || string(r.Body) != `{"finished":true}` {
		t.Fatalf("in-flight reply: %s", reply)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}

// TestAbandonedUploadLeavesNothing: the port closes mid-upload.
func TestAbandonedUploadLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "ringfence.db"), bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var in bytes.Buffer
	data := bytes.Repeat([]byte("x"), 1000)
	for _, req := range []Request{
		{ID: "1", Type: "snapshot.begin", Body: mustJSON(map[string]any{"meta": metaJSON(), "artifacts": []map[string]any{
			{"name": "page.txt", "mime": "text/plain", "size": len(data), "sha256": sum(data)}}})},
		{ID: "2", Type: "snapshot.chunk", Body: mustJSON(map[string]any{"upload_id": "u-1", "artifact": "page.txt", "offset": 0, "data": data[:500]})},
	} {
		nativemsg.Write(&in, mustJSON(req))
	}
	var out bytes.Buffer
	if err := NewServer(st, nil, testKeys).Serve(context.Background(), &in, &out); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		frame, _ := nativemsg.Read(&out)
		if r := decodeReply(t, frame); !r.OK {
			t.Fatalf("reply %d: %s", i, frame)
		}
	}
	if list, _ := st.ListSnapshots(context.Background(), store.Filter{}); len(list) != 0 {
		t.Errorf("%d snapshots visible after an abandoned upload", len(list))
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "uploads")); len(ents) != 0 {
		t.Errorf("staging files left: %d", len(ents))
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzHandle: whatever arrives, the dispatcher answers with one valid
// envelope under 1 MB carrying a documented code, and never panics.
func FuzzHandle(f *testing.F) {
	f.Add([]byte(`{"id":"1","type":"hello"}`))
	f.Add([]byte(`{"id":"1","type":"snapshot.begin","body":{"meta":{"url":"u","captured_at":"2026-01-01T00:00:00Z","trigger":"auto"},"artifacts":[{"name":"a","mime":"b/c","size":1,"sha256":"` + strings.Repeat("0", 64) + `"}]}}`))
	f.Add([]byte(`{"id":"1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"AA=="}}`))
	f.Add([]byte(`{"id":"1","type":"snapshot.commit","body":{"upload_id":"u-1"}}`))
	f.Add([]byte(`{"id":"1","type":"event.log","body":{"type":"warning.shown","detail":{"a":[1,2]}}}`))
	f.Add([]byte(`{"id":"1","type":"snapshot.list","body":{"limit":3}}`))
	f.Add([]byte(`{"id":"1","type":"identity.summary"}`))
	f.Add([]byte(`{"id":"1","type":"audit.begin","body":{"scheduled":true}}`))
	f.Add([]byte(`{"id":"1","type":"audit.step","body":{"audit_id":"a-1","step":{"step_id":"platform.project-api-keys","project":"proj_a","url":"u","status":"skipped","at":"2026-01-01T00:00:00Z"}}}`))
	f.Add([]byte(`{"id":"1","type":"audit.finish","body":{"audit_id":"a-1"}}`))
	f.Add([]byte(`{"id":"1","type":"audit.show"}`))
	f.Add([]byte(`[]`))
	s := NewServer(newStore(f, store.Options{}), nil, testKeys)
	codes := map[string]bool{}
	for _, c := range spec.ErrorCodes {
		codes[c] = true
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		r := decodeReply(t, s.Handle(context.Background(), frame))
		if r.OK == (r.Error != nil) {
			t.Fatalf("ok=%v with error %+v", r.OK, r.Error)
		}
		if r.Error != nil && (!codes[r.Error.Code] || r.Error.Code == spec.CodeInternal) {
			t.Fatalf("code %q: %s", r.Error.Code, r.Error.Message)
		}
	})
}

// plainChunk decodes a chunk frame the slow, obviously-correct way.
func plainChunk(frame []byte) (Request, spec.SnapshotChunkRequest, error) {
	var req Request
	var c spec.SnapshotChunkRequest
	if err := json.Unmarshal(frame, &req); err != nil {
		return req, c, err
	}
	err := json.Unmarshal(req.Body, &c)
	return req, c, err
}

// chunkBytes is what the handler stores for a decoded chunk: the text's
// UTF-8 when there is text, else the data.
func chunkBytes(c spec.SnapshotChunkRequest) []byte {
	if c.Text != "" {
		return []byte(c.Text)
	}
	return c.Data
}

// sameChunk: the fast path decoded what the plain path decodes.
func sameChunk(req, preq Request, c, pc spec.SnapshotChunkRequest) bool {
	return req.ID == preq.ID && c.UploadID == pc.UploadID && c.Artifact == pc.Artifact &&
		(c.Offset == nil) == (pc.Offset == nil) && (c.Offset == nil || *c.Offset == *pc.Offset) &&
		bytes.Equal(chunkBytes(c), chunkBytes(pc)) && !(len(pc.Data) > 0 && pc.Text != "")
}

func TestFastChunkMatchesPlainPath(t *testing.T) {
	data := bytes.Repeat([]byte{0xfa, 0x01, 0x7f}, 40_000)
	b64 := base64.StdEncoding.EncodeToString(data)
	long := strings.Repeat("i", 100_000)
	// HTML as JSON.stringify sends it (quotes, backslashes, newlines,
	// control characters escaped; other UTF-8 as is), and as Chromium's
	// JSON writer does (< and U+2028 as \u escapes, upper or lower case).
	row, _ := json.Marshal("<div class=\"größe\">a\\b\n\t\x00\x7f 日本語 😀 \u2028</div>\n")
	html := strings.Repeat(string(row[1:len(row)-1]), 3000)
	chromiumEscaped := strings.Repeat(`\u003Cdiv class=\"x\"\u003e\u2028\/caf\u00e9 \u0000`, 3000)
	textFrame := func(text string) string {
		return `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"dom.html","offset":7,"text":"` + text + `"}}`
	}
	tests := []struct {
		name  string
		frame string
		fast  bool
	}{
		{"normal", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a.png","offset":0,"data":"` + b64 + `"}}`, true},
		{"fields reordered", `{"body":{"data":"` + b64 + `","offset":5,"artifact":"a.png","upload_id":"u-1"},"type":"snapshot.chunk","id":"r1"}`, true},
		{"escaped slash", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"\/` + b64[2:] + `"}}`, false},
		{"long id instead", `{"id":"` + long + `","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"AAAA"}}`, false},
		{"not a chunk", `{"id":"r1","type":"event.log","body":{"type":"x","url":"` + long + `"}}`, false},
		{"bad base64", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"` + long + `!"}}`, false},
		{"trailing garbage", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"` + b64 + `"}}x`, false},
		{"raw newline in the data (invalid JSON)", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"` + b64[:8] + "\n" + b64[8:] + `"}}`, false},
		{"raw CR LF in the data (invalid JSON)", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"` + b64[:8] + "\r\n" + b64[8:] + `"}}`, false},
		{"four raw newlines in the data (invalid JSON)", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"` + b64[:8] + "\n\n\n\n" + b64[8:] + `"}}`, false},
		{"data in nested object", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"x":{"data":"` + b64 + `"}}}`, false},
		{"escapes in a short string", `{"id":"r\/1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"` + b64 + `"}}`, true},
		{"text", textFrame(html), true},
		{"text as Chromium escapes it", textFrame(chromiumEscaped), true},
		{"text with a surrogate pair escape", textFrame(html + `\ud83d\ude00`), false},
		{"text with a lone surrogate escape", textFrame(html + `\ud83d`), false},
		{"text with invalid UTF-8", textFrame(html + "\xff"), false},
		{"text with a raw tab (invalid JSON)", textFrame(html + "\t"), false},
		{"text with a bad escape", textFrame(html + `\x41`), false},
		{"text with a short \\u escape", textFrame(html + `\u00e`), false},
		{"text and data", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"eA==","text":"` + html + `"}}`, false},
		{"text and empty data", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"","text":"` + html + `"}}`, false},
		{"text twice, the short one last", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"text":"` + html + `","text":"x"}}`, false},
		{"text keyed in capitals", `{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"TEXT":"` + html + `"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A used scratch buffer: leftovers must not leak into the data.
			scratch := bytes.Repeat([]byte{0xff}, 4096)
			req, c, ok := fastChunk([]byte(tt.frame), &scratch)
			if ok != tt.fast {
				t.Fatalf("fast path taken = %v, want %v", ok, tt.fast)
			}
			if !ok {
				return
			}
			preq, pc, err := plainChunk([]byte(tt.frame))
			if err != nil {
				t.Fatalf("the plain path rejects a frame the fast path took: %v", err)
			}
			if !sameChunk(req, preq, c, pc) {
				t.Fatalf("fast and plain paths disagree")
			}
		})
	}
}

// FuzzFastChunk: whenever the fast path accepts a frame, the plain path
// accepts it too and decodes the same values.
func FuzzFastChunk(f *testing.F) {
	b64 := base64.StdEncoding.EncodeToString([]byte("ringfence evidence"))
	f.Add([]byte(`{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"` + b64 + `"}}`))
	f.Add([]byte(`{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"` + b64 + `","data":"AA=="}}`))
	f.Add([]byte(`{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"data":"` + b64[:4] + "\n" + b64[4:] + `"}}`))
	f.Add([]byte(`{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"text":"<p class=\"x\">\u003c\ud83d\ude00 gr\u00fc\u00dfe \\ \/ \n"}}`))
	f.Add([]byte(`{"id":"r1","type":"snapshot.chunk","body":{"upload_id":"u-1","artifact":"a","offset":0,"text":"ringfence \xff\xfe evidence"}}`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		scratch := bytes.Repeat([]byte{0xff}, 24) // reused when the data fits
		req, c, ok := fastChunkAt(frame, 16, &scratch)
		if !ok {
			return
		}
		preq, pc, err := plainChunk(frame)
		if err != nil {
			t.Fatalf("plain path rejects: %v", err)
		}
		if !sameChunk(req, preq, c, pc) {
			t.Fatal("fast and plain paths disagree")
		}
	})
}

// TestRepliesGiveMilliseconds: times in replies have exactly three
// fractional digits (spec.TimeFormat), as the store's own JSON does, so a
// capture at .690 s is not listed as .69.
func TestRepliesGiveMilliseconds(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	meta := metaJSON()
	meta["captured_at"] = "2026-11-30T10:02:03.69Z"
	data := []byte(`{"api_keys":[{"name":"k"}]}`)
	id := beginMeta(t, s, meta, data)
	call(t, s, "snapshot.chunk", map[string]any{"upload_id": id, "artifact": "settings.json", "offset": 0, "data": data})
	if r := call(t, s, "snapshot.commit", map[string]any{"upload_id": id}); !r.OK {
		t.Fatalf("commit: %+v", r.Error)
	}
	const want = `"2026-11-30T10:02:03.690Z"`
	for _, typ := range []string{"snapshot.list", "identity.summary"} {
		r := call(t, s, typ, nil)
		if !r.OK {
			t.Fatalf("%s: %+v", typ, r.Error)
		}
		b, _ := json.Marshal(r.Body)
		if !strings.Contains(string(b), want) || strings.Contains(string(b), `.69Z"`) {
			t.Errorf("%s: %s, want every time as %s", typ, b, want)
		}
	}
}

// Text chunks: the bytes of valid UTF-8, cut on character boundaries, sent as JSON strings (the
// extension's way for DOM, text and settings). Multi-byte characters, escapes JSON must make (quotes,
// backslashes, control characters, NUL) and a leading BOM come back byte for byte.
func TestTextChunksStoreTheirUTF8(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	body := []byte("\ufeff{\"k\": \"grüße \\ 日本語 😀\", \"nul\": \"\x00\x01\t\u2028\"}\n")
	r := call(t, s, "snapshot.begin", map[string]any{"meta": metaJSON(), "artifacts": []map[string]any{
		{"name": "settings.json", "mime": "application/json", "size": len(body), "sha256": sum(body)}}})
	var b spec.SnapshotBeginReply
	if err := json.Unmarshal(r.Body, &b); err != nil || !r.OK || !b.TextChunks {
		t.Fatalf("begin: %+v %s (text_chunks must be offered)", r.Error, r.Body)
	}
	// Cut every 5 bytes, moved back to the start of a character.
	for off := 0; off < len(body); {
		end := min(off+5, len(body))
		for end < len(body) && !utf8.RuneStart(body[end]) {
			end--
		}
		if r := call(t, s, "snapshot.chunk", map[string]any{"upload_id": b.UploadID, "artifact": "settings.json", "offset": off,
			"text": string(body[off:end])}); !r.OK {
			t.Fatalf("chunk at %d: %+v", off, r.Error)
		}
		off = end
	}
	if got := commitAndRead(t, s, b.UploadID, "settings.json"); !bytes.Equal(got, body) {
		t.Fatalf("stored %q, want %q", got, body)
	}
}

// commitAndRead commits the upload and returns the stored bytes of one of
// its artifacts.
func commitAndRead(t *testing.T, s *Server, uploadID, artifact string) []byte {
	t.Helper()
	r := call(t, s, "snapshot.commit", map[string]any{"upload_id": uploadID})
	var c spec.SnapshotCommitReply
	if err := json.Unmarshal(r.Body, &c); err != nil || !r.OK {
		t.Fatalf("commit: %+v", r.Error)
	}
	rc, err := s.store.OpenArtifact(context.Background(), c.SnapshotID, artifact)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read stored %s: %v", artifact, err)
	}
	return got
}

// A text chunk large enough for the fast path (HTML with quotes, newlines,
// < and U+2028, which the JSON writer escapes, and multi-byte characters)
// is stored byte for byte.
func TestLargeTextChunkStoresItsUTF8(t *testing.T) {
	s := NewServer(newStore(t, store.Options{}), nil, testKeys)
	body := []byte(strings.Repeat("<div class=\"größe\">a\\b\n\t\x01 日本語 😀 \u2028</div>\n", 2000))
	r := call(t, s, "snapshot.begin", map[string]any{"meta": metaJSON(), "artifacts": []map[string]any{
		{"name": "dom.html", "mime": "text/html", "size": len(body), "sha256": sum(body)}}})
	var b spec.SnapshotBeginReply
	if err := json.Unmarshal(r.Body, &b); err != nil || !r.OK {
		t.Fatalf("begin: %+v", r.Error)
	}
	frame, _ := json.Marshal(map[string]any{"id": "t1", "type": "snapshot.chunk", "body": map[string]any{
		"upload_id": b.UploadID, "artifact": "dom.html", "offset": 0, "text": string(body)}})
	var scratch []byte
	if _, _, ok := fastChunk(frame, &scratch); !ok {
		t.Fatal("the fast path did not take the text chunk")
	}
	if r := decodeReply(t, s.Handle(context.Background(), frame)); !r.OK {
		t.Fatalf("chunk: %+v", r.Error)
	}
	if got := commitAndRead(t, s, b.UploadID, "dom.html"); !bytes.Equal(got, body) {
		t.Fatalf("stored %d bytes differ from the %d sent", len(got), len(body))
	}
}

// countingReader counts the bytes Serve has read.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestServeReadsAheadOfSmallFramesOnly: while a request is handled the next
// frames are read (a chunk's transfer overlaps the previous one's
// decoding), but not past a frame over reuseFrame, so large frames never
// pile up in memory.
func TestServeReadsAheadOfSmallFramesOnly(t *testing.T) {
	for _, tt := range []struct {
		name      string
		pad       int
		readAhead bool
	}{
		{"small frame", 100, true},
		{"large frame", reuseFrame + 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(newStore(t, store.Options{}), nil, testKeys)
			started, release := make(chan struct{}), make(chan struct{})
			s.routes["slow"] = func(context.Context, json.RawMessage) (any, error) {
				close(started)
				<-release
				return map[string]bool{"finished": true}, nil
			}
			first, _ := json.Marshal(Request{ID: "1", Type: "slow", Body: mustJSON(map[string]string{"pad": strings.Repeat("x", tt.pad)})})
			second, _ := json.Marshal(Request{ID: "2", Type: "hello"})
			var in bytes.Buffer
			nativemsgWriteAll(t, &in, first, second)
			cr := &countingReader{r: &in}
			outR, outW := io.Pipe()
			done := make(chan error, 1)
			go func() { done <- s.Serve(context.Background(), cr, outW) }()
			<-started
			want := int64(4 + len(first))
			if tt.readAhead {
				want += int64(4 + len(second))
			}
			deadline := time.Now().Add(5 * time.Second)
			for cr.n.Load() < want && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond) // time enough to read more, if it would
			if got := cr.n.Load(); got != want {
				t.Errorf("read %d bytes while the first request was handled, want %d", got, want)
			}
			close(release)
			for _, id := range []string{"1", "2"} {
				frame, err := nativemsg.Read(outR)
				if err != nil {
					t.Fatal(err)
				}
				if r := decodeReply(t, frame); !r.OK || r.ID != id {
					t.Fatalf("reply %s", frame)
				}
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func nativemsgWriteAll(t *testing.T, w io.Writer, frames ...[]byte) {
	t.Helper()
	for _, f := range frames {
		if err := nativemsg.WriteLimit(w, f, nativemsg.MaxIncoming); err != nil {
			t.Fatal(err)
		}
	}
}

// TestClientChosenUploadID: with its own upload_id, a client writes begin,
// chunks and commit in one burst, and Serve takes them in order; a bad or
// open id is refused at begin, and the requests behind a refused begin fail
// with unknown_upload (never landing in another upload).
func TestClientChosenUploadID(t *testing.T) {
	data := []byte(`{"toggles":[{"label":"Improve the model","on":true}]}`)
	begin := func(id string) map[string]any {
		return map[string]any{"upload_id": id, "meta": metaJSON(), "artifacts": []map[string]any{
			{"name": "settings.json", "mime": "application/json", "size": len(data), "sha256": sum(data)}}}
	}
	chunk := func(id string) map[string]any {
		return map[string]any{"upload_id": id, "artifact": "settings.json", "offset": 0, "text": string(data)}
	}
	commit := func(id string) map[string]any { return map[string]any{"upload_id": id} }
	for _, tt := range []struct {
		name  string
		reqs  []Request
		codes []string // "" for ok
	}{
		{"one burst", []Request{
			{ID: "1", Type: "snapshot.begin", Body: mustJSON(begin("cap-1"))},
			{ID: "2", Type: "snapshot.chunk", Body: mustJSON(chunk("cap-1"))},
			{ID: "3", Type: "snapshot.commit", Body: mustJSON(commit("cap-1"))},
		}, []string{"", "", ""}},
		{"taken ids are skipped by the host's own", []Request{
			{ID: "1", Type: "snapshot.begin", Body: mustJSON(begin("u-1"))},
			{ID: "2", Type: "snapshot.begin", Body: mustJSON(map[string]any{"meta": metaJSON(), "artifacts": []any{}})},
			{ID: "3", Type: "snapshot.chunk", Body: mustJSON(chunk("u-1"))},
			{ID: "4", Type: "snapshot.commit", Body: mustJSON(commit("u-1"))},
		}, []string{"", "", "", ""}},
		{"an id already open", []Request{
			{ID: "1", Type: "snapshot.begin", Body: mustJSON(begin("a"))},
			{ID: "2", Type: "snapshot.begin", Body: mustJSON(begin("a"))},
		}, []string{"", spec.CodeBadRequest}},
		{"a badly formed id, and what follows it", []Request{
			{ID: "1", Type: "snapshot.begin", Body: mustJSON(begin("a/b"))},
			{ID: "2", Type: "snapshot.chunk", Body: mustJSON(chunk("a/b"))},
			{ID: "3", Type: "snapshot.commit", Body: mustJSON(commit("a/b"))},
		}, []string{spec.CodeBadRequest, spec.CodeUnknownUpload, spec.CodeUnknownUpload}},
		{"too long", []Request{
			{ID: "1", Type: "snapshot.begin", Body: mustJSON(begin(strings.Repeat("x", 65)))},
		}, []string{spec.CodeBadRequest}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t, store.Options{})
			var in bytes.Buffer
			for _, req := range tt.reqs {
				nativemsg.Write(&in, mustJSON(req))
			}
			var out bytes.Buffer
			if err := NewServer(st, nil, testKeys).Serve(context.Background(), &in, &out); err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.codes {
				frame, err := nativemsg.Read(&out)
				if err != nil {
					t.Fatalf("reply %d: %v", i, err)
				}
				r := decodeReply(t, frame)
				got := ""
				if !r.OK {
					got = r.Error.Code
				}
				if got != want {
					t.Fatalf("reply %d: %s, want code %q", i, frame, want)
				}
				if i == 0 && want == "" {
					var b spec.SnapshotBeginReply
					json.Unmarshal(r.Body, &b)
					if !bytes.Contains(tt.reqs[0].Body, []byte(`"upload_id":"`+b.UploadID+`"`)) {
						t.Fatalf("begin answered upload_id %q, not the client's", b.UploadID)
					}
				}
			}
			if list, _ := st.ListSnapshots(context.Background(), store.Filter{}); len(list) != countCommits(tt.reqs, tt.codes) {
				t.Fatalf("%d snapshots stored, want one per commit answered ok", len(list))
			}
		})
	}
}

// countCommits is how many of reqs are commits answered ok.
func countCommits(reqs []Request, codes []string) int {
	n := 0
	for i, r := range reqs {
		if r.Type == "snapshot.commit" && codes[i] == "" {
			n++
		}
	}
	return n
}
