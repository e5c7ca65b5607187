package evidence

import (
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"
)

// A small WARC 1.1 writer: every record is its own gzip member (so a
// reader can seek to one record), and the block digest is the SHA-256 the
// store recorded at capture, checked against the bytes as they stream.
// github.com/nlnwa/gowarc would bring klauspost/compress, whatwg-url,
// prometheus and testify for the three record types we write.

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type warcWriter struct {
	cw *countWriter
	// One gzip writer per level, reset for each record: a new one per
	// record allocated and zeroed the compressor's ~1 MB state thousands
	// of times per export.
	gz map[int]*gzip.Writer
}

// warcRecord is what one record needs besides its block.
type warcRecord struct {
	Type        string // warcinfo, resource
	TargetURI   string
	Date        time.Time
	ContentType string
	Length      int64
	SHA256      string // hex digest of the block, known up front
	Extra       [][2]string
}

// write appends one gzip-member record, streaming block, and returns the
// member's offset and length in the WARC file. A block that is compressed
// already (PNG) goes into stored deflate blocks — still one gzip member,
// without spending time squeezing nothing out of it — the rest at the
// fastest level.
func (ww *warcWriter) write(rec warcRecord, block io.Reader) (offset, length int64, err error) {
	offset = ww.cw.n
	level := gzip.BestSpeed
	if !compressible(rec.ContentType) {
		level = gzip.NoCompression
	}
	zw := ww.gz[level]
	if zw == nil {
		if zw, err = gzip.NewWriterLevel(ww.cw, level); err != nil {
			return 0, 0, err
		}
		if ww.gz == nil {
			ww.gz = map[int]*gzip.Writer{}
		}
		ww.gz[level] = zw
	} else {
		zw.Reset(ww.cw)
	}
	id, err := newUUID()
	if err != nil {
		return 0, 0, err
	}
	var h strings.Builder
	h.WriteString("WARC/1.1\r\n")
	field := func(k, v string) { h.WriteString(k + ": " + headerSafe(v) + "\r\n") }
	field("WARC-Type", rec.Type)
	field("WARC-Record-ID", "<urn:uuid:"+id+">")
	field("WARC-Date", rec.Date.UTC().Format("2006-01-02T15:04:05.000Z"))
	if rec.TargetURI != "" {
		field("WARC-Target-URI", rec.TargetURI)
	}
	for _, kv := range rec.Extra {
		field(kv[0], kv[1])
	}
	field("Content-Type", rec.ContentType)
	field("WARC-Block-Digest", "sha256:"+rec.SHA256)
	if rec.Type == "resource" {
		field("WARC-Payload-Digest", "sha256:"+rec.SHA256)
	}
	field("Content-Length", fmt.Sprint(rec.Length))
	h.WriteString("\r\n")
	if _, err := io.WriteString(zw, h.String()); err != nil {
		return 0, 0, err
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(zw, sum), block)
	if err != nil {
		return 0, 0, err
	}
	if n != rec.Length || hex.EncodeToString(sum.Sum(nil)) != rec.SHA256 {
		return 0, 0, fmt.Errorf("%s: stored bytes (%d) differ from those recorded at capture (%d, sha256 %s); the store is damaged", rec.TargetURI, n, rec.Length, rec.SHA256)
	}
	if _, err := io.WriteString(zw, "\r\n\r\n"); err != nil {
		return 0, 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, 0, err
	}
	return offset, ww.cw.n - offset, nil
}

// headerSafe percent-encodes control characters, space and DEL, so a value
// (a page URL with a newline in it) can neither end its header line and
// inject another nor split a CDXJ line. Page URLs get it before they are
// used anywhere in the WACZ, so the index and the records agree.
func headerSafe(v string) string {
	if !strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("uuid: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:], nil
}

// SURT is the sort-friendly URL key of CDXJ: host reversed and
// comma-joined, "www." dropped, then ")" and the lower-cased path and sorted
// query. Non-HTTP URIs (urn:view:…) are used as they are.
func SURT(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return raw
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	parts := strings.Split(host, ".")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	key := strings.Join(parts, ",")
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80") && !(u.Scheme == "https" && p == "443") {
		key += ":" + p
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	key += ")" + strings.ToLower(path)
	if u.RawQuery != "" {
		q := strings.Split(u.RawQuery, "&")
		sort.Strings(q)
		key += "?" + strings.ToLower(strings.Join(q, "&"))
	}
	return key
}

// stripFragment drops "#…": browsers never send it, so replay looks pages up without it.
func stripFragment(raw string) string {
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		return raw[:i]
	}
	return raw
}
