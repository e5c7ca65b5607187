package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/textproto"
	"strconv"
	"strings"
)

// VerifyWACZ checks a WACZ: datapackage.json against every file, the digest
// file and its anonymous ECDSA signature, CDXJ ordering, and that every index
// entry points at a WARC record whose URI and block digest match.
func VerifyWACZ(ctx context.Context, ra io.ReaderAt, size int64) (*Verification, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, err
	}
	v := &Verification{sigFile: WACZDigest}
	entries := map[string]*zip.File{}
	var order []string
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") && f.UncompressedSize64 == 0 {
			continue // a directory entry, as `zip -r` adds
		}
		if !validPath(f.Name) {
			v.add(f.Name, "unsafe path in the zip")
			continue
		}
		if _, dup := entries[f.Name]; dup {
			v.add(f.Name, "appears more than once in the zip")
			continue
		}
		entries[f.Name] = f
		order = append(order, f.Name)
	}
	read := func(name string) []byte {
		f, ok := entries[name]
		if !ok {
			v.add(name, "missing")
			return nil
		}
		b, err := readEntry(f, maxSmallFile)
		if err != nil {
			v.add(name, "cannot be read: %v", err)
			return nil
		}
		return b
	}

	dpb := read(WACZDataPackage)
	var dp DataPackage
	if dpb != nil {
		if err := json.Unmarshal(dpb, &dp); err != nil {
			v.add(WACZDataPackage, "is not valid JSON: %v", err)
		} else {
			if dp.Profile != "data-package" || dp.WACZVersion != WACZVersion {
				v.add(WACZDataPackage, "profile %q, wacz_version %q; want data-package, %s", dp.Profile, dp.WACZVersion, WACZVersion)
			}
			if dp.Ringfence != nil {
				v.Snapshots = len(dp.Ringfence.Snapshots)
			}
		}
	}
	listed := map[string]bool{WACZDataPackage: true, WACZDigest: true, FileTimestamp: true}
	for _, r := range dp.Resources {
		listed[r.Path] = true
		f, ok := entries[r.Path]
		if !ok {
			v.add(r.Path, "missing (listed in datapackage.json)")
			continue
		}
		fe, err := hashEntry(f)
		switch {
		case err != nil:
			v.add(r.Path, "cannot be read: %v", err)
		case fe.Size != r.Bytes:
			v.add(r.Path, "is %d bytes, datapackage.json says %d", fe.Size, r.Bytes)
		case "sha256:"+fe.SHA256 != r.Hash:
			v.add(r.Path, "sha256:%s does not match datapackage.json (%s)", fe.SHA256, r.Hash)
		}
	}
	for _, name := range order {
		if !listed[name] {
			v.add(name, "extra file, not listed in datapackage.json")
		}
	}
	v.Files = len(order)

	if db := read(WACZDigest); db != nil && dpb != nil {
		verifyDigest(v, db, dpb)
	}
	if f, ok := entries[WACZWarc]; ok {
		if idx := read(WACZIndex); idx != nil {
			if err := verifyIndex(ctx, v, idx, ra, f); err != nil {
				return nil, err
			}
		}
		if f.Method != zip.Store {
			v.add(WACZWarc, "must be stored uncompressed in the zip for random access")
		}
	} else {
		v.add(WACZWarc, "missing")
	}
	if pb := read(WACZPages); pb != nil {
		verifyPages(v, pb)
	}
	// The event log, when the WACZ carries one (Ringfence 0.2 and later).
	if f, ok := entries[WACZEvents]; ok {
		chain := checkEvents(v, f)
		v.Events, v.ChainHead = chain.Count, chain.Head
		if dp.Ringfence == nil || dp.Ringfence.EventChain == nil {
			v.add(WACZDataPackage, "has no ringfence.event_chain for %s", WACZEvents)
		} else if want := dp.Ringfence.EventChain; chain.Count != want.Count || chain.Head != want.Head {
			v.add(WACZEvents, "chain has %d events ending in %s, datapackage.json says %d ending in %s",
				chain.Count, short(chain.Head), want.Count, short(want.Head))
		}
	}
	checkTimestamp(v, entries, zr)
	dedupe(v)
	return v, nil
}

func verifyDigest(v *Verification, db, dpb []byte) {
	var d DataPackageDigest
	if err := json.Unmarshal(db, &d); err != nil {
		v.add(WACZDigest, "is not valid JSON: %v", err)
		return
	}
	h := sha256.Sum256(dpb)
	want := "sha256:" + hex.EncodeToString(h[:])
	if d.Path != WACZDataPackage || d.Hash != want {
		v.add(WACZDataPackage, "hash %s does not match datapackage-digest.json (%s)", want, d.Hash)
	}
	if d.SignedData.Hash != d.Hash {
		v.add(WACZDigest, "signedData.hash differs from hash")
	}
	spki, err := base64.StdEncoding.DecodeString(d.SignedData.PublicKey)
	if err != nil {
		v.add(WACZDigest, "publicKey is not base64: %v", err)
		return
	}
	k, err := x509.ParsePKIXPublicKey(spki)
	pub, ok := k.(*ecdsa.PublicKey)
	if err != nil || !ok || pub.Curve.Params().Name != "P-384" {
		v.add(WACZDigest, "publicKey is not an ECDSA P-384 key")
		return
	}
	v.Fingerprint = Fingerprint(pub)
	sig, err := base64.StdEncoding.DecodeString(d.SignedData.Signature)
	if err != nil || len(sig) != 96 {
		v.add(WACZDigest, "signature is not 96 bytes of base64 r‖s")
		return
	}
	msg := sha256.Sum256([]byte(d.SignedData.Hash))
	r, s := new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])
	if !ecdsa.Verify(pub, msg[:], r, s) {
		v.add(WACZDigest, "signature does not verify with publicKey")
		v.Fingerprint = ""
	}
}

func verifyIndex(ctx context.Context, v *Verification, idx []byte, ra io.ReaderAt, warc *zip.File) error {
	base, err := warc.DataOffset()
	if err != nil {
		v.add(WACZWarc, "cannot be located in the zip: %v", err)
		return nil
	}
	size := int64(warc.UncompressedSize64)
	prev := ""
	sc := bufio.NewScanner(bytes.NewReader(idx))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		text := sc.Text()
		parts := strings.SplitN(text, " ", 3)
		if len(parts) != 3 {
			v.add(WACZIndex, "line %d is not “<key> <timestamp> <json>”", line)
			continue
		}
		key := parts[0] + " " + parts[1]
		if key < prev {
			v.add(WACZIndex, "line %d is out of order (CDXJ must be sorted)", line)
		}
		prev = key
		var e struct{ URL, Digest, Offset, Length, Filename string }
		if err := json.Unmarshal([]byte(parts[2]), &e); err != nil {
			v.add(WACZIndex, "line %d: %v", line, err)
			continue
		}
		if SURT(e.URL) != parts[0] {
			v.add(WACZIndex, "line %d: key %q is not the SURT of %s", line, parts[0], e.URL)
		}
		off, err1 := strconv.ParseInt(e.Offset, 10, 64)
		n, err2 := strconv.ParseInt(e.Length, 10, 64)
		if err1 != nil || err2 != nil || off < 0 || n <= 0 || off+n > size || e.Filename != waczWarcName {
			v.add(WACZIndex, "line %d: bad offset/length/filename", line)
			continue
		}
		uri, digest, err := readRecord(io.NewSectionReader(ra, base+off, n))
		switch {
		case err != nil:
			v.add(WACZWarc, "record at offset %d (%s): %v", off, e.URL, err)
		case uri != e.URL:
			v.add(WACZWarc, "record at offset %d is %s, index says %s", off, uri, e.URL)
		case strings.TrimPrefix(digest, "sha256:") != strings.TrimPrefix(e.Digest, "sha256:"):
			v.add(WACZWarc, "record at offset %d (%s): block %s does not match index digest %s", off, e.URL, digest, e.Digest)
		}
	}
	return nil
}

// readRecord reads one gzip-member WARC record and returns its target URI
// and the SHA-256 of its block, after checking the declared block digest.
func readRecord(r io.Reader) (uri, digest string, err error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return "", "", err
	}
	zr.Multistream(false)
	br := bufio.NewReader(zr)
	ver, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(ver, "WARC/1.") {
		return "", "", fmt.Errorf("not a WARC record")
	}
	h, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		return "", "", fmt.Errorf("WARC headers: %v", err)
	}
	n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil {
		return "", "", fmt.Errorf("bad Content-Length")
	}
	sum := sha256.New()
	if _, err := io.CopyN(sum, br, n); err != nil {
		return "", "", fmt.Errorf("block: %v", err)
	}
	digest = "sha256:" + hex.EncodeToString(sum.Sum(nil))
	if h.Get("Warc-Block-Digest") != digest {
		return "", "", fmt.Errorf("block does not match its WARC-Block-Digest")
	}
	return h.Get("Warc-Target-Uri"), digest, nil
}

func verifyPages(v *Verification, pb []byte) {
	sc := bufio.NewScanner(bytes.NewReader(pb))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		var p map[string]any
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			v.add(WACZPages, "line %d is not JSON", line)
			continue
		}
		if line == 1 {
			if p["format"] != "json-pages-1.0" {
				v.add(WACZPages, "first line must be the json-pages-1.0 header")
			}
			continue
		}
		if u, _ := p["url"].(string); u == "" {
			v.add(WACZPages, "line %d has no url", line)
		}
		if ts, _ := p["ts"].(string); ts == "" {
			v.add(WACZPages, "line %d has no ts", line)
		}
	}
}
