package protocol

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/ringfence/ringfence/internal/nativemsg"
)

// Client speaks the protocol from the browser's side. Tests, benchmarks and
// the demo use it to drive a real host process over its stdin/stdout.
type Client struct {
	w    io.Writer
	r    io.Reader
	next int
}

// NewClient talks to a host that reads w and writes r.
func NewClient(w io.Writer, r io.Reader) *Client { return &Client{w: w, r: r} }

// ReplyOf is a decoded reply with its body left raw.
type ReplyOf struct {
	ID    string          `json:"id"`
	OK    bool            `json:"ok"`
	Body  json.RawMessage `json:"body"`
	Error *Error          `json:"error"`
}

// Call sends one request and waits for its reply. A reply with ok=false is
// returned as is, not as an error; err is for transport failures.
func (c *Client) Call(typ string, body any) (ReplyOf, error) {
	c.next++
	id := fmt.Sprintf("r%d", c.next)
	b, err := json.Marshal(map[string]any{"id": id, "type": typ, "body": body})
	if err != nil {
		return ReplyOf{}, err
	}
	if err := nativemsg.WriteLimit(c.w, b, nativemsg.MaxIncoming); err != nil {
		return ReplyOf{}, err
	}
	rep, err := c.ReadReply()
	if err != nil {
		return rep, fmt.Errorf("reply to %s: %w", typ, err)
	}
	if rep.ID != id && rep.ID != "" {
		return rep, fmt.Errorf("reply id %q, want %q", rep.ID, id)
	}
	return rep, nil
}

// ReadReply reads one reply frame.
func (c *Client) ReadReply() (ReplyOf, error) {
	var rep ReplyOf
	frame, err := nativemsg.Read(c.r)
	if err != nil {
		return rep, err
	}
	err = json.Unmarshal(frame, &rep)
	return rep, err
}

// Must calls and decodes a successful reply's body into out (may be nil).
func (c *Client) Must(typ string, body, out any) error {
	rep, err := c.Call(typ, body)
	if err != nil {
		return err
	}
	if !rep.OK {
		return rep.Error
	}
	if out != nil {
		return json.Unmarshal(rep.Body, out)
	}
	return nil
}

// Artifact is one file to upload.
type Artifact struct {
	Name, MIME string
	Data       []byte
}

// CommitResult is snapshot.commit's reply body.
type CommitResult struct {
	SnapshotID string `json:"snapshot_id"`
	Artifacts  []struct {
		Name         string `json:"name"`
		Size         int64  `json:"size"`
		SHA256       string `json:"sha256"`
		Deduplicated bool   `json:"deduplicated"`
	} `json:"artifacts"`
	Duplicate bool `json:"duplicate"`
}

// UploadSnapshot runs begin, chunks of chunkSize bytes (0 = the host's
// suggestion) and commit, the way the extension does.
func (c *Client) UploadSnapshot(ctx context.Context, meta map[string]any, arts []Artifact, chunkSize int) (CommitResult, error) {
	return c.upload(ctx, map[string]any{"meta": meta}, arts, chunkSize)
}

// AmendSnapshot uploads arts as the second commit of the stored snapshot id
// (docs/protocol.md, Amending a snapshot).
func (c *Client) AmendSnapshot(ctx context.Context, id string, meta map[string]any, arts []Artifact, chunkSize int) (CommitResult, error) {
	return c.upload(ctx, map[string]any{"meta": meta, "amends": id}, arts, chunkSize)
}

// upload sends begin (begin's body plus the declarations), the chunks and commit.
func (c *Client) upload(ctx context.Context, begin map[string]any, arts []Artifact, chunkSize int) (CommitResult, error) {
	var res CommitResult
	decls := make([]map[string]any, len(arts))
	for i, a := range arts {
		sum := sha256.Sum256(a.Data)
		decls[i] = map[string]any{"name": a.Name, "mime": a.MIME, "size": len(a.Data), "sha256": hex.EncodeToString(sum[:])}
	}
	var begun struct {
		UploadID  string `json:"upload_id"`
		ChunkSize int    `json:"chunk_size"`
	}
	begin["artifacts"] = decls
	if err := c.Must("snapshot.begin", begin, &begun); err != nil {
		return res, fmt.Errorf("snapshot.begin: %w", err)
	}
	if chunkSize <= 0 {
		chunkSize = begun.ChunkSize
	}
	sorted := append([]Artifact(nil), arts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, a := range sorted {
		for off := 0; off < len(a.Data); off += chunkSize {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			end := min(off+chunkSize, len(a.Data))
			if err := c.chunk(begun.UploadID, a.Name, off, a.Data[off:end]); err != nil {
				return res, fmt.Errorf("snapshot.chunk %s@%d: %w", a.Name, off, err)
			}
		}
	}
	if err := c.Must("snapshot.commit", map[string]any{"upload_id": begun.UploadID}, &res); err != nil {
		return res, fmt.Errorf("snapshot.commit: %w", err)
	}
	return res, nil
}

// chunk sends one snapshot.chunk, encoding the frame by hand: json.Marshal
// would re-scan the base64 it just produced, and the browser's
// JSON.stringify does not, so a Go client should not be the bottleneck of
// the measurements it is used for.
func (c *Client) chunk(uploadID, artifact string, off int, data []byte) error {
	c.next++
	id := fmt.Sprintf("r%d", c.next)
	head, _ := json.Marshal(map[string]any{"upload_id": uploadID, "artifact": artifact, "offset": off})
	frame := make([]byte, 0, len(head)+base64.StdEncoding.EncodedLen(len(data))+64)
	frame = append(frame, `{"id":"`+id+`","type":"snapshot.chunk","body":`...)
	frame = append(frame, head[:len(head)-1]...)
	frame = append(frame, `,"data":"`...)
	frame = base64.StdEncoding.AppendEncode(frame, data)
	frame = append(frame, `"}}`...)
	if err := nativemsg.WriteLimit(c.w, frame, nativemsg.MaxIncoming); err != nil {
		return err
	}
	rep, err := c.ReadReply()
	if err != nil {
		return fmt.Errorf("reply to snapshot.chunk: %w", err)
	}
	if rep.ID != id {
		return fmt.Errorf("reply id %q, want %q", rep.ID, id)
	}
	if !rep.OK {
		return rep.Error
	}
	return nil
}
