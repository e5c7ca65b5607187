package evidence

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
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
	fr    io.ReadCloser // an inflater, reset for each stream copyDeflated checks
}

func newKitZip(w io.Writer, mtime time.Time) *kitZip {
	k := &kitZip{zw: zip.NewWriter(w), mtime: mtime}
	// The fastest level: at the default one, deflating the DOMs and MHTML
	// of a large export took longer than reading and decrypting everything.
	k.zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
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

// hashWriter counts and hashes (unless h is nil) what passes through to w.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	if hw.h != nil {
		hw.h.Write(p[:n])
	}
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
	// Bytes the source checks against their SHA-256 by EOF (the store's
	// inflating reader) have that hash once copied: no second pass.
	hw := &hashWriter{w: fw}
	verified := ""
	if v, ok := r.(shaVerifier); ok {
		verified = v.VerifiedSHA256()
	} else {
		hw.h = sha256.New()
	}
	var dst io.Writer = hw
	if tee != nil {
		dst = io.MultiWriter(hw, tee)
	}
	if _, err := io.Copy(dst, r); err != nil {
		return FileEntry{}, fmt.Errorf("write %s: %w", path, err)
	}
	fe := FileEntry{Path: path, Size: hw.n, SHA256: verified}
	if hw.h != nil {
		fe.SHA256 = hex.EncodeToString(hw.h.Sum(nil))
	}
	k.files = append(k.files, fe)
	return fe, nil
}

// copyDeflated writes path from z, the raw deflate stream the store keeps
// the file in, as the entry's data as it is (a zip entry's deflate data is
// exactly such a stream), without compressing the bytes again. z is
// inflated once first: that gives the CRC-32 and size the header needs and
// checks the bytes against size and sha (the hash recorded at capture);
// tee, when non-nil, receives them.
func (k *kitZip) copyDeflated(path string, z []byte, size int64, sha string, tee io.Writer) (FileEntry, error) {
	if k.fr == nil {
		k.fr = flate.NewReader(bytes.NewReader(z))
	} else if err := k.fr.(flate.Resetter).Reset(bytes.NewReader(z), nil); err != nil {
		return FileEntry{}, err
	}
	crc, sum := crc32.NewIEEE(), sha256.New()
	var w io.Writer = io.MultiWriter(crc, sum)
	if tee != nil {
		w = io.MultiWriter(crc, sum, tee)
	}
	n, err := io.Copy(w, k.fr)
	if err != nil {
		return FileEntry{}, fmt.Errorf("%s: the store's deflate stream does not inflate: %w", path, err)
	}
	fe := FileEntry{Path: path, Size: n, SHA256: hex.EncodeToString(sum.Sum(nil))}
	if n != size || fe.SHA256 != sha {
		return fe, nil // the caller reports the damage
	}
	fh := &zip.FileHeader{Name: path, Method: zip.Deflate, CRC32: crc.Sum32(),
		CompressedSize64: uint64(len(z)), UncompressedSize64: uint64(n)}
	setModified(fh, k.mtime)
	fw, err := k.zw.CreateRaw(fh)
	if err != nil {
		return FileEntry{}, fmt.Errorf("zip %s: %w", path, err)
	}
	if _, err := fw.Write(z); err != nil {
		return FileEntry{}, fmt.Errorf("write %s: %w", path, err)
	}
	k.files = append(k.files, fe)
	return fe, nil
}

// setModified does for an entry written with CreateRaw what CreateHeader
// does with Modified: the MS-DOS date and time, and the extended timestamp
// (Info-ZIP's 0x5455 extra field) that readers take Modified from.
func setModified(fh *zip.FileHeader, t time.Time) {
	fh.CreatorVersion, fh.ReaderVersion = 20, 20
	fh.Modified = t
	fh.ModifiedDate = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	fh.ModifiedTime = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	var eb [9]byte
	binary.LittleEndian.PutUint16(eb[0:], 0x5455)
	binary.LittleEndian.PutUint16(eb[2:], 5)
	eb[4] = 1 // the modification time only
	binary.LittleEndian.PutUint32(eb[5:], uint32(t.Unix()))
	fh.Extra = append(fh.Extra, eb[:]...)
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
