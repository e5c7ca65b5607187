package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/big"
	"os"
	"sort"
	"strings"
	"time"
)

// WACZ 1.1.1 paths.
const (
	WACZVersion       = "1.1.1"
	WACZWarc          = "archive/data.warc.gz"
	WACZIndex         = "indexes/index.cdx"
	WACZPages         = "pages/pages.jsonl"
	WACZDataPackage   = "datapackage.json"
	WACZDigest        = "datapackage-digest.json"
	waczWarcName      = "data.warc.gz"
	waczSoftwareLabel = "ringfence"
)

// DataPackage is datapackage.json.
type DataPackage struct {
	Profile      string        `json:"profile"`
	WACZVersion  string        `json:"wacz_version"`
	Title        string        `json:"title"`
	Description  string        `json:"description,omitempty"`
	Created      string        `json:"created"`
	Modified     string        `json:"modified"`
	Software     string        `json:"software"`
	MainPageURL  string        `json:"mainPageUrl,omitempty"`
	MainPageDate string        `json:"mainPageDate,omitempty"`
	Resources    []WACZFile    `json:"resources"`
	Ringfence    *WACZSnapInfo `json:"ringfence,omitempty"`
}

// WACZSnapInfo records which snapshots a WACZ holds.
type WACZSnapInfo struct {
	Snapshots []string `json:"snapshots"`
	Filter    Filter   `json:"filter"`
}

// WACZFile is one resource of datapackage.json.
type WACZFile struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Hash  string `json:"hash"`
	Bytes int64  `json:"bytes"`
}

// DataPackageDigest is datapackage-digest.json with an anonymous signature
// (WACZ Signing and Verification 0.1.0).
type DataPackageDigest struct {
	Path       string     `json:"path"`
	Hash       string     `json:"hash"`
	SignedData SignedData `json:"signedData"`
}

// SignedData is the anonymous signature: ECDSA P-384 with SHA-256 over the
// UTF-8 bytes of Hash, as raw r‖s (the WebCrypto form), base64; PublicKey is
// the base64 SPKI DER.
type SignedData struct {
	Hash      string `json:"hash"`
	Created   string `json:"created"`
	Software  string `json:"software"`
	Version   string `json:"version"`
	Signature string `json:"signature"`
	PublicKey string `json:"publicKey"`
}

// cdxFields is the JSON of a CDXJ line, in the field order and form of
// webrecorder's own indexer (warcio.js CDXIndexer): digest is the payload
// digest without its "sha256:" label; resource records have no status.
type cdxFields struct {
	URL      string `json:"url"`
	MIME     string `json:"mime"`
	Digest   string `json:"digest"`
	Length   string `json:"length"`
	Offset   string `json:"offset"`
	Filename string `json:"filename"`
}

// cdxLine is one CDXJ index entry before sorting.
type cdxLine struct {
	key  string // "<surt> <timestamp>"
	body string // JSON
}

// WACZKey derives the P-384 key that signs WACZ files from the Ed25519 kit
// key, so one keyring entry backs both and a user's WACZ public key is stable.
func WACZKey(signing ed25519.PrivateKey) (*ecdsa.PrivateKey, error) {
	n := elliptic.P384().Params().N
	for i := 0; i < 64; i++ {
		b, err := hkdf.Key(sha256.New, signing.Seed(), nil, fmt.Sprintf("ringfence wacz p384 v1 %d", i), 48)
		if err != nil {
			return nil, fmt.Errorf("derive WACZ key: %w", err)
		}
		if k := new(big.Int).SetBytes(b); k.Sign() > 0 && k.Cmp(n) < 0 {
			return ecdsa.ParseRawPrivateKey(elliptic.P384(), b)
		}
	}
	return nil, errors.New("derive WACZ key: no valid scalar")
}

// pageURL is where a snapshot's DOM replays: its final URL without fragment.
func pageURL(s Snapshot) string {
	u := s.FinalURL
	if u == "" {
		u = s.URL
	}
	return stripFragment(u)
}

// recordFor says how an artifact is archived: its WARC-Target-URI, or "" to leave it out.
func recordFor(s Snapshot, a Artifact, shot string) string {
	page := pageURL(s)
	switch {
	case a.Name == "dom.html" || (a.MIME == "text/html" && !strings.Contains(a.Name, ".")):
		return page
	case a.Name == shot:
		return "urn:view:" + page
	case a.MIME == "text/plain" && strings.HasPrefix(a.Name, "text"):
		return "urn:text:" + page
	}
	return "urn:ringfence:" + s.ID + "/" + a.Name
}

// WriteWACZ streams a WACZ 1.1.1 file: each snapshot's sanitized DOM as a
// resource record at its URL, the visible screenshot as urn:view:, the other
// artifacts under urn:ringfence:. The WARC is spooled to a temporary file
// (the zip needs its CRC before the data), never held in memory.
func WriteWACZ(ctx context.Context, src Source, w io.Writer, o Options) (Result, error) {
	if len(o.SigningKey) != ed25519.PrivateKeySize {
		return Result{}, errors.New("export: no signing key")
	}
	now, progress := o.start()
	snaps, err := selectSnapshots(ctx, src, o.Filter)
	if err != nil {
		return Result{}, err
	}

	tmp, err := tempFile(o.TempDir, "ringfence-warc-*")
	if err != nil {
		return Result{}, err
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
	crc := crc32.NewIEEE()
	sum := sha256.New()
	// Buffered: the gzip members arrive in small writes, and each went
	// straight to write(2), the CRC and the hash.
	spool := bufio.NewWriterSize(io.MultiWriter(tmp, crc, sum), 1<<20)
	ww := &warcWriter{cw: &countWriter{w: spool}}

	info := fmt.Sprintf("software: ringfence %s\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n", o.HostVersion)
	ih := sha256.Sum256([]byte(info))
	if _, _, err := ww.write(warcRecord{Type: "warcinfo", Date: now, ContentType: "application/warc-fields",
		Length: int64(len(info)), SHA256: hex.EncodeToString(ih[:]), Extra: [][2]string{{"WARC-Filename", waczWarcName}}},
		strings.NewReader(info)); err != nil {
		return Result{}, fmt.Errorf("warc: %w", err)
	}

	var cdx []cdxLine
	var pages bytes.Buffer
	pages.WriteString(`{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}` + "\n")
	ids := make([]string, 0, len(snaps))
	for i, s := range snaps {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		shot := ""
		for _, a := range s.Artifacts {
			if isScreenshot(a) {
				shot = a.Name
				break
			}
		}
		ts := s.CapturedAt.UTC().Format("20060102150405")
		for _, a := range s.Artifacts {
			uri := recordFor(s, a, shot)
			rc, err := src.OpenArtifact(ctx, s.ID, a.Name)
			if err != nil {
				return Result{}, fmt.Errorf("snapshot %s: open %s: %w", s.ID, a.Name, err)
			}
			off, n, err := ww.write(warcRecord{Type: "resource", TargetURI: uri, Date: s.CapturedAt, ContentType: a.MIME,
				Length: a.Size, SHA256: a.SHA256, Extra: [][2]string{{"Ringfence-Snapshot-ID", s.ID}}}, rc)
			rc.Close()
			if err != nil {
				return Result{}, fmt.Errorf("snapshot %s: %s: %w", s.ID, a.Name, err)
			}
			body, _ := json.Marshal(cdxFields{URL: uri, MIME: a.MIME, Digest: a.SHA256,
				Length: fmt.Sprint(n), Offset: fmt.Sprint(off), Filename: waczWarcName})
			cdx = append(cdx, cdxLine{key: SURT(uri) + " " + ts, body: string(body)})
		}
		pl, _ := json.Marshal(map[string]any{"id": s.ID, "url": pageURL(s), "ts": s.CapturedAt.UTC().Format(time.RFC3339Nano), "title": s.Title})
		pages.Write(append(pl, '\n'))
		ids = append(ids, s.ID)
		progress(i+1, len(snaps), "artifacts")
	}
	warcSize := ww.cw.n
	if err := spool.Flush(); err != nil {
		return Result{}, fmt.Errorf("warc: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return Result{}, err
	}

	sort.SliceStable(cdx, func(i, j int) bool { return cdx[i].key < cdx[j].key })
	var index bytes.Buffer
	for _, l := range cdx {
		index.WriteString(l.key + " " + l.body + "\n")
	}

	zw := zip.NewWriter(w)
	var res []WACZFile
	fh := &zip.FileHeader{Name: WACZWarc, Method: zip.Store, Modified: now,
		CRC32: crc.Sum32(), CompressedSize64: uint64(warcSize), UncompressedSize64: uint64(warcSize)}
	fw, err := zw.CreateRaw(fh)
	if err != nil {
		return Result{}, fmt.Errorf("zip: %w", err)
	}
	if _, err := io.Copy(fw, tmp); err != nil {
		return Result{}, fmt.Errorf("zip %s: %w", WACZWarc, err)
	}
	res = append(res, WACZFile{Name: waczWarcName, Path: WACZWarc, Hash: "sha256:" + hex.EncodeToString(sum.Sum(nil)), Bytes: warcSize})
	add := func(path string, b []byte) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Deflate, Modified: now})
		if err != nil {
			return fmt.Errorf("zip %s: %w", path, err)
		}
		if _, err := fw.Write(b); err != nil {
			return fmt.Errorf("zip %s: %w", path, err)
		}
		return nil
	}
	for _, f := range []struct {
		path string
		b    []byte
	}{{WACZIndex, index.Bytes()}, {WACZPages, pages.Bytes()}} {
		if err := add(f.path, f.b); err != nil {
			return Result{}, err
		}
		h := sha256.Sum256(f.b)
		res = append(res, WACZFile{Name: f.path[strings.LastIndexByte(f.path, '/')+1:], Path: f.path, Hash: "sha256:" + hex.EncodeToString(h[:]), Bytes: int64(len(f.b))})
	}
	newest := snaps[0]
	dp := DataPackage{
		Profile: "data-package", WACZVersion: WACZVersion,
		Title:       "Ringfence evidence",
		Description: fmt.Sprintf("%d snapshot(s) of OpenAI account pages captured by the Ringfence extension.", len(snaps)),
		Created:     now.Format(time.RFC3339Nano), Modified: now.Format(time.RFC3339Nano),
		Software:    waczSoftwareLabel + " " + o.HostVersion,
		MainPageURL: pageURL(newest), MainPageDate: newest.CapturedAt.UTC().Format(time.RFC3339Nano),
		Resources: res, Ringfence: &WACZSnapInfo{Snapshots: ids, Filter: o.Filter},
	}
	dpb, err := json.MarshalIndent(dp, "", "  ")
	if err != nil {
		return Result{}, err
	}
	if err := add(WACZDataPackage, dpb); err != nil {
		return Result{}, err
	}
	digest, err := signDataPackage(dpb, o.SigningKey, now, o.HostVersion)
	if err != nil {
		return Result{}, err
	}
	db, _ := json.MarshalIndent(digest, "", "  ")
	if err := add(WACZDigest, db); err != nil {
		return Result{}, err
	}
	if err := zw.Close(); err != nil {
		return Result{}, fmt.Errorf("finish zip: %w", err)
	}
	progress(len(snaps), len(snaps), "report")
	return Result{Snapshots: len(snaps), Files: len(res) + 2, Fingerprint: digest.SignedData.PublicKey}, nil
}

func signDataPackage(dp []byte, signing ed25519.PrivateKey, now time.Time, ver string) (DataPackageDigest, error) {
	key, err := WACZKey(signing)
	if err != nil {
		return DataPackageDigest{}, err
	}
	h := sha256.Sum256(dp)
	hashStr := "sha256:" + hex.EncodeToString(h[:])
	msg := sha256.Sum256([]byte(hashStr))
	der, err := ecdsa.SignASN1(rand.Reader, key, msg[:])
	if err != nil {
		return DataPackageDigest{}, fmt.Errorf("sign datapackage.json: %w", err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		return DataPackageDigest{}, fmt.Errorf("sign datapackage.json: %w", err)
	}
	raw := make([]byte, 96)
	rs.R.FillBytes(raw[:48])
	rs.S.FillBytes(raw[48:])
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return DataPackageDigest{}, err
	}
	return DataPackageDigest{Path: WACZDataPackage, Hash: hashStr, SignedData: SignedData{
		Hash: hashStr, Created: now.Format(time.RFC3339Nano), Software: waczSoftwareLabel, Version: ver,
		Signature: base64.StdEncoding.EncodeToString(raw), PublicKey: base64.StdEncoding.EncodeToString(spki),
	}}, nil
}
