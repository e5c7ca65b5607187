package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"os"
	"sort"
	"strconv"
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
	Snapshots  []string    `json:"snapshots"`
	Filter     Filter      `json:"filter"`
	EventChain *EventChain `json:"event_chain,omitempty"`
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

// pageURL is where a snapshot's DOM replays: its final URL without fragment.
func pageURL(s Snapshot) string {
	u := s.FinalURL
	if u == "" {
		u = s.URL
	}
	return headerSafe(stripFragment(u))
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

// WACZ extra files: what the kit carries besides the web archive, under
// WACZExtraDir and listed in datapackage.json like every other resource.
const (
	WACZExtraDir  = "ringfence/"
	WACZReport    = WACZExtraDir + "report.html"
	WACZEvents    = WACZExtraDir + "events.jsonl"
	WACZChecklist = WACZExtraDir + "checklist.json"
)

// pageTitle tells pages apart that share a document title: the settings
// tabs of chatgpt.com (#settings/Account, #settings/DataControls) are one
// URL with different fragments, so the fragment is named in the title.
func pageTitle(s Snapshot) string {
	t := s.Title
	u := s.FinalURL
	if u == "" {
		u = s.URL
	}
	_, frag, ok := strings.Cut(u, "#")
	if !ok || frag == "" {
		return t
	}
	parts := strings.Split(strings.Trim(frag, "/"), "/")
	for i, p := range parts {
		parts[i] = spaceWords(p)
	}
	where := strings.Join(parts, " › ")
	if t == "" {
		return where
	}
	if strings.Contains(strings.ToLower(t), strings.ToLower(parts[len(parts)-1])) {
		return t
	}
	return t + " — " + where
}

// spaceWords turns "DataControls" or "data-controls" into "Data Controls".
func spaceWords(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '-' || r == '_':
			b.WriteByte(' ')
			continue
		case i > 0 && r >= 'A' && r <= 'Z' && s[i-1] >= 'a' && s[i-1] <= 'z':
			b.WriteByte(' ')
		}
		if i == 0 && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// WriteWACZ streams a WACZ 1.1.1 file: each snapshot's sanitized DOM as a
// resource record at its URL, the visible screenshot as urn:view:, the other
// artifacts under urn:ringfence:; and, as extra files under ringfence/, the
// report, the whole event log, the checklist and each snapshot's meta.json
// and settings.json. The WARC is the zip's first entry, written as its
// records come out of the pipeline (warcpipe.go), never held whole in memory.
func WriteWACZ(ctx context.Context, src Source, w io.Writer, o Options) (Result, error) {
	key, err := IdentityKey(o.SigningKey)
	if err != nil {
		return Result{}, fmt.Errorf("export: %w", err)
	}
	now, progress := o.start()
	snaps, err := selectSnapshots(ctx, src, o.Filter)
	if err != nil {
		return Result{}, err
	}
	for _, s := range snaps {
		if err := checkNames(s); err != nil {
			return Result{}, err
		}
	}

	// The WARC streams straight into its zip entry (stored, sizes in a data
	// descriptor). The small files written beside each snapshot (meta.json,
	// settings.json, thumbnails) cannot share the zip while that entry is
	// open: they go to a side zip in a temp file, copied in after the WARC.
	// (Staging the WARC itself in a temp file wrote and read the whole
	// export twice.)
	tmp, err := tempFile(o.TempDir, "extras")
	if err != nil {
		return Result{}, err
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
	rep, err := newReport(o.TempDir, o.Lang)
	if err != nil {
		return Result{}, err
	}
	defer rep.cleanup()
	kz := newKitZip(w, now)
	side := newKitZip(tmp, now)
	warcEntry, err := kz.zw.CreateHeader(&zip.FileHeader{Name: WACZWarc, Method: zip.Store, Modified: now})
	if err != nil {
		return Result{}, fmt.Errorf("zip: %w", err)
	}
	sum := sha256.New()
	ww := &warcWriter{cw: &countWriter{w: io.MultiWriter(warcEntry, sum)}, enc: recordEncoder{recordID: o.wacz.recordID}}

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
	cl := newChecklist()
	pipe := newRecordPipe(ctx, src, snaps, o.wacz)
	defer pipe.stop()
	for i, s := range snaps {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		v := snapshotView{Snapshot: s}
		dir := WACZExtraDir + SnapshotDir(s.ID)
		ts := s.CapturedAt.UTC().Format("20060102150405")
		for j, a := range s.Artifacts {
			job, err := pipe.next()
			if err != nil {
				return Result{}, err
			}
			if job.s != &snaps[i] || job.index != j {
				return Result{}, fmt.Errorf("warc: record of %s/%d out of order (want %s/%d)", job.s.ID, job.index, s.ID, j)
			}
			var off, n int64
			if job.stream {
				off, n, err = pipe.stream(ww, job)
			} else {
				off, n, err = ww.writeMember(job.member.Bytes())
				pipe.recycle(job)
			}
			if err != nil {
				return Result{}, err
			}
			uri, tee, cached := job.rec.TargetURI, job.tee, job.cached
			cb, _ := json.Marshal(cdxFields{URL: uri, MIME: a.MIME, Digest: a.SHA256,
				Length: strconv.FormatInt(n, 10), Offset: strconv.FormatInt(off, 10), Filename: waczWarcName})
			cdx = append(cdx, cdxLine{key: SURT(uri) + " " + ts, body: string(cb)})
			// The structured settings also as a plain file beside meta.json.
			path := ""
			if a.Name == "settings.json" && tee != nil && tee.complete() {
				path = "snapshots/" + s.ID + "/settings.json"
				if _, err := side.copy(WACZExtraDir+path, bytes.NewReader(tee.buf), true, nil); err != nil {
					return Result{}, err
				}
			}
			jpg := v.take(a, j == job.shot, tee, path)
			if j == job.shot && cached != nil {
				jpg = cached
			}
			if jpg != nil {
				if _, err := side.copy(WACZExtraDir+thumbPath(s.ID), bytes.NewReader(jpg), false, nil); err != nil {
					return Result{}, err
				}
				v.Thumb = thumbPath(s.ID)
			}
		}
		if err := writeMeta(side, dir+FileMeta, s); err != nil {
			return Result{}, err
		}
		v.Dir = SnapshotDir(s.ID)
		cl.add(s)
		if err := rep.addSnapshot(v); err != nil {
			return Result{}, err
		}
		// The page keeps its fragment (replay looks the record up without
		// it, by timestamp) and a title that names the settings tab.
		u := s.FinalURL
		if u == "" {
			u = s.URL
		}
		pl, _ := json.Marshal(map[string]any{"id": s.ID, "url": u, "ts": s.CapturedAt.UTC().Format(time.RFC3339Nano), "title": pageTitle(s)})
		pages.Write(append(pl, '\n'))
		ids = append(ids, s.ID)
		progress(i+1, len(snaps), "artifacts")
	}
	warcSize := ww.cw.n
	if err := side.close(); err != nil {
		return Result{}, err
	}
	if err := kz.append(side, tmp); err != nil {
		return Result{}, err
	}

	chain, err := writeEvents(ctx, src, kz, WACZEvents, rep)
	if err != nil {
		return Result{}, err
	}
	progress(len(snaps), len(snaps), "events")
	keyInfo, _, err := signingKeyInfo(&key.PublicKey)
	if err != nil {
		return Result{}, err
	}
	head, err := rep.head(ctx, src, o, now, len(snaps), chain, keyInfo, cl, true)
	if err != nil {
		return Result{}, err
	}
	clb, err := json.MarshalIndent(checklistJSON(head.Checklist), "", "  ")
	if err != nil {
		return Result{}, err
	}
	if _, err := kz.copy(WACZChecklist, bytes.NewReader(append(clb, '\n')), true, nil); err != nil {
		return Result{}, err
	}
	if err := rep.writeIndex(kz, WACZReport, head); err != nil {
		return Result{}, err
	}
	extras := append([]FileEntry(nil), kz.files...)

	sort.SliceStable(cdx, func(i, j int) bool { return cdx[i].key < cdx[j].key })
	var index bytes.Buffer
	for _, l := range cdx {
		index.WriteString(l.key + " " + l.body + "\n")
	}
	var res []WACZFile
	res = append(res, WACZFile{Name: waczWarcName, Path: WACZWarc, Hash: "sha256:" + hex.EncodeToString(sum.Sum(nil)), Bytes: warcSize})
	for _, f := range []struct {
		path string
		b    []byte
	}{{WACZIndex, index.Bytes()}, {WACZPages, pages.Bytes()}} {
		fe, err := kz.copy(f.path, bytes.NewReader(f.b), true, nil)
		if err != nil {
			return Result{}, err
		}
		res = append(res, waczFile(fe))
	}
	for _, fe := range extras {
		res = append(res, waczFile(fe))
	}
	newest := snaps[0]
	dp := DataPackage{
		Profile: "data-package", WACZVersion: WACZVersion,
		Title:       "Ringfence evidence",
		Description: fmt.Sprintf("%d snapshot(s) of OpenAI account pages captured by the Ringfence extension, with the event log, checklist and report under %s.", len(snaps), WACZExtraDir),
		Created:     now.Format(time.RFC3339Nano), Modified: now.Format(time.RFC3339Nano),
		Software:    waczSoftwareLabel + " " + o.HostVersion,
		MainPageURL: pageURL(newest), MainPageDate: newest.CapturedAt.UTC().Format(time.RFC3339Nano),
		Resources: res, Ringfence: &WACZSnapInfo{Snapshots: ids, Filter: o.Filter, EventChain: &chain},
	}
	dpb, err := json.MarshalIndent(dp, "", "  ")
	if err != nil {
		return Result{}, err
	}
	if _, err := kz.copy(WACZDataPackage, bytes.NewReader(dpb), true, nil); err != nil {
		return Result{}, err
	}
	digest, err := signDataPackage(dpb, key, now, o.HostVersion)
	if err != nil {
		return Result{}, err
	}
	db, _ := json.MarshalIndent(digest, "", "  ")
	if _, err := kz.copy(WACZDigest, bytes.NewReader(db), true, nil); err != nil {
		return Result{}, err
	}
	if err := kz.close(); err != nil {
		return Result{}, err
	}
	progress(len(snaps), len(snaps), "report")
	return Result{Snapshots: len(snaps), Events: chain.Count, Files: len(res) + 2, ChainHead: chain.Head, Fingerprint: keyInfo.Fingerprint}, nil
}

func waczFile(fe FileEntry) WACZFile {
	return WACZFile{Name: fe.Path[strings.LastIndexByte(fe.Path, '/')+1:], Path: fe.Path, Hash: "sha256:" + fe.SHA256, Bytes: fe.Size}
}

func signDataPackage(dp []byte, key *ecdsa.PrivateKey, now time.Time, ver string) (DataPackageDigest, error) {
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
