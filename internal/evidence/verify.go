package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ringfence/ringfence/internal/store"
)

// Problem is one thing wrong with a kit, always tied to the file it is about.
type Problem struct {
	File    string `json:"file"`
	Message string `json:"message"`
}

func (p Problem) String() string { return p.File + ": " + p.Message }

// Verification is the outcome of checking a kit. The kit is intact exactly
// when Problems is empty.
type Verification struct {
	Problems    []Problem `json:"problems"`
	Files       int       `json:"files"`
	Snapshots   int       `json:"snapshots"`
	Events      int       `json:"events"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	ChainHead   string    `json:"chain_head,omitempty"`
	// Timestamp is the RFC 3161 timestamp attached to the file, if any.
	Timestamp *TimestampInfo `json:"timestamp,omitempty"`

	sigFile string // the file holding the signature, named in signer problems
}

// OK reports whether the kit is intact.
func (v *Verification) OK() bool { return len(v.Problems) == 0 }

// ExpectSigner records a problem unless the kit was signed by the key with
// fingerprint fp. A kit carries its own public key, so on its own a good
// signature proves only that nothing changed after signing; who signed it is
// known by comparing the fingerprint with one obtained from its author.
func (v *Verification) ExpectSigner(fp string) {
	if v.Fingerprint != fp {
		file := v.sigFile
		if file == "" {
			file = FileSignature
		}
		v.add(file, "signed by %s, not by the expected key %s", orNone(v.Fingerprint), fp)
	}
}

// keyAlgorithm is the manifest's name for pub's signature scheme.
func keyAlgorithm(pub crypto.PublicKey) string {
	if _, ok := pub.(ed25519.PublicKey); ok {
		return AlgEd25519
	}
	return AlgECDSA
}

// checkSignature verifies sig over msg with pub: a DER ECDSA signature over
// SHA-256(msg) (kit v2), or a raw Ed25519 signature (kit v1). It returns
// what is wrong, or "".
func checkSignature(pub crypto.PublicKey, msg, sig []byte) string {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(sig) != ed25519.SignatureSize {
			return fmt.Sprintf("is %d bytes, an Ed25519 signature is %d", len(sig), ed25519.SignatureSize)
		}
		if !ed25519.Verify(k, msg, sig) {
			return "does not verify manifest.json with public-key.pem: the manifest or the signature was changed"
		}
	case *ecdsa.PublicKey:
		h := sha256.Sum256(msg)
		if !ecdsa.VerifyASN1(k, h[:], sig) {
			return "does not verify manifest.json with public-key.pem: the manifest or the signature was changed"
		}
	default:
		return "public-key.pem holds no usable key"
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "no valid key"
	}
	return s
}

// add records a problem. The file is printed one per line by `verify`, so a
// zip entry's name is shown quoted when it has control characters (it could
// forge another line), and an empty name is named as such.
func (v *Verification) add(file, format string, a ...any) {
	switch {
	case file == "":
		file = "(zip entry with an empty name)"
	case strings.ContainsFunc(file, func(r rune) bool { return r < ' ' || r == 0x7f || r == utf8.RuneError }):
		file = strconv.Quote(file)
	}
	v.Problems = append(v.Problems, Problem{File: file, Message: fmt.Sprintf(format, a...)})
}

// maxSmallFile bounds the kit files verification reads whole (manifest,
// signature, key, SHA256SUMS, meta.json); artifacts are only streamed.
const maxSmallFile = 64 << 20

// unlisted are the files the manifest cannot list: itself and what is made after it.
var unlisted = map[string]bool{FileManifest: true, FileSignature: true, FileSums: true, FileTimestamp: true}

// VerifyKit checks a kit zip: every file against manifest.json and SHA256SUMS,
// the signature over manifest.json, each snapshot's files against its
// meta.json, and the event chain. The error is for a kit that cannot be read at
// all; everything else is a Problem.
func VerifyKit(ctx context.Context, zr *zip.Reader) (*Verification, error) {
	v := &Verification{sigFile: FileSignature}
	entries := map[string]*zip.File{}
	var order []string
	for _, f := range zr.File {
		name := f.Name
		if strings.HasSuffix(name, "/") && f.UncompressedSize64 == 0 {
			continue // a directory entry some zip tools add
		}
		if !validPath(name) {
			v.add(name, "unsafe path in the zip")
			continue
		}
		if _, dup := entries[name]; dup {
			v.add(name, "appears more than once in the zip")
			continue
		}
		entries[name] = f
		order = append(order, name)
	}

	read := func(name string) ([]byte, bool) {
		f, ok := entries[name]
		if !ok {
			v.add(name, "missing")
			return nil, false
		}
		b, err := readEntry(f, maxSmallFile)
		if err != nil {
			v.add(name, "cannot be read: %v", err)
			return nil, false
		}
		return b, true
	}

	// 1. The manifest and its signature.
	var m Manifest
	mb, haveManifest := read(FileManifest)
	if haveManifest {
		if err := json.Unmarshal(mb, &m); err != nil {
			v.add(FileManifest, "is not valid JSON: %v", err)
			haveManifest = false
		} else if m.Format != KitFormat || m.KitVersion < 1 || m.KitVersion > KitVersion {
			v.add(FileManifest, "is not a %s version 1–%d manifest (format %q, version %d)", KitFormat, KitVersion, m.Format, m.KitVersion)
		}
	}
	sig, haveSig := read(FileSignature)
	pemBytes, havePEM := read(FilePublicKey)
	var pub crypto.PublicKey
	if havePEM {
		k, err := ParsePublicKeyPEM(pemBytes)
		if err != nil {
			v.add(FilePublicKey, "%v", err)
		} else {
			pub = k
			v.Fingerprint = Fingerprint(pub)
		}
	}
	if haveManifest && pub != nil {
		if m.SigningKey.Algorithm != keyAlgorithm(pub) || m.SigningKey.PublicKey != string(pemBytes) || m.SigningKey.Fingerprint != Fingerprint(pub) {
			v.add(FilePublicKey, "is not the key named in manifest.json (fingerprint %s, manifest says %s)", Fingerprint(pub), m.SigningKey.Fingerprint)
		}
	}
	if haveSig && pub != nil && mb != nil {
		if msg := checkSignature(pub, mb, sig); msg != "" {
			v.add(FileSignature, "%s", msg)
		}
	}

	// 2. Every file's bytes, streamed and hashed.
	actual := map[string]FileEntry{}
	for _, name := range order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fe, err := hashEntry(entries[name])
		if err != nil {
			v.add(name, "cannot be read: %v", err)
			continue
		}
		actual[name] = fe
	}
	v.Files = len(actual)

	listed := map[string]FileEntry{}
	if haveManifest {
		for _, f := range m.Files {
			if _, dup := listed[f.Path]; dup {
				v.add(FileManifest, "lists %s twice", f.Path)
			}
			listed[f.Path] = f
			got, ok := actual[f.Path]
			switch {
			case !ok:
				if _, present := entries[f.Path]; !present {
					v.add(f.Path, "missing (listed in manifest.json)")
				}
			case got.Size != f.Size:
				v.add(f.Path, "is %d bytes, manifest.json says %d", got.Size, f.Size)
			case got.SHA256 != f.SHA256:
				v.add(f.Path, "SHA-256 %s does not match manifest.json (%s): the file was changed", got.SHA256, f.SHA256)
			}
		}
		for _, name := range order {
			if _, ok := listed[name]; !ok && !unlisted[name] {
				v.add(name, "extra file, not listed in manifest.json")
			}
		}
		v.Snapshots = m.Snapshots
	}

	// 3. SHA256SUMS, the standard-tools view of the same hashes.
	if sums, ok := read(FileSums); ok {
		checkSums(v, sums, actual, order)
	}

	// 4. Each snapshot's files against the hashes recorded at capture.
	for _, name := range order {
		if path.Base(name) == FileMeta && strings.HasPrefix(name, "snapshots/") {
			if b, ok := read(name); ok {
				checkMeta(v, name, b, actual, order)
			}
		}
	}

	// 5. The event chain.
	if f, ok := entries[FileEvents]; ok {
		chain := checkEvents(v, f)
		v.Events, v.ChainHead = chain.Count, chain.Head
		if haveManifest && (chain.Count != m.EventChain.Count || chain.Head != m.EventChain.Head) {
			v.add(FileEvents, "chain has %d events ending in %s, manifest.json says %d ending in %s",
				chain.Count, short(chain.Head), m.EventChain.Count, short(m.EventChain.Head))
		}
	} else {
		v.add(FileEvents, "missing")
	}
	checkTimestamp(v, entries, zr)
	for _, must := range []string{FileIndex} {
		if _, ok := entries[must]; !ok {
			v.add(must, "missing")
		}
	}
	dedupe(v)
	return v, nil
}

// validPath rejects absolute paths and parent references, which a genuine
// kit never has and which could write outside the folder on unzip.
func validPath(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." || part == "." || part == "" {
			return false
		}
	}
	return true
}

func readEntry(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, zipErr(err)
	}
	return b, nil
}

func hashEntry(f *zip.File) (FileEntry, error) {
	rc, err := f.Open()
	if err != nil {
		return FileEntry{}, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return FileEntry{}, zipErr(err)
	}
	return FileEntry{Path: f.Name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func zipErr(err error) error {
	if errors.Is(err, zip.ErrChecksum) {
		return errors.New("zip CRC-32 mismatch: the file was changed inside the zip")
	}
	return err
}

func checkSums(v *Verification, sums []byte, actual map[string]FileEntry, order []string) {
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" {
			continue
		}
		sum, name, ok := strings.Cut(text, "  ")
		if !ok {
			sum, name, ok = strings.Cut(text, " *")
		}
		if !ok || len(sum) != 64 {
			v.add(FileSums, "line %d is not “<sha256>  <file>”", line)
			continue
		}
		seen[name] = true
		got, present := actual[name]
		switch {
		case !present:
			v.add(name, "missing (listed in SHA256SUMS)")
		case got.SHA256 != sum:
			v.add(name, "SHA-256 %s does not match SHA256SUMS (%s)", got.SHA256, sum)
		}
	}
	for _, name := range order {
		if !seen[name] && name != FileSums && name != FileTimestamp {
			v.add(FileSums, "does not list %s", name)
		}
	}
}

func checkMeta(v *Verification, metaPath string, b []byte, actual map[string]FileEntry, order []string) {
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		v.add(metaPath, "is not valid JSON: %v", err)
		return
	}
	dir := path.Dir(metaPath) + "/"
	if dir != SnapshotDir(s.ID) {
		v.add(metaPath, "describes snapshot %q, which belongs in %s", s.ID, SnapshotDir(s.ID))
	}
	recorded := map[string]bool{FileMeta: true}
	for _, a := range s.Artifacts {
		p := dir + a.Name
		recorded[a.Name] = true
		got, ok := actual[p]
		switch {
		case !ok:
			v.add(p, "missing (listed in %s)", metaPath)
		case got.SHA256 != a.SHA256 || got.Size != a.Size:
			v.add(p, "differs from the hash recorded at capture in %s", metaPath)
		}
	}
	for _, name := range order {
		if strings.HasPrefix(name, dir) && !recorded[strings.TrimPrefix(name, dir)] {
			v.add(name, "extra file, not an artifact of %s", metaPath)
		}
	}
}

// checkEvents recomputes the chain line by line (docs/data-model.md) and
// returns what it found, whatever the manifest says.
func checkEvents(v *Verification, f *zip.File) EventChain {
	file := f.Name
	var c EventChain
	rc, err := f.Open()
	if err != nil {
		v.add(file, "cannot be read: %v", err)
		return c
	}
	defer rc.Close()
	prev := store.GenesisHash
	var wantSeq int64 = 1
	br := bufio.NewReader(rc)
	for line := 1; ; line++ {
		raw, err := br.ReadBytes('\n')
		if len(raw) == 0 && err != nil {
			if err != io.EOF {
				v.add(file, "cannot be read: %v", zipErr(err))
			}
			return c
		}
		var e Event
		if jerr := json.Unmarshal(raw, &e); jerr != nil {
			v.add(file, "line %d is not a JSON event: %v", line, jerr)
			return c
		}
		switch {
		case e.Seq != wantSeq:
			v.add(file, "line %d: seq %d where %d was expected (events removed or reordered)", line, e.Seq, wantSeq)
		case e.PrevHash != prev:
			v.add(file, "line %d (seq %d): prev_hash does not match the previous event's hash (chain broken)", line, e.Seq)
		case store.ChainHash(prev, e) != e.Hash:
			v.add(file, "line %d (seq %d): hash does not match the event's content (event changed)", line, e.Seq)
		}
		if c.Count == 0 {
			c.FirstSeq = e.Seq
		}
		c.Count++
		c.LastSeq, c.Head = e.Seq, e.Hash
		prev, wantSeq = e.Hash, e.Seq+1
		if err != nil {
			return c
		}
	}
}

// dedupe drops repeated identical lines (a changed file is reported by both
// the manifest and SHA256SUMS checks; once per source is enough) and sorts
// by file so the output is stable.
func dedupe(v *Verification) {
	seen := map[Problem]bool{}
	out := v.Problems[:0]
	for _, p := range v.Problems {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].File < out[j].File })
	v.Problems = out
}

// Verify checks a file that is either an evidence kit or a WACZ, telling
// which by its manifest. kind is "kit" or "wacz".
func Verify(ctx context.Context, ra io.ReaderAt, size int64) (v *Verification, kind string, err error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, "", fmt.Errorf("not a zip file: %w", err)
	}
	has := func(name string) bool {
		for _, f := range zr.File {
			if f.Name == name {
				return true
			}
		}
		return false
	}
	switch {
	case has(FileManifest):
		v, err = VerifyKit(ctx, zr)
		return v, "kit", err
	case has(WACZDataPackage):
		v, err = VerifyWACZ(ctx, ra, size)
		return v, "wacz", err
	}
	v = &Verification{}
	v.add(FileManifest, "missing: this zip is neither a Ringfence evidence kit nor a WACZ")
	return v, "kit", nil
}
