package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/json"

	"github.com/ringfence/ringfence/internal/spec"
)

// Chunk frames are mostly one long base64 string. encoding/json would scan
// it four times (envelope validate + decode, body validate + decode) before
// decoding the base64; on a 2 MB snapshot that was most of the ack latency.
// The fast path finds the longest string in one cheap pass, parses the rest
// of the frame with encoding/json as usual, and base64-decodes the string
// directly. Anything unusual (escapes in the string, the string not being
// body.data of a snapshot.chunk) falls back to the plain path, so both paths
// accept and reject exactly the same frames.

// fastMin is the frame size below which the plain path is fast enough.
const fastMin = 32 << 10

// sentinel replaces the long string in the reduced frame; it cannot be valid
// base64, so a client cannot forge it into meaning anything.
const sentinel = `"\u0000ringfence-data"`

// splitLongString returns the start and end (exclusive, including quotes) of
// the longest string literal in a JSON text, or ok=false if a string
// contains a backslash or the quotes do not balance.
func splitLongString(b []byte) (start, end int, ok bool) {
	best := -1
	for i := 0; i < len(b); {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			break
		}
		s := i + q
		e := bytes.IndexByte(b[s+1:], '"')
		if e < 0 {
			return 0, 0, false
		}
		e += s + 2
		if bytes.IndexByte(b[s:e], '\\') >= 0 {
			return 0, 0, false
		}
		if e-s > best {
			best, start, end = e-s, s, e
		}
		i = e
	}
	return start, end, best > 0
}

// fastChunk decodes a snapshot.chunk frame; ok=false means "use the plain
// path" (not an error). The decoded data lands in *scratch (grown when too
// small) and is valid until the next call with the same scratch.
func fastChunk(frame []byte, scratch *[]byte) (req Request, chunk spec.SnapshotChunkRequest, ok bool) {
	return fastChunkAt(frame, fastMin, scratch)
}

// maxScratch bounds the decode buffer kept between chunks: a chunk of
// ChunkSize fits, an unusually large one is decoded into a fresh slice.
const maxScratch = 1 << 20

// fastChunkAt is fastChunk with the size threshold as a parameter, so the
// fuzzer can explore it with small inputs.
func fastChunkAt(frame []byte, threshold int, scratch *[]byte) (req Request, chunk spec.SnapshotChunkRequest, ok bool) {
	if len(frame) < threshold {
		return req, chunk, false
	}
	s, e, found := splitLongString(frame)
	if !found || e-s < threshold/2 {
		return req, chunk, false
	}
	reduced := make([]byte, 0, len(frame)-(e-s)+len(sentinel))
	reduced = append(append(append(reduced, frame[:s]...), sentinel...), frame[e:]...)
	if json.Unmarshal(reduced, &req) != nil || req.Type != spec.MsgSnapshotChunk {
		return req, chunk, false
	}
	var raw struct {
		UploadID string          `json:"upload_id"`
		Artifact string          `json:"artifact"`
		Offset   *int64          `json:"offset"`
		Data     json.RawMessage `json:"data"`
	}
	if json.Unmarshal(req.Body, &raw) != nil || string(raw.Data) != sentinel {
		return req, chunk, false
	}
	enc := frame[s+1 : e-1]
	size := base64.StdEncoding.DecodedLen(len(enc))
	data := *scratch
	if cap(data) < size {
		data = make([]byte, size)
		if size <= maxScratch {
			*scratch = data
		}
	}
	data = data[:size]
	n, err := base64.StdEncoding.Decode(data, enc)
	if err != nil {
		return req, chunk, false // the plain path reports it as bad_request
	}
	// The decoder skips \r and \n, which JSON does not allow raw in a
	// string (the plain path answers bad_json): fewer bytes than the text's
	// length promises means it skipped some.
	pad := 0
	for i := len(enc) - 1; i >= 0 && i >= len(enc)-2 && enc[i] == '='; i-- {
		pad++
	}
	if len(enc)%4 != 0 || n != len(enc)/4*3-pad {
		return req, chunk, false
	}
	return req, spec.SnapshotChunkRequest{UploadID: raw.UploadID, Artifact: raw.Artifact, Offset: raw.Offset, Data: data[:n]}, true
}
