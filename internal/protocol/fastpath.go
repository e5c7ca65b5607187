package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ringfence/ringfence/internal/jsonesc"
	"github.com/ringfence/ringfence/internal/spec"
)

// Chunk frames are mostly one long string: base64 in body.data, or UTF-8
// text in body.text. encoding/json would scan it four times (envelope
// validate + decode, body validate + decode) before the base64 is even
// decoded; on a 2 MB snapshot that was most of the ack latency, and a
// 512 KiB text chunk of HTML took 13 ms (39 MB/s). The fast path finds the
// longest string in one cheap pass, parses the rest of the frame with
// encoding/json as usual, and decodes the string directly: base64 into
// bytes, or a JSON string's escapes into its UTF-8. Anything unusual
// (escapes in base64, a \u escape of a surrogate or invalid UTF-8 in text,
// where encoding/json substitutes U+FFFD; the string not being body.data or
// body.text of a snapshot.chunk) falls back to the plain path, so both
// paths accept and reject exactly the same frames and store the same bytes.

// fastMin is the frame size below which the plain path is fast enough.
const fastMin = 32 << 10

// sentinel replaces the long string in the reduced frame; it cannot be valid
// base64, so a client cannot forge it into meaning anything.
const sentinel = `"\u0000ringfence-data"`

// splitLongString returns the start and end (exclusive, including quotes) of
// the longest string literal in a JSON text, and whether that one contains a
// backslash; ok=false if the quotes do not balance.
func splitLongString(b []byte) (start, end int, escaped, ok bool) {
	best := -1
	for i := 0; i < len(b); {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			break
		}
		s := i + q
		// The closing quote is the first one not escaped: preceded by an
		// even run of backslashes.
		e := s + 1
		for {
			n := bytes.IndexByte(b[e:], '"')
			if n < 0 {
				return 0, 0, false, false
			}
			e += n
			k := e
			for k > s+1 && b[k-1] == '\\' {
				k--
			}
			if (e-k)%2 == 0 {
				break
			}
			e++
		}
		e++
		if e-s > best {
			best, start, end = e-s, s, e
		}
		i = e
	}
	if best <= 0 {
		return 0, 0, false, false
	}
	return start, end, bytes.IndexByte(b[start:end], '\\') >= 0, true
}

// fastChunk decodes a snapshot.chunk frame; ok=false means "use the plain
// path" (not an error). The decoded bytes land in *scratch (grown when too
// small) and are valid until the next call with the same scratch. A text
// chunk's bytes come back in Data (Text stays empty): the handler stores
// either the same way.
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
	s, e, escaped, found := splitLongString(frame)
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
		Text     json.RawMessage `json:"text"`
	}
	if json.Unmarshal(req.Body, &raw) != nil {
		return req, chunk, false
	}
	text := string(raw.Text) == sentinel && raw.Data == nil
	if !text && (string(raw.Data) != sentinel || raw.Text != nil || escaped) {
		return req, chunk, false
	}
	enc := frame[s+1 : e-1]
	if text {
		// Unescaping never grows text; a larger one than maxScratch
		// outgrows the kept buffer by appending.
		data := *scratch
		if want := min(len(enc), maxScratch); cap(data) < want {
			data = make([]byte, 0, want)
			*scratch = data
		}
		out, ok := unquoteText(data[:0], enc)
		if !ok {
			return req, chunk, false
		}
		return req, spec.SnapshotChunkRequest{UploadID: raw.UploadID, Artifact: raw.Artifact, Offset: raw.Offset, Data: out}, true
	}
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

// unquoteText appends to dst the UTF-8 of the JSON string literal s (without
// its quotes), or returns ok=false wherever encoding/json would reject the
// string (a control character, a bad escape) or change bytes (invalid UTF-8
// and \u escapes of surrogates become U+FFFD there): the plain path then
// handles the frame.
func unquoteText(dst, s []byte) ([]byte, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return nil, false
			}
			if b, ok := jsonesc.Simple(s[i+1]); ok {
				dst = append(dst, b)
				i += 2
				continue
			}
			if s[i+1] != 'u' {
				return nil, false
			}
			r, ok := jsonesc.Hex4(s[i+2:])
			if !ok || utf16.IsSurrogate(r) {
				return nil, false
			}
			dst = utf8.AppendRune(dst, r)
			i += 6
		case c < 0x20:
			return nil, false
		case c < utf8.RuneSelf:
			j := i + 1
			for j < len(s) && s[j] >= 0x20 && s[j] < utf8.RuneSelf && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
		default:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, false
			}
			dst = append(dst, s[i:i+size]...)
			i += size
		}
	}
	return dst, true
}
