// Package protocol is the message layer of the native host: the request and
// reply envelopes, the dispatcher from message type to handler, and the
// handlers themselves. docs/protocol.md is its contract.
package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/ringfence/ringfence/internal/keys"
	"github.com/ringfence/ringfence/internal/nativemsg"
	"github.com/ringfence/ringfence/internal/redact"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// Request is the envelope the extension sends.
type Request struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Body json.RawMessage `json:"body"`
}

// Reply is the envelope the host sends back: Body on success, Error otherwise.
type Reply struct {
	ID    string `json:"id"`
	OK    bool   `json:"ok"`
	Body  any    `json:"body,omitempty"`
	Error *Error `json:"error,omitempty"`
}

// ChunkSize is the chunk size the host suggests for uploads (raw bytes
// before base64), small enough to keep the worker's memory flat.
const ChunkSize = spec.ChunkSize

// MaxRequestID bounds the envelope's id. A longer one is answered with
// bad_request and an empty id: echoing it could make even the error reply
// too large to send, and the host would exit without answering.
const MaxRequestID = 256

// maxOpenUploads bounds the uploads one port may hold open at once.
const maxOpenUploads = spec.MaxOpenUploads

// Server answers one port. It is not safe for concurrent use: a port's
// requests are handled one at a time, in order.
type Server struct {
	store    *store.Store // nil when the store could not be opened
	storeErr error
	keys     func() keys.Status
	uploads  map[string]*store.Upload
	nextID   int
	routes   map[string]handler // message type → handler; EnableExport and tests add to it
	// redactor is the last gate for secrets in strings the extension sends
	// outside artifacts; compiled on first use to keep host start-up short.
	redactor func() *redact.Redactor
	// scratch receives the decoded bytes of chunk frames (fastChunk), one
	// chunk at a time: the upload copies them into its staging buffer.
	scratch []byte
}

// NewServer serves st. When st is nil, storeErr says why; hello still
// answers (so the extension can show the problem) and storage requests fail
// with storage_error.
func NewServer(st *store.Store, storeErr error, ks keys.Status) *Server {
	s := &Server{store: st, storeErr: storeErr, keys: func() keys.Status { return ks }, uploads: map[string]*store.Upload{},
		redactor: sync.OnceValue(redact.New)}
	s.routes = map[string]handler{
		spec.MsgHello:           s.hello,
		spec.MsgSnapshotBegin:   s.snapshotBegin,
		spec.MsgSnapshotChunk:   s.snapshotChunk,
		spec.MsgSnapshotCommit:  s.snapshotCommit,
		spec.MsgSnapshotAbort:   s.snapshotAbort,
		spec.MsgSnapshotList:    s.snapshotList,
		spec.MsgEventLog:        s.eventLog,
		spec.MsgIdentitySummary: s.identitySummary,
	}
	s.registerAudit()
	return s
}

// KeyStatus makes hello report f's answer, asked at each hello, instead of
// the status NewServer got: a host that fetches its key in the background
// (store.OpenLazy) knows where the keys are only once that is done.
func (s *Server) KeyStatus(f func() keys.Status) { s.keys = f }

type handler func(ctx context.Context, body json.RawMessage) (any, error)

// Types lists, sorted, the message types s answers (export only once
// EnableExport registered it).
func (s *Server) Types() []string {
	return slices.Sorted(maps.Keys(s.routes))
}

// Handle answers one frame and returns the encoded reply, never longer than
// nativemsg.MaxOutgoing.
func (s *Server) Handle(ctx context.Context, frame []byte) []byte {
	if req, chunk, ok := fastChunk(frame, &s.scratch); ok {
		if len(req.ID) > MaxRequestID {
			return encode(badID(len(req.ID)))
		}
		rep := Reply{ID: req.ID}
		if body, err := s.call(ctx, func(context.Context, json.RawMessage) (any, error) { return s.chunk(chunk) }, nil); err != nil {
			rep.Error = toError(err)
		} else {
			rep.OK, rep.Body = true, body
		}
		return encode(rep)
	}
	var req Request
	if err := json.Unmarshal(frame, &req); err != nil {
		return encode(Reply{Error: errorf(spec.CodeBadJSON, "not a JSON envelope: %v", err)})
	}
	if len(req.ID) > MaxRequestID {
		return encode(badID(len(req.ID)))
	}
	rep := Reply{ID: req.ID}
	h, ok := s.routes[req.Type]
	if req.Type == "" {
		rep.Error = errorf(spec.CodeBadJSON, "the envelope has no type")
	} else if !ok {
		rep.Error = errorf(spec.CodeUnknownType, "no message type %q", req.Type)
	} else if body, err := s.call(withRequestID(ctx, req.ID), h, req.Body); err != nil {
		rep.Error = toError(err)
	} else {
		rep.OK, rep.Body = true, body
	}
	return encode(rep)
}

func badID(n int) Reply {
	return Reply{Error: errorf(spec.CodeBadRequest, "the request id is %d bytes, at most %d; nothing was done", n, MaxRequestID)}
}

// call runs a handler, turning a panic into an internal error so one bad
// message cannot take down the port.
func (s *Server) call(ctx context.Context, h handler, body json.RawMessage) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, errorf(spec.CodeInternal, "handler panic: %v\n%s", r, debug.Stack())
		}
	}()
	return h(ctx, body)
}

func encode(r Reply) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		b, _ = json.Marshal(Reply{ID: r.ID, Error: errorf(spec.CodeInternal, "encode reply: %v", err)})
	}
	if len(b) > nativemsg.MaxOutgoing {
		id := r.ID
		if len(id) > MaxRequestID {
			id = "" // only ever a reply built outside Handle; never send more than the limit
		}
		b, _ = json.Marshal(Reply{ID: id, Error: errorf(spec.CodeReplyTooLarge,
			"the reply would be %d bytes, over the %d-byte limit; ask for less (e.g. a smaller limit)", len(b), nativemsg.MaxOutgoing)})
	}
	return b
}

// Close drops every upload this port left open.
func (s *Server) Close() {
	for id, u := range s.uploads {
		u.Abort()
		delete(s.uploads, id)
	}
}

// Serve reads frames from r and writes replies to w until the browser closes
// the port (clean EOF: nil) or the stream breaks. When ctx is cancelled
// (SIGTERM) the request in flight still completes and is answered; then
// Serve returns nil. A frame whose declared length is over the limit gets a
// too_large reply and ends the session, since the stream cannot be
// resynchronised.
func (s *Server) Serve(ctx context.Context, r io.Reader, w io.Writer) error {
	defer s.Close()
	type frame struct {
		b   []byte
		err error
	}
	// The reader reads ahead: while one frame is handled the next arrives,
	// so a chunk's pipe copy overlaps the previous chunk's base64 decoding
	// (the extension keeps several chunks on the port). Frames holds at
	// most readAhead of them: each needs a token from free, which carries
	// a buffer to reuse (Handle keeps nothing of a frame).
	frames := make(chan frame, readAhead) // never blocks: there are readAhead tokens
	free := make(chan []byte, readAhead)
	for range readAhead {
		free <- nil
	}
	stop := make(chan struct{})
	defer close(stop)
	// A frame over reuseFrame (up to 64 MiB) is not read ahead of: after
	// one, the reader waits until it was handled, so large frames do not
	// pile up in memory.
	bigDone := make(chan struct{}, 1)
	go func() {
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			b, err := nativemsg.ReadInto(r, buf)
			frames <- frame{b, err}
			if err != nil {
				return
			}
			if len(b) > reuseFrame {
				select {
				case <-bigDone:
				case <-stop:
					return
				}
			}
		}
	}()
	recycle := func(b []byte) {
		if len(b) > reuseFrame {
			bigDone <- struct{}{} // buffered: the reader is waiting for it, or gone
		}
		if cap(b) > reuseFrame {
			b = nil // a rare larger frame is not kept for the rest of the session
		}
		free <- b[:0]
	}
	work := context.WithoutCancel(ctx) // a started commit finishes
	for {
		var f frame
		select {
		case <-ctx.Done():
		default:
			select {
			case f = <-frames:
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil && f.b == nil && f.err == nil {
			// Requests that have fully arrived are in flight for the
			// browser: answer them, then stop.
			for {
				select {
				case f = <-frames:
					if f.err != nil {
						return nil
					}
					_ = nativemsg.Write(w, s.Handle(work, f.b))
				default:
					return nil
				}
			}
		}
		if errors.Is(f.err, io.EOF) {
			return nil
		}
		if errors.Is(f.err, nativemsg.ErrTooLarge) {
			_ = nativemsg.Write(w, encode(Reply{Error: errorf(spec.CodeTooLarge, "%v", f.err)}))
			return f.err
		}
		if f.err != nil {
			return fmt.Errorf("read request: %w", f.err)
		}
		err := nativemsg.Write(w, s.Handle(work, f.b))
		recycle(f.b)
		if err != nil {
			return err
		}
	}
}

// readAhead is how many frames Serve holds at once: one being handled and
// one read ahead (a third token lets the reader start on the frame after).
const readAhead = 3

// reuseFrame is the largest frame buffer Serve keeps between frames: a
// chunk frame (512 KiB of data in base64, ~700 KB) fits; a rare larger
// frame is not kept for the rest of the session.
const reuseFrame = 1 << 20

// Forbidden is the one reply a refused caller gets.
func Forbidden(extensionID string) []byte {
	return encode(Reply{Error: errorf(spec.CodeForbiddenCaller,
		"extension %q is not allowed to use this host; add it to allowed_extension_ids in config.json", extensionID)})
}
