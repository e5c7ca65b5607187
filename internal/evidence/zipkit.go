package evidence

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"time"
)

// FileEntry is one file of a kit as listed in manifest.json.
type FileEntry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// kitZip streams files into a zip, hashing each while it is written, and
// remembers only the (path, size, hash) of each.
type kitZip struct {
	zw    *zip.Writer
	mtime time.Time
	files []FileEntry
	fw    *flate.Writer // reused for every deflated file (they are written one at a time)
	fr    io.ReadCloser // an inflater, reset for each stream copyDeflated takes
	raw   []byte        // while copyDeflated writes an entry: its deflate data
}

func newKitZip(w io.Writer, mtime time.Time) *kitZip {
	k := &kitZip{zw: zip.NewWriter(w), mtime: mtime}
	// The fastest level: at the default one, deflating the DOMs and MHTML
	// of a large export took longer than reading and decrypting everything.
	k.zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if k.raw != nil {
			return &rawDeflate{out: out, z: k.raw}, nil
		}
		if k.fw == nil {
			return k.setFlate(flate.NewWriter(out, flate.BestSpeed))
		}
		k.fw.Reset(out)
		return k.fw, nil
	})
	return k
}

func (k *kitZip) setFlate(fw *flate.Writer, err error) (io.WriteCloser, error) {
	k.fw = fw
	return fw, err
}

// hashWriter counts and hashes what passes through to w.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

// copy writes r as path. Already-compressed data (images) is stored, the rest
// deflated. tee, when non-nil, also receives the bytes.
func (k *kitZip) copy(path string, r io.Reader, compress bool, tee io.Writer) (FileEntry, error) {
	method := zip.Store
	if compress {
		method = zip.Deflate
	}
	fw, err := k.zw.CreateHeader(&zip.FileHeader{Name: path, Method: method, Modified: k.mtime})
	if err != nil {
		return FileEntry{}, fmt.Errorf("zip %s: %w", path, err)
	}
	hw := &hashWriter{w: fw, h: sha256.New()}
	var dst io.Writer = hw
	if tee != nil {
		dst = io.MultiWriter(hw, tee)
	}
	if _, err := io.Copy(dst, r); err != nil {
		return FileEntry{}, fmt.Errorf("write %s: %w", path, err)
	}
	fe := FileEntry{Path: path, Size: hw.n, SHA256: hex.EncodeToString(hw.h.Sum(nil))}
	k.files = append(k.files, fe)
	return fe, nil
}

// copyDeflated writes path from z, the raw deflate stream the store keeps
// the file in, taking z itself as the entry's data (a zip entry's deflate
// data is exactly such a stream) instead of compressing the bytes again.
// The inflated bytes still pass through the entry, which gives its CRC-32,
// size and hash (checked by the caller) as for any file; only the
// compressor writes z in their place.
func (k *kitZip) copyDeflated(path string, z []byte, tee io.Writer) (FileEntry, error) {
	if k.fr == nil {
		k.fr = flate.NewReader(bytes.NewReader(z))
	} else if err := k.fr.(flate.Resetter).Reset(bytes.NewReader(z), nil); err != nil {
		return FileEntry{}, err
	}
	k.raw = z
	defer func() { k.raw = nil }()
	fe, err := k.copy(path, k.fr, true, tee)
	if err != nil {
		return fe, fmt.Errorf("%w (reading the store's deflate stream)", err)
	}
	return fe, nil
}

// rawDeflate is the compressor of a copyDeflated entry: it drops the bytes
// written to it and writes the stream they were inflated from.
type rawDeflate struct {
	out io.Writer
	z   []byte
}

func (r *rawDeflate) Write(p []byte) (int, error) { return len(p), nil }

func (r *rawDeflate) Close() error {
	_, err := r.out.Write(r.z)
	return err
}

// append copies every entry of other, a closed kit written to f, into k as
// it is (no recompression) and lists its files after k's.
func (k *kitZip) append(other *kitZip, f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return fmt.Errorf("zip: reread staged files: %w", err)
	}
	for _, zf := range zr.File {
		if err := k.zw.Copy(zf); err != nil {
			return fmt.Errorf("zip %s: %w", zf.Name, err)
		}
	}
	k.files = append(k.files, other.files...)
	return nil
}

func (k *kitZip) close() error {
	if err := k.zw.Close(); err != nil {
		return fmt.Errorf("finish zip: %w", err)
	}
	return nil
}

// capBuffer keeps the first limit bytes written to it and drops the rest,
// remembering that it overflowed; it never fails the write.
type capBuffer struct {
	buf   []byte
	limit int
	total int64
}

func (c *capBuffer) Write(p []byte) (int, error) {
	if room := c.limit - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
	c.total += int64(len(p))
	return len(p), nil
}

// complete reports whether every byte written is in buf.
func (c *capBuffer) complete() bool { return c.total == int64(len(c.buf)) }
