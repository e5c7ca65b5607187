package store

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// blobAAD binds a sealed blob to its content hash, so swapping ciphertexts
// between rows fails authentication instead of returning the wrong bytes.
func blobAAD(sha string) []byte { return []byte("ringfence-blob-v1:" + sha) }

// sealed is a blob ready to insert.
type sealed struct {
	sha         string
	size        int64
	compression string
	nonce       []byte
	data        []byte
}

// alreadyCompressed MIME types are stored as they are: deflating them costs
// time and saves nothing.
func alreadyCompressed(mime string) bool {
	mime = strings.ToLower(mime)
	switch {
	case strings.HasPrefix(mime, "image/") && mime != "image/svg+xml" && mime != "image/bmp":
		return true
	case strings.HasPrefix(mime, "video/"), strings.HasPrefix(mime, "audio/"):
		return true
	case mime == "application/zip", mime == "application/gzip", mime == "application/x-gzip",
		mime == "application/zstd", mime == "application/wacz":
		return true
	}
	return false
}

// compressMin is the size below which compression is not tried: the
// framing overhead eats the gain and the time is better spent elsewhere.
const compressMin = 512

// compressSample is how much of a large artifact is deflated before
// deciding whether the rest is worth it: an incompressible artifact with a
// generic MIME type costs one sample, not a full pass.
const compressSample = 64 << 10

// seal compresses plain when that saves at least 10% and encrypts the result
// with AES-256-GCM under the data key. b.data comes from the store's buffer
// pool: the committer gives it back (putBuf) once SQLite has copied it.
func (s *Store) seal(ctx context.Context, sha, mime string, plain []byte) (sealed, error) {
	b := sealed{sha: sha, size: int64(len(plain)), compression: "none"}
	aead, err := s.cipher(ctx)
	if err != nil {
		return b, err
	}
	b.nonce = make([]byte, aead.NonceSize())
	if _, err := rand.Read(b.nonce); err != nil {
		return b, fmt.Errorf("nonce: %w", err)
	}
	if len(plain) >= compressMin && !alreadyCompressed(mime) {
		z, ok, err := s.deflate(plain, aead.Overhead())
		if err != nil {
			return b, err
		}
		if ok {
			// In place: z has room for the tag, and the compressed
			// bytes are not needed once sealed.
			b.data, b.compression = aead.Seal(z[:0], b.nonce, z, blobAAD(sha)), "deflate"
			return b, nil
		}
	}
	b.data = aead.Seal(s.getBuf(len(plain)+aead.Overhead()), b.nonce, plain, blobAAD(sha))
	return b, nil
}

// deflate compresses plain at the fastest level into a pooled buffer with
// extra bytes of spare capacity, in one pass: a large input's first
// compressSample bytes are flushed and measured first, and ok is false
// (the buffer already returned) when they, or the whole, save less than 10%.
func (s *Store) deflate(plain []byte, extra int) (out []byte, ok bool, err error) {
	w := &poolWriter{b: s.getBuf(len(plain)/2 + extra)}
	fw, _ := s.flaters.Get().(*flate.Writer)
	if fw == nil {
		fw, _ = flate.NewWriter(w, flate.BestSpeed)
	} else {
		fw.Reset(w)
	}
	defer s.flaters.Put(fw)
	rest := plain
	if len(plain) > 2*compressSample {
		fw.Write(plain[:compressSample])
		if err := fw.Flush(); err != nil {
			s.putBuf(w.b)
			return nil, false, fmt.Errorf("compress: %w", err)
		}
		if len(w.b) >= compressSample*9/10 {
			s.putBuf(w.b)
			return nil, false, nil
		}
		rest = plain[compressSample:]
	}
	fw.Write(rest)
	if err := fw.Close(); err != nil {
		s.putBuf(w.b)
		return nil, false, fmt.Errorf("compress: %w", err)
	}
	if len(w.b) >= len(plain)*9/10 {
		s.putBuf(w.b)
		return nil, false, nil
	}
	if cap(w.b)-len(w.b) < extra {
		w.b = append(w.b, make([]byte, extra)...)[:len(w.b)]
	}
	return w.b, true, nil
}

// poolWriter appends to a byte slice (a bytes.Buffer would not let the
// slice go back to the pool).
type poolWriter struct{ b []byte }

func (w *poolWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// getBuf returns an empty slice with room for n bytes from the store's
// buffer pool; putBuf gives one back (the caller must not use it afterwards).
func (s *Store) getBuf(n int) []byte { return s.bufs.get(n) }

func (s *Store) putBuf(b []byte) { s.bufs.put(b) }

// decrypt opens a sealed blob in place.
func (s *Store) decrypt(ctx context.Context, sha string, nonce, data []byte) ([]byte, error) {
	aead, err := s.cipher(ctx)
	if err != nil {
		return nil, err
	}
	payload, err := aead.Open(data[:0], nonce, data, blobAAD(sha))
	if err != nil {
		return nil, fmt.Errorf("store: blob %s does not decrypt under this data key (wrong key or tampered row): %w", sha, err)
	}
	return payload, nil
}

// reader reads a decrypted blob's bytes, inflating (and checking) them
// when it is deflated.
func (s *Store) reader(sha, compression string, size int64, payload []byte) (io.ReadCloser, error) {
	switch compression {
	case "none":
		return io.NopCloser(bytes.NewReader(payload)), nil
	case "deflate":
		return &verifyingReader{r: flate.NewReader(bytes.NewReader(payload)), sha: sha, size: size, h: sha256.New()}, nil
	}
	return nil, fmt.Errorf("store: blob %s: unknown compression %q", sha, compression)
}

// verifyingReader checks the inflated bytes against the blob's hash at EOF.
// (GCM already authenticates the compressed bytes; this guards the inflater.)
type verifyingReader struct {
	r    io.ReadCloser
	sha  string
	size int64
	n    int64
	h    interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if errors.Is(err, io.EOF) && (v.n != v.size || hex.EncodeToString(v.h.Sum(nil)) != v.sha) {
		return n, fmt.Errorf("store: blob %s inflates to different bytes", v.sha)
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.r.Close() }

// OpenArtifact returns the decrypted bytes of one artifact.
func (s *Store) OpenArtifact(ctx context.Context, snapshotID, name string) (io.ReadCloser, error) {
	sha, comp, size, payload, err := s.readBlob(ctx, snapshotID, name)
	if err != nil {
		return nil, err
	}
	return s.reader(sha, comp, size, payload)
}

// ArtifactStored returns an artifact decrypted but as the store keeps it:
// its bytes, or, when deflated is true, the raw deflate stream (RFC 1951,
// as compress/flate writes it) of them. A deflated stream is not checked
// against the artifact's hash here: the caller inflates it and compares
// (the WACZ export does, to put the stream into a gzip member without
// compressing the bytes again).
func (s *Store) ArtifactStored(ctx context.Context, snapshotID, name string) (data []byte, deflated bool, err error) {
	_, comp, _, payload, err := s.readBlob(ctx, snapshotID, name)
	if err != nil {
		return nil, false, err
	}
	switch comp {
	case "none":
		return payload, false, nil
	case "deflate":
		return payload, true, nil
	}
	return nil, false, fmt.Errorf("store: artifact %q of snapshot %q: unknown compression %q", name, snapshotID, comp)
}

// readBlob reads and decrypts the blob of an artifact.
func (s *Store) readBlob(ctx context.Context, snapshotID, name string) (sha, comp string, size int64, payload []byte, err error) {
	var nonce, data []byte
	err = s.db.QueryRowContext(ctx, `SELECT b.sha256, b.compression, b.size, b.nonce, b.data
		FROM artifacts a JOIN blobs b ON b.sha256 = a.sha256
		WHERE a.snapshot_id = ? AND a.name = ?`, snapshotID, name).Scan(&sha, &comp, &size, &nonce, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", 0, nil, fmt.Errorf("store: artifact %q of snapshot %q: %w", name, snapshotID, ErrNotFound)
	}
	if err != nil {
		return "", "", 0, nil, fmt.Errorf("store: read artifact %q of snapshot %q: %w", name, snapshotID, classify(err))
	}
	if payload, err = s.decrypt(ctx, sha, nonce, data); err != nil {
		return "", "", 0, nil, err
	}
	return sha, comp, size, payload, nil
}

func hashHex(p []byte) string {
	h := sha256.Sum256(p)
	return hex.EncodeToString(h[:])
}
