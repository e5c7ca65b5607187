package evidence

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"math/bits"
	"net/url"
	"sort"
	"strconv"
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

// warcWriter appends records to the WARC and knows their offsets.
type warcWriter struct {
	cw  *countWriter
	enc recordEncoder
}

// recordEncoder turns records into gzip members; each goroutine that
// encodes has its own (it reuses its compressor).
type recordEncoder struct {
	// One gzip writer, reset for each record: a new one per record
	// allocated and zeroed the compressor's ~1 MB state thousands of times
	// per export.
	gz *gzip.Writer
	// recordID makes a WARC-Record-ID: a random UUID; tests make it
	// deterministic to compare outputs byte for byte.
	recordID func(warcRecord) (string, error)
	fr       io.ReadCloser // an inflater, reset for each deflated block
	scratch  []byte        // splice's member, reused
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
// member's offset and length in the WARC file.
func (ww *warcWriter) write(rec warcRecord, block io.Reader) (offset, length int64, err error) {
	offset = ww.cw.n
	if err := ww.enc.encode(ww.cw, rec, block); err != nil {
		return 0, 0, err
	}
	return offset, ww.cw.n - offset, nil
}

// writeMember appends a record that recordEncoder.encode made already.
func (ww *warcWriter) writeMember(member []byte) (offset, length int64, err error) {
	offset = ww.cw.n
	if _, err := ww.cw.Write(member); err != nil {
		return 0, 0, err
	}
	return offset, int64(len(member)), nil
}

// encode writes rec as one gzip member to dst, streaming block and
// checking it against the length and SHA-256 recorded at capture. A block
// that is compressed already (PNG) goes into stored deflate blocks written
// straight from its bytes — still one gzip member, without spending time
// squeezing nothing out of it — the rest at the fastest level.
func (e *recordEncoder) encode(dst io.Writer, rec warcRecord, block io.Reader) error {
	h, err := e.header(rec)
	if err != nil {
		return err
	}
	var zw io.WriteCloser
	if compressible(rec.ContentType) {
		if e.gz == nil {
			if e.gz, err = gzip.NewWriterLevel(dst, gzip.BestSpeed); err != nil {
				return err
			}
		} else {
			e.gz.Reset(dst)
		}
		zw = e.gz
	} else {
		zw = newStoredGzip(dst)
	}
	if _, err := io.WriteString(zw, h); err != nil {
		return err
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(zw, sum), block)
	if err != nil {
		return err
	}
	if n != rec.Length || hex.EncodeToString(sum.Sum(nil)) != rec.SHA256 {
		return fmt.Errorf("%s: stored bytes (%d) differ from those recorded at capture (%d, sha256 %s); the store is damaged", rec.TargetURI, n, rec.Length, rec.SHA256)
	}
	if _, err := io.WriteString(zw, "\r\n\r\n"); err != nil {
		return err
	}
	return zw.Close()
}

// header is rec's WARC header block, up to the empty line.
func (e *recordEncoder) header(rec warcRecord) (string, error) {
	id := e.recordID
	if id == nil {
		id = randomRecordID
	}
	uuid, err := id(rec)
	if err != nil {
		return "", err
	}
	var h strings.Builder
	h.WriteString("WARC/1.1\r\n")
	field := func(k, v string) { h.WriteString(k + ": " + headerSafe(v) + "\r\n") }
	field("WARC-Type", rec.Type)
	field("WARC-Record-ID", "<urn:uuid:"+uuid+">")
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
	field("Content-Length", strconv.FormatInt(rec.Length, 10))
	h.WriteString("\r\n")
	return h.String(), nil
}

// encodeDeflated writes rec as one gzip member to dst when its block is
// given as the raw deflate stream z the store keeps it in: spliced in as
// it is when it can be (splice), else inflated and compressed again. tee,
// when non-nil, receives the block.
func (e *recordEncoder) encodeDeflated(dst io.Writer, rec warcRecord, z []byte, tee *capBuffer) error {
	ok, err := e.splice(dst, rec, z, tee)
	if ok || err != nil {
		return err
	}
	if e.fr == nil {
		e.fr = flate.NewReader(bytes.NewReader(z))
	} else if err := e.fr.(flate.Resetter).Reset(bytes.NewReader(z), nil); err != nil {
		return err
	}
	var block io.Reader = e.fr
	if tee != nil {
		block = io.TeeReader(block, tee)
	}
	return e.encode(dst, rec, block)
}

// splice writes rec as a gzip member whose deflate stream is z itself (the
// block as compress/flate compressed it for the store) between a stored
// block holding the WARC header and a final one holding the record's end,
// so nothing is compressed a second time. z's last block, the empty stored
// block compress/flate ends every stream with, loses its BFINAL bit. The
// member is inflated before anything is written, which checks the block
// against rec's length and SHA-256 and gives the CRC-32. ok is false, with
// nothing written and tee left empty, when z does not end that way or the
// member does not inflate to the record; the caller then takes the long
// way, which tells a damaged block from an unusual stream.
func (e *recordEncoder) splice(dst io.Writer, rec warcRecord, z []byte, tee *capBuffer) (ok bool, err error) {
	at, bit, found := finalBit(z)
	if !found {
		return false, nil
	}
	head, err := e.header(rec)
	if err != nil {
		return false, err
	}
	const end = "\r\n\r\n"
	m := append(e.scratch[:0], gzipHeader...)
	m = appendStored(m, head, false)
	m = append(m, z...)
	m[len(m)-len(z)+at] &^= bit
	m = appendStored(m, end, true)
	defer func() {
		if cap(m) <= pipeKeepBuf {
			e.scratch = m
		}
	}()

	// Inflate what will be written and compare.
	br := bytes.NewReader(m[len(gzipHeader):])
	if e.fr == nil {
		e.fr = flate.NewReader(br)
	} else if err := e.fr.(flate.Resetter).Reset(br, nil); err != nil {
		return false, err
	}
	crc := crc32.NewIEEE()
	sum := sha256.New()
	var w io.Writer = io.MultiWriter(crc, sum)
	if tee != nil {
		w = io.MultiWriter(crc, sum, tee)
	}
	ok = e.inflatesTo(crc, head) &&
		copyExactly(w, e.fr, rec.Length) &&
		hex.EncodeToString(sum.Sum(nil)) == rec.SHA256
	if ok {
		rest, err := io.ReadAll(io.LimitReader(e.fr, int64(len(end))+1))
		ok = err == nil && string(rest) == end && br.Len() == 0
	}
	if !ok {
		if tee != nil {
			*tee = capBuffer{limit: tee.limit}
		}
		return false, nil
	}
	crc.Write([]byte(end))
	m = binary.LittleEndian.AppendUint32(m, crc.Sum32())
	m = binary.LittleEndian.AppendUint32(m, uint32(int64(len(head))+rec.Length+int64(len(end))))
	_, err = dst.Write(m)
	return true, err
}

// inflatesTo reads len(want) bytes from e.fr into crc and reports whether
// they are want.
func (e *recordEncoder) inflatesTo(crc io.Writer, want string) bool {
	buf := make([]byte, len(want))
	if _, err := io.ReadFull(e.fr, buf); err != nil || string(buf) != want {
		return false
	}
	crc.Write(buf)
	return true
}

// copyExactly copies n bytes from r to w and reports whether there were n.
func copyExactly(w io.Writer, r io.Reader, n int64) bool {
	got, err := io.CopyN(w, r, n)
	return err == nil && got == n
}

// finalBit finds the BFINAL bit of the empty stored block compress/flate
// ends every stream with (Close): its three header bits (BFINAL 1, BTYPE
// 00), zero padding to the byte boundary, LEN 00 00, NLEN ff ff. Bits are
// packed from the lowest, so BFINAL is the highest set bit of the byte
// before LEN, or, when the header did not fit in that byte (BFINAL at bit
// 6 or 7), of the byte before it.
func finalBit(z []byte) (at int, bit byte, ok bool) {
	n := len(z)
	if n < 6 || string(z[n-4:]) != "\x00\x00\xff\xff" {
		return 0, 0, false
	}
	if b := z[n-5]; b != 0 {
		hb := bits.Len8(b) - 1
		return n - 5, 1 << hb, hb <= 5
	}
	hb := bits.Len8(z[n-6]) - 1
	return n - 6, 1 << max(hb, 0), hb >= 6
}

// appendStored appends p as stored deflate blocks, the last one final when
// final is set.
func appendStored(m []byte, p string, final bool) []byte {
	for {
		k := min(len(p), maxStored)
		var first byte
		if final && k == len(p) {
			first = 1
		}
		m = append(m, first)
		m = binary.LittleEndian.AppendUint16(m, uint16(k))
		m = binary.LittleEndian.AppendUint16(m, ^uint16(k))
		m = append(m, p[:k]...)
		if p = p[k:]; len(p) == 0 {
			return m
		}
	}
}

// storedGzip writes one gzip member (RFC 1952) whose deflate stream is
// stored blocks only (RFC 1951 3.2.4), straight from the bytes it is
// given: what gzip.NoCompression produces, without copying everything
// through the compressor's window first.
type storedGzip struct {
	w    io.Writer
	crc  uint32
	size uint32 // ISIZE: the input length mod 2^32
	err  error
}

// gzipHeader is a gzip member header as Go's gzip.Writer writes it: no
// name, no modification time, OS unknown.
const gzipHeader = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"

func newStoredGzip(w io.Writer) *storedGzip {
	s := &storedGzip{w: w}
	_, s.err = io.WriteString(w, gzipHeader)
	return s
}

// maxStored is the most one stored block holds.
const maxStored = 65535

func (s *storedGzip) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.crc = crc32.Update(s.crc, crc32.IEEETable, p)
	s.size += uint32(len(p))
	for rest := p; len(rest) > 0; {
		k := min(len(rest), maxStored)
		s.block(false, rest[:k])
		rest = rest[k:]
	}
	if s.err != nil {
		return 0, s.err
	}
	return len(p), nil
}

// block writes one stored block: BFINAL and BTYPE 00 in the first byte
// (the rest of it is padding to the byte boundary), LEN and its
// complement, the bytes.
func (s *storedGzip) block(final bool, p []byte) {
	if s.err != nil {
		return
	}
	var hdr [5]byte
	if final {
		hdr[0] = 1
	}
	binary.LittleEndian.PutUint16(hdr[1:], uint16(len(p)))
	binary.LittleEndian.PutUint16(hdr[3:], ^uint16(len(p)))
	if _, s.err = s.w.Write(hdr[:]); s.err == nil && len(p) > 0 {
		_, s.err = s.w.Write(p)
	}
}

// Close ends the deflate stream with an empty final block, as
// compress/flate does, then writes the CRC-32 and size trailer.
func (s *storedGzip) Close() error {
	s.block(true, nil)
	if s.err != nil {
		return s.err
	}
	var tr [8]byte
	binary.LittleEndian.PutUint32(tr[:4], s.crc)
	binary.LittleEndian.PutUint32(tr[4:], s.size)
	_, s.err = s.w.Write(tr[:])
	return s.err
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

func randomRecordID(warcRecord) (string, error) { return newUUID() }

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
