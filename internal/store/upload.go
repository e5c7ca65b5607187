package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ringfence/ringfence/internal/spec"
)

// Upload is a snapshot arriving in chunks. Chunks are staged in memory up to
// memStage bytes per upload and in temp files beyond; nothing is in the
// database until Commit, so an upload abandoned for any reason (port
// closed, process killed) is simply never visible.
type Upload struct {
	s      *Store
	meta   Snapshot
	parts  []*part
	done   bool
	memory int64 // bytes staged in memory so far
	// spillKey encrypts staged files (AES-CTR): it lives only in this
	// process's memory, so a spill file left by a killed host is noise.
	// The bytes are re-hashed on the way in, so CTR needs no MAC here.
	spillKey cipher.Block
	// amends is the snapshot this upload adds artifacts to (BeginAmend).
	amends string
	// hashq feeds the hasher goroutine the staged bytes of in-memory
	// parts, in order (nil while none runs); hashed is closed when it has
	// finished them. Hashing a chunk then overlaps decoding the next one
	// instead of delaying its reply (the SHA-256 is only checked at
	// commit). Only the hasher touches an in-memory part's h, ok and prep
	// until hashWait returns.
	hashq  chan hashJob
	hashed chan struct{}
}

// hashJob is bytes of p to hash; last: they complete it.
type hashJob struct {
	p    *part
	b    []byte
	last bool
}

// hashQueue bounds the jobs waiting for the hasher; each is a slice of a
// staging buffer, not a copy, so this bounds no memory, only bookkeeping.
const hashQueue = 64

// hashLater hands bytes already staged in p.buf to the hasher, starting it
// when none runs.
func (u *Upload) hashLater(p *part, b []byte, last bool) {
	if u.hashq == nil {
		u.hashq, u.hashed = make(chan hashJob, hashQueue), make(chan struct{})
		go func(q <-chan hashJob, done chan<- struct{}) {
			defer close(done)
			for j := range q {
				j.p.h.Write(j.b)
				if j.last {
					u.complete(j.p)
				}
			}
		}(u.hashq, u.hashed)
	}
	u.hashq <- hashJob{p, b, last}
}

// hashWait waits until the hasher has hashed everything handed to it (and
// started sealing what it completed); the next hashLater starts a new one.
func (u *Upload) hashWait() {
	if u.hashq == nil {
		return
	}
	close(u.hashq)
	<-u.hashed
	u.hashq, u.hashed = nil, nil
}

// memStage bounds the bytes one upload keeps in memory: a typical snapshot
// (a few MB) and a very tall page's (~20 MB) never touch the disk twice —
// at 16 MB a 20 MB snapshot was spilled, re-read and decrypted, which made
// the ack super-linear in size — while a 200 MB one does not sit in RAM.
const memStage = 32 << 20

type part struct {
	info ArtifactInfo
	buf  []byte        // staged bytes while in memory
	f    *os.File      // staged bytes once spilled, encrypted
	key  cipher.Block  // the upload's spill key
	iv   []byte        // this file's CTR start
	enc  cipher.Stream // encrypts the next appended bytes
	h    hash.Hash
	n    int64
	ok   bool            // complete and its hash matches
	prep <-chan prepared // sealing started when the last chunk arrived
}

// BeginUpload validates meta and the artifact declarations (each needs name,
// MIME, size and SHA-256) and opens a staging area.
func (s *Store) BeginUpload(meta Snapshot, decls []ArtifactInfo) (*Upload, error) {
	if err := validate(&meta, decls); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	u := &Upload{s: s, meta: meta}
	for _, d := range decls {
		u.parts = append(u.parts, &part{info: d, h: sha256.New()})
	}
	return u, nil
}

// spillPrefix starts every staging file name; the writer's PID follows, so
// a later open can tell a dead writer's leftovers from a live upload.
const spillPrefix = "u-"

// spill moves p's staged bytes to a temp file (0600, in a 0700 folder),
// encrypted under the upload's in-memory key.
func (u *Upload) spill(p *part) error {
	if err := os.MkdirAll(u.s.uploads, 0o700); err != nil {
		return fmt.Errorf("store: staging folder: %w", classify(err))
	}
	if err := os.Chmod(u.s.uploads, 0o700); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("store: staging folder: %w", classify(err))
	}
	if u.spillKey == nil {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("store: staging key: %w", err)
		}
		b, err := aes.NewCipher(key)
		if err != nil {
			return fmt.Errorf("store: staging key: %w", err)
		}
		u.spillKey = b
	}
	p.iv = make([]byte, aes.BlockSize)
	if _, err := rand.Read(p.iv); err != nil {
		return fmt.Errorf("store: staging iv: %w", err)
	}
	p.key = u.spillKey
	p.enc = cipher.NewCTR(p.key, p.iv)
	// CreateTemp makes the file 0600.
	f, err := os.CreateTemp(u.s.uploads, fmt.Sprintf("%s%d-*.part", spillPrefix, os.Getpid()))
	if err != nil {
		return fmt.Errorf("store: stage %q: %w", p.info.Name, classify(err))
	}
	if _, err := f.Write(p.seal(p.buf)); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("store: stage %q: %w", p.info.Name, classify(err))
	}
	u.memory -= int64(len(p.buf))
	u.s.putBuf(p.buf)
	p.f, p.buf = f, nil
	return nil
}

// Write appends data to artifact name. offset must equal the bytes received
// so far for that artifact; it returns the new total.
func (u *Upload) Write(name string, offset int64, data []byte) (int64, error) {
	if u.done {
		return 0, ErrClosed
	}
	p := u.part(name)
	if p == nil {
		return 0, invalid("artifact %q was not declared in snapshot.begin", name)
	}
	if offset != p.n {
		return p.n, fmt.Errorf("%w: artifact %q offset %d, expected %d", ErrOutOfOrder, name, offset, p.n)
	}
	if p.n+int64(len(data)) > p.info.Size {
		return p.n, fmt.Errorf("%w: artifact %q would exceed its declared %d bytes", ErrSizeMismatch, name, p.info.Size)
	}
	if p.f == nil && u.memory+int64(len(data)) > memStage {
		u.hashWait() // the hasher may still be reading p.buf
		if err := u.spill(p); err != nil {
			return p.n, err
		}
	}
	if p.f != nil {
		if _, err := p.f.Write(p.seal(data)); err != nil {
			return p.n, fmt.Errorf("store: stage %q: %w", name, classify(err))
		}
		p.h.Write(data)
		p.n += int64(len(data))
		if p.n == p.info.Size {
			u.complete(p)
		}
		return p.n, nil
	}
	if p.buf == nil {
		p.buf = u.s.getBuf(int(min(p.info.Size, memStage)))
	}
	// The buffer has room for the whole part (or spills first), so the
	// slice handed to the hasher is never moved by a later append.
	start := len(p.buf)
	p.buf = append(p.buf, data...)
	u.memory += int64(len(data))
	p.n += int64(len(data))
	if len(data) > 0 || p.n == p.info.Size {
		u.hashLater(p, p.buf[start:], p.n == p.info.Size)
	}
	return p.n, nil
}

// complete verifies a fully received artifact and starts sealing it while
// the rest of the snapshot is still arriving, so commit mostly just writes.
func (u *Upload) complete(p *part) {
	p.ok = hex.EncodeToString(p.h.Sum(nil)) == p.info.SHA256
	if !p.ok {
		return // Commit reports checksum_mismatch
	}
	p.prep = u.s.prepareAsync(context.Background(), p.info, p.plainBytes)
}

// seal encrypts the next bytes of a spilled part into a new slice.
func (p *part) seal(data []byte) []byte {
	out := make([]byte, len(data))
	p.enc.XORKeyStream(out, data)
	return out
}

// plainBytes returns the staged bytes of a complete part.
func (p *part) plainBytes() ([]byte, error) {
	if p.f == nil {
		if p.buf == nil {
			return []byte{}, nil
		}
		return p.buf, nil
	}
	plain := make([]byte, p.n)
	if _, err := p.f.ReadAt(plain, 0); err != nil && p.n > 0 {
		return nil, fmt.Errorf("read staged %q: %w", p.info.Name, err)
	}
	cipher.NewCTR(p.key, p.iv).XORKeyStream(plain, plain)
	return plain, nil
}

func (u *Upload) part(name string) *part {
	for _, p := range u.parts {
		if p.info.Name == name {
			return p
		}
	}
	return nil
}

// Commit verifies every artifact's size and SHA-256, then stores the
// snapshot in one transaction. The upload is finished either way.
func (u *Upload) Commit(ctx context.Context) (Snapshot, []Committed, error) {
	if u.done {
		return Snapshot{}, nil, ErrClosed
	}
	defer u.Abort()
	defer u.drain() // staged files stay open until background sealing is done with them
	u.hashWait()
	arts := make([]staged, 0, len(u.parts))
	for _, p := range u.parts {
		if p.n != p.info.Size {
			return Snapshot{}, nil, fmt.Errorf("%w: artifact %q has %d of %d bytes", ErrSizeMismatch, p.info.Name, p.n, p.info.Size)
		}
		if p.info.Size == 0 && p.prep == nil {
			u.complete(p) // never written to: complete now
		}
		if !p.ok {
			return Snapshot{}, nil, fmt.Errorf("%w: artifact %q hashes to %s, declared %s", ErrChecksum, p.info.Name,
				hex.EncodeToString(p.h.Sum(nil)), p.info.SHA256)
		}
		a := staged{info: p.info, prep: p.prep}
		if p.f == nil && p.info.MIME == "image/png" {
			a.plain = p.buf // in memory: the thumbnail is made from it after commit
		}
		if p.info.Name == spec.ArtifactSettingsJSON { // commit reads it for the identity summary
			plain, err := p.plainBytes()
			if err != nil {
				return Snapshot{}, nil, fmt.Errorf("store: %w", err)
			}
			a.plain = plain
		}
		if p.f == nil {
			a.pooled = true // a.plain, when set, is p.buf
		}
		arts = append(arts, a)
	}
	commit := u.s.commit
	if u.amends != "" {
		commit = func(ctx context.Context, meta Snapshot, arts []staged) (Snapshot, []Committed, error) {
			return u.s.amend(ctx, u.amends, meta, arts)
		}
	}
	snap, res, err := commit(ctx, u.meta, arts)
	for i, p := range u.parts {
		if arts[i].kept {
			p.buf = nil // the thumbnail maker gives it back to the pool
		}
	}
	return snap, res, err
}

// drain waits for background hashing and sealing of every part.
func (u *Upload) drain() {
	u.hashWait()
	for _, p := range u.parts {
		if p.prep != nil {
			for range p.prep {
			}
		}
	}
}

// Abort drops the staged bytes (in-memory ones go back to the store's
// buffer pool). Safe to call more than once. It first waits for background
// sealing, which may still be reading the staged bytes.
func (u *Upload) Abort() {
	u.drain()
	u.done = true
	for _, p := range u.parts {
		if p.f != nil {
			p.f.Close()
			os.Remove(p.f.Name())
			p.f = nil
		}
		if p.buf != nil {
			u.s.putBuf(p.buf)
		}
		p.buf = nil
	}
	u.memory = 0
}

// sweepUploads removes what processes that are gone left in the staging
// folder (SweepStaging) and remembers it for LeftoversRemoved.
func (s *Store) sweepUploads(maxAge time.Duration) {
	s.swept = append(s.swept, SweepStaging(s.uploads, maxAge)...)
}

// spillPID reads the writer's PID from "u-<pid>-<random>.part".
func spillPID(name string) (int, bool) {
	rest := strings.TrimPrefix(name, spillPrefix)
	i := strings.IndexByte(rest, '-')
	if i <= 0 {
		return 0, false
	}
	pid, err := strconv.Atoi(rest[:i])
	return pid, err == nil && pid > 0
}
