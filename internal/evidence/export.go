package evidence

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ringfence/ringfence/internal/thumb"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/store"
)

// Fixed names inside a kit.
const (
	FileIndex     = "index.html"
	FileEvents    = "events.jsonl"
	FileManifest  = "manifest.json"
	FileSignature = "manifest.json.sig"
	FilePublicKey = "public-key.pem"
	FileSums      = "SHA256SUMS"
	FileMeta      = "meta.json"

	// KitFormat and KitVersion identify the layout in manifest.json.
	KitFormat  = "ringfence-evidence-kit"
	KitVersion = 2 // 2: ECDSA P-384 identity shared with the WACZ; 1: Ed25519
)

// Manifest is manifest.json: the signed description of everything in the kit.
type Manifest struct {
	Format      string      `json:"format"`
	KitVersion  int         `json:"kit_version"`
	CreatedAt   time.Time   `json:"created_at"`
	HostVersion string      `json:"host_version"`
	Filter      Filter      `json:"filter"`
	Snapshots   int         `json:"snapshots"`
	EventChain  EventChain  `json:"event_chain"`
	SigningKey  SigningKey  `json:"signing_key"`
	Files       []FileEntry `json:"files"`
}

// EventChain summarises events.jsonl; Head is the hash of the last event.
type EventChain struct {
	Count    int    `json:"count"`
	FirstSeq int64  `json:"first_seq,omitempty"`
	LastSeq  int64  `json:"last_seq,omitempty"`
	Head     string `json:"head"`
}

// Options configure an export.
type Options struct {
	Filter      Filter
	SigningKey  ed25519.PrivateKey
	HostVersion string
	Now         time.Time // creation time; zero means time.Now()
	Progress    Progress  // nil for none
	// TempDir holds the report's and the WARC's spill files, which carry
	// decrypted evidence: the store's staging folder (swept when a killed
	// export leaves them); "" = os.TempDir().
	TempDir string
	// Track, when set, records the partial kit file written beside the
	// final one so a sweep removes it if this process dies
	// (store.TrackPartial); release is called once it is renamed or removed.
	Track   func(path string) (release func(), err error)
	Lang    string // the report's language (Languages); "" = English
	WithPDF bool   // also put report.pdf into a kit

	wacz waczTuning // the WACZ writer's pipeline; tests set it
}

// Result summarises a written kit.
type Result struct {
	Snapshots   int
	Events      int
	Files       int
	ChainHead   string
	Fingerprint string
}

// safeID and safeName guard the paths an ID or artifact name becomes inside
// the zip. Plain loops instead of regexps keep them out of host start-up.
func safeID(id string) bool {
	if id == "" || len(id) > 128 || !isAlnum(id[0]) {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func safeName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ErrEmpty is returned when the filter matches no snapshot.
var ErrEmpty = errors.New("no snapshot matches the selection")

// maxTee bounds what an export keeps of one artifact in memory (the
// screenshot for its thumbnail, settings.json for the table).
const maxTee = 24 << 20

// start is what every export format begins with: the creation time (now
// unless o.Now is set; UTC, to the millisecond, as written into the files)
// and a progress callback that is never nil.
func (o Options) start() (time.Time, Progress) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	progress := o.Progress
	if progress == nil {
		progress = func(int, int, string) {}
	}
	return now.UTC().Truncate(time.Millisecond), progress
}

// UnknownIDsError is returned when --snapshot names ids that the selection
// does not match (mistyped, deleted, or outside the other filters): a kit
// silently missing a snapshot the user asked for is worse than none.
type UnknownIDsError struct{ IDs []string }

func (e *UnknownIDsError) Error() string {
	return "no snapshot matches " + strings.Join(e.IDs, ", ")
}

// selectSnapshots lists the snapshots f selects; ErrEmpty when there is
// none, *UnknownIDsError when f.IDs names any that did not match.
func selectSnapshots(ctx context.Context, src Source, f Filter) ([]Snapshot, error) {
	snaps, err := src.Snapshots(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	if len(f.IDs) > 0 {
		found := make(map[string]bool, len(snaps))
		for _, s := range snaps {
			found[s.ID] = true
		}
		var missing []string
		for _, id := range f.IDs {
			if !found[id] && !slices.Contains(missing, id) {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			return nil, &UnknownIDsError{IDs: missing}
		}
	}
	if len(snaps) == 0 {
		return nil, ErrEmpty
	}
	return snaps, nil
}

// WriteKit streams an evidence kit for the snapshots src selects into w.
// Artifacts are copied straight from src into the zip and hashed on the way;
// memory stays bounded whatever their total size.
func WriteKit(ctx context.Context, src Source, w io.Writer, o Options) (Result, error) {
	key, err := IdentityKey(o.SigningKey)
	if err != nil {
		return Result{}, fmt.Errorf("export: %w", err)
	}
	now, progress := o.start()
	keyInfo, pubPEM, err := signingKeyInfo(&key.PublicKey)
	if err != nil {
		return Result{}, err
	}

	snaps, err := selectSnapshots(ctx, src, o.Filter)
	if err != nil {
		return Result{}, err
	}
	for _, s := range snaps {
		if err := checkNames(s); err != nil {
			return Result{}, err
		}
	}

	rep, err := newReport(o.TempDir, o.Lang)
	if err != nil {
		return Result{}, err
	}
	defer rep.cleanup()
	rep.wantPDF = o.WithPDF

	kz := newKitZip(w, now)
	cl := newChecklist()
	for i, s := range snaps {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		view, err := writeSnapshot(ctx, src, kz, s)
		if err != nil {
			return Result{}, err
		}
		cl.add(s)
		if err := rep.addSnapshot(view); err != nil {
			return Result{}, err
		}
		progress(i+1, len(snaps), "artifacts")
	}

	chain, err := writeEvents(ctx, src, kz, FileEvents, rep)
	if err != nil {
		return Result{}, err
	}
	if err := writeKeyInventory(ctx, src, kz); err != nil {
		return Result{}, err
	}
	progress(len(snaps), len(snaps), "events")

	head, err := rep.head(ctx, src, o, now, len(snaps), chain, keyInfo, cl, false)
	if err != nil {
		return Result{}, err
	}
	if err := writeAudit(kz, head.Audit); err != nil {
		return Result{}, err
	}
	if err := rep.writeIndex(kz, FileIndex, head); err != nil {
		return Result{}, err
	}
	if o.WithPDF {
		var pdf bytes.Buffer
		if err := renderPDF(&pdf, head, rep.pdf, rep.lang, true); err != nil {
			return Result{}, err
		}
		if _, err := kz.copy(FilePDF, &pdf, false, nil); err != nil {
			return Result{}, err
		}
	}
	progress(len(snaps), len(snaps), "report")

	if _, err := kz.copy(FilePublicKey, bytes.NewReader(pubPEM), true, nil); err != nil {
		return Result{}, err
	}
	m := Manifest{
		Format: KitFormat, KitVersion: KitVersion, CreatedAt: now, HostVersion: o.HostVersion,
		Filter: o.Filter, Snapshots: len(snaps), EventChain: chain, SigningKey: keyInfo,
		Files: append([]FileEntry(nil), kz.files...),
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Result{}, fmt.Errorf("encode manifest: %w", err)
	}
	mb = append(mb, '\n')
	if _, err := kz.copy(FileManifest, bytes.NewReader(mb), true, nil); err != nil {
		return Result{}, err
	}
	digest := sha256.Sum256(mb)
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return Result{}, fmt.Errorf("sign manifest.json: %w", err)
	}
	if _, err := kz.copy(FileSignature, bytes.NewReader(sig), false, nil); err != nil {
		return Result{}, err
	}
	var sums strings.Builder
	for _, f := range kz.files {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Path)
	}
	if _, err := kz.copy(FileSums, strings.NewReader(sums.String()), true, nil); err != nil {
		return Result{}, err
	}
	n := len(kz.files)
	if err := kz.close(); err != nil {
		return Result{}, err
	}
	return Result{Snapshots: len(snaps), Events: chain.Count, Files: n, ChainHead: chain.Head, Fingerprint: keyInfo.Fingerprint}, nil
}

func checkNames(s Snapshot) error {
	if !safeID(s.ID) {
		return fmt.Errorf("export: snapshot id %q is not safe as a file name", s.ID)
	}
	for _, a := range s.Artifacts {
		if !safeName(a.Name) || a.Name == "." || a.Name == ".." || a.Name == FileMeta {
			return fmt.Errorf("export: snapshot %s: artifact name %q is not allowed in a kit", s.ID, a.Name)
		}
	}
	return nil
}

// SnapshotDir is the folder of a snapshot inside a kit.
func SnapshotDir(id string) string { return "snapshots/" + id + "/" }

func thumbPath(id string) string { return "thumbnails/" + id + ".jpg" }

// isScreenshot picks the artifact whose thumbnail the report shows.
func isScreenshot(a Artifact) bool { return thumb.IsScreenshot(a.Name, a.MIME) }

// thumbnail makes a screenshot's thumbnail when the store has none.
func thumbnail(png []byte) ([]byte, error) { return thumb.Make(png) }

func compressible(mime string) bool {
	return !strings.HasPrefix(mime, "image/png") && !strings.HasPrefix(mime, "image/jpeg") &&
		!strings.HasPrefix(mime, "image/webp") && !strings.Contains(mime, "zip") && !strings.Contains(mime, "gzip")
}

// screenshotIndex picks the artifact whose thumbnail the report shows: a
// screenshot PNG, else any PNG; -1 when there is none.
func screenshotIndex(s Snapshot) int {
	for i, a := range s.Artifacts {
		if isScreenshot(a) {
			return i
		}
	}
	for i, a := range s.Artifacts {
		if a.MIME == "image/png" {
			return i
		}
	}
	return -1
}

// teeFor is the buffer that keeps artifact i's bytes for the report (the
// screenshot for its thumbnail, settings.json for the table), or nil.
// teeFor keeps the bytes the report reads: settings.json, and the screenshot
// when its thumbnail must be made here (the store had none cached).
func teeFor(i, shot int, a Artifact, cached []byte) *capBuffer {
	if a.Name == "settings.json" || (i == shot && cached == nil) {
		return &capBuffer{limit: maxTee}
	}
	return nil
}

// cachedThumbnail is the store's thumbnail of snapshot s's screenshot (the
// store makes them after commit), or nil: using it spares decoding the PNG,
// most of an export's CPU otherwise.
func cachedThumbnail(ctx context.Context, src Source, s Snapshot, shot int) []byte {
	ts, ok := src.(ThumbnailSource)
	if !ok || shot < 0 {
		return nil
	}
	jpg, err := ts.Thumbnail(ctx, s.Artifacts[shot].SHA256)
	if err != nil {
		return nil
	}
	return jpg
}

// take records in v what the report shows of artifact a (linked at path, or
// not linked when path is ""), whose bytes tee kept; it returns the
// screenshot's thumbnail JPEG when a is the screenshot.
func (v *snapshotView) take(a Artifact, isShot bool, tee *capBuffer, path string) []byte {
	v.Artifacts = append(v.Artifacts, artifactView{Artifact: a, Path: path})
	switch {
	case tee == nil:
	case a.Name == "settings.json":
		if !tee.complete() {
			v.SettingsErr = "settings.json is too large to show here; open the file"
		} else if rows, err := settingRows(tee.buf); err != nil {
			v.SettingsErr = err.Error()
		} else {
			v.Settings, v.HasSettings = rows, true
		}
	case isShot:
		v.Screenshot = path
		if tee.complete() {
			if jpg, err := thumbnail(tee.buf); err == nil {
				return jpg
			}
		}
	}
	return nil
}

// writeSnapshot copies one snapshot's artifacts and meta.json into the kit and
// returns what the report shows of it.
func writeSnapshot(ctx context.Context, src Source, kz *kitZip, s Snapshot) (snapshotView, error) {
	v := snapshotView{Snapshot: s, Dir: SnapshotDir(s.ID)}
	shot := screenshotIndex(s)
	cached := cachedThumbnail(ctx, src, s, shot)
	for i, a := range s.Artifacts {
		tee := teeFor(i, shot, a, cached)
		path := v.Dir + a.Name
		fe, err := copyArtifact(ctx, src, kz, s.ID, a, path, tee)
		if err != nil {
			return v, err
		}
		if fe.SHA256 != a.SHA256 || fe.Size != a.Size {
			return v, fmt.Errorf("snapshot %s: %s: stored bytes (%d, sha256 %s) differ from those recorded at capture (%d, sha256 %s); the store is damaged",
				s.ID, a.Name, fe.Size, fe.SHA256, a.Size, a.SHA256)
		}
		jpg := v.take(a, i == shot, tee, path)
		if i == shot && cached != nil {
			v.Screenshot, jpg = path, cached
		}
		if jpg != nil {
			if _, err := kz.copy(thumbPath(s.ID), bytes.NewReader(jpg), false, nil); err != nil {
				return v, err
			}
			v.Thumb = thumbPath(s.ID)
		}
	}
	if err := writeMeta(kz, v.Dir+FileMeta, s); err != nil {
		return v, err
	}
	return v, nil
}

// copyArtifact copies artifact a of snapshot id into kz as path: a
// deflated one as the store keeps it when src hands that over, else read
// through OpenArtifact and deflated here when it compresses.
func copyArtifact(ctx context.Context, src Source, kz *kitZip, id string, a Artifact, path string, tee *capBuffer) (FileEntry, error) {
	var w io.Writer
	if tee != nil {
		w = tee
	}
	if ss, ok := src.(StoredSource); ok {
		data, deflated, err := ss.ArtifactStored(ctx, id, a.Name)
		if err != nil {
			return FileEntry{}, fmt.Errorf("snapshot %s: open %s: %w", id, a.Name, err)
		}
		var fe FileEntry
		if deflated {
			fe, err = kz.copyDeflated(path, data, w)
		} else {
			fe, err = kz.copy(path, bytes.NewReader(data), compressible(a.MIME), w)
		}
		if err != nil {
			return fe, fmt.Errorf("snapshot %s: %w", id, err)
		}
		return fe, nil
	}
	rc, err := src.OpenArtifact(ctx, id, a.Name)
	if err != nil {
		return FileEntry{}, fmt.Errorf("snapshot %s: open %s: %w", id, a.Name, err)
	}
	defer rc.Close()
	fe, err := kz.copy(path, rc, compressible(a.MIME), w)
	if err != nil {
		return fe, fmt.Errorf("snapshot %s: %w", id, err)
	}
	return fe, nil
}

func writeMeta(kz *kitZip, path string, s Snapshot) error {
	meta, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("snapshot %s: encode meta.json: %w", s.ID, err)
	}
	_, err = kz.copy(path, bytes.NewReader(append(meta, '\n')), true, nil)
	return err
}

// writeEvents streams the whole event log into events.jsonl (a filtered kit
// still carries the full chain, so it verifies from the first event) and the
// report's event table.
func writeEvents(ctx context.Context, src Source, kz *kitZip, path string, rep *report) (EventChain, error) {
	pr, pw := io.Pipe()
	var chain EventChain
	done := make(chan error, 1)
	go func() {
		_, err := kz.copy(path, pr, true, nil)
		pr.CloseWithError(err)
		done <- err
	}()
	bw := bufio.NewWriter(pw)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err := src.Events(ctx, func(e Event) error {
		e.At = e.At.UTC()
		if err := enc.Encode(e); err != nil {
			return err
		}
		if chain.Count == 0 {
			chain.FirstSeq = e.Seq
		}
		chain.Count++
		chain.LastSeq, chain.Head = e.Seq, e.Hash
		return rep.addEvent(e)
	})
	if err == nil {
		err = bw.Flush()
	}
	pw.CloseWithError(err)
	if werr := <-done; err == nil {
		err = werr
	}
	if err != nil {
		return chain, fmt.Errorf("events: %w", err)
	}
	return chain, nil
}

// tempFile makes a spill file that is removed by cleanup, named so that
// store.SweepStaging removes it if this process dies first.
func tempFile(dir, kind string) (*os.File, error) {
	f, err := os.CreateTemp(dir, store.StagingPattern(kind))
	if err != nil {
		return nil, fmt.Errorf("create temporary file: %w", err)
	}
	return f, nil
}
