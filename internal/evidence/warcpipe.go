package evidence

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// The WACZ export reads, decrypts and gzips the next records on worker
// goroutines while the writer appends earlier ones to the WARC (and hashes
// and zips them), so the cores overlap instead of taking turns. Records
// come back in order; each member is position-independent, so its offset
// is only fixed when the writer appends it, exactly as the serial writer
// would. What is in flight is bounded in bytes, and a record too large to
// buffer streams on the writer's goroutine alone, as it always did.

// waczTuning sizes the pipeline; the zero value is the default. Tests set
// it to force the serial path or tiny budgets.
type waczTuning struct {
	workers int // 0: GOMAXPROCS
	// budget bounds the bytes of the records in flight (their artifacts'
	// sizes); 0: pipeBudget.
	budget int64
	// streamOver is the size above which a record is not buffered but
	// streamed by the writer itself; 0: pipeStreamOver, < 0: every record
	// (the serial writer).
	streamOver int64
	// recordID replaces the random WARC-Record-ID (tests compare outputs).
	recordID func(warcRecord) (string, error)
}

const (
	pipeBudget     = 8 << 20
	pipeStreamOver = 8 << 20
	pipeMaxJobs    = 6
	// pipeKeepBuf is the largest member buffer kept for reuse.
	pipeKeepBuf = 4 << 20
)

// recordJob is one artifact's record on its way through the pipe.
type recordJob struct {
	s     *Snapshot
	index int // the artifact's index in s.Artifacts
	shot  int // screenshotIndex(*s)
	rec   warcRecord
	// stream: the writer opens and streams this record itself.
	stream bool

	// Set by whoever opens the artifact (a worker, or the writer when
	// stream), read by the writer after done is closed.
	done   chan struct{}
	member *bytes.Buffer // the encoded gzip member
	tee    *capBuffer    // the bytes the report reads (teeFor)
	cached []byte        // the store's thumbnail when this is the screenshot
	err    error
}

type recordPipe struct {
	ctx    context.Context
	cancel context.CancelFunc
	src    Source
	snaps  []Snapshot
	cfg    waczTuning

	// Touched by the writer's goroutine only.
	si, ai   int          // the next artifact to dispatch
	peeked   *recordJob   // that artifact's job, once peek made it
	queue    []*recordJob // dispatched, not yet taken, in order
	inflight int64        // sum of the queued records' lengths

	work chan *recordJob
	free chan *bytes.Buffer
	wg   sync.WaitGroup
}

// newRecordPipe starts the workers; stop ends them.
func newRecordPipe(ctx context.Context, src Source, snaps []Snapshot, cfg waczTuning) *recordPipe {
	if cfg.workers <= 0 {
		cfg.workers = runtime.GOMAXPROCS(0)
	}
	if cfg.budget <= 0 {
		cfg.budget = pipeBudget
	}
	if cfg.streamOver == 0 {
		cfg.streamOver = pipeStreamOver
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &recordPipe{ctx: ctx, cancel: cancel, src: src, snaps: snaps, cfg: cfg,
		work: make(chan *recordJob, pipeMaxJobs), free: make(chan *bytes.Buffer, pipeMaxJobs)}
	for range cfg.workers {
		p.wg.Add(1)
		go p.run()
	}
	return p
}

// stop cancels what is still in flight and waits for the workers, so no
// worker reads the source after the export returns.
func (p *recordPipe) stop() {
	p.cancel()
	close(p.work)
	p.wg.Wait()
}

func (p *recordPipe) run() {
	defer p.wg.Done()
	enc := &recordEncoder{recordID: p.cfg.recordID}
	for j := range p.work {
		j.err = p.encode(enc, j)
		close(j.done)
	}
}

// encode opens j's artifact and gzips its record into a buffer.
func (p *recordPipe) encode(enc *recordEncoder, j *recordJob) error {
	if err := p.ctx.Err(); err != nil {
		return err
	}
	a, err := openRecord(p.ctx, p.src, j)
	if err != nil {
		return err
	}
	defer a.close()
	var buf *bytes.Buffer
	select {
	case buf = <-p.free:
	default:
		buf = new(bytes.Buffer)
	}
	if a.deflated == nil && !compressible(j.rec.ContentType) {
		// Room for the stored blocks' 5-byte headers (one per write of
		// 32 KiB when the bytes come through a tee) and the WARC header.
		buf.Grow(int(j.rec.Length + j.rec.Length/1024 + 4096))
	}
	j.member = buf
	return encodeRecord(enc, buf, j, a)
}

// openedArtifact is an artifact ready to encode: a reader of its bytes, or
// the raw deflate stream the store keeps them in.
type openedArtifact struct {
	body     io.Reader
	deflated []byte
	close    func() error
}

// openRecord opens j's artifact (as the store keeps it, when the source
// can hand that over), teeing the bytes the report reads, and fetches the
// store's thumbnail when j is the screenshot.
func openRecord(ctx context.Context, src Source, j *recordJob) (openedArtifact, error) {
	a := j.s.Artifacts[j.index]
	if j.index == j.shot {
		j.cached = cachedThumbnail(ctx, src, *j.s, j.shot)
	}
	j.tee = teeFor(j.index, j.shot, a, j.cached)
	var o openedArtifact
	if ss, ok := src.(StoredSource); ok {
		data, deflated, err := ss.ArtifactStored(ctx, j.s.ID, a.Name)
		if err != nil {
			return o, fmt.Errorf("snapshot %s: open %s: %w", j.s.ID, a.Name, err)
		}
		o.close = func() error { return nil }
		if deflated {
			o.deflated = data
			return o, nil
		}
		o.body = bytes.NewReader(data)
	} else {
		rc, err := src.OpenArtifact(ctx, j.s.ID, a.Name)
		if err != nil {
			return o, fmt.Errorf("snapshot %s: open %s: %w", j.s.ID, a.Name, err)
		}
		o.body, o.close = rc, rc.Close
	}
	if j.tee != nil {
		o.body = io.TeeReader(o.body, j.tee)
	}
	return o, nil
}

// encodeRecord writes j's record, from the artifact a, as one gzip member
// to dst.
func encodeRecord(enc *recordEncoder, dst io.Writer, j *recordJob, a openedArtifact) error {
	var err error
	if a.deflated != nil {
		err = enc.encodeDeflated(dst, j.rec, a.deflated, j.tee)
	} else {
		err = enc.encode(dst, j.rec, a.body)
	}
	if err != nil {
		return fmt.Errorf("snapshot %s: %s: %w", j.s.ID, j.s.Artifacts[j.index].Name, err)
	}
	return nil
}

// next returns the next record in order: encoded (member set), or, when
// stream is set, for the writer to open and stream itself.
func (p *recordPipe) next() (*recordJob, error) {
	p.fill()
	if len(p.queue) == 0 {
		j := p.take()
		if j == nil {
			return nil, fmt.Errorf("warc: no record left")
		}
		j.stream = true
		return j, nil
	}
	j := p.queue[0]
	<-j.done
	p.queue[0] = nil
	p.queue = p.queue[1:]
	p.inflight -= j.rec.Length
	// Hand the workers more while the writer appends this one.
	p.fill()
	return j, j.err
}

// recycle takes back the member buffer of a job the writer has appended.
func (p *recordPipe) recycle(j *recordJob) {
	buf := j.member
	j.member = nil
	if buf == nil || buf.Cap() > pipeKeepBuf {
		return
	}
	buf.Reset()
	select {
	case p.free <- buf:
	default:
	}
}

// fill dispatches records to the workers, in order, while the budget
// allows; it stops at a record to be streamed, which next hands to the
// writer once everything before it is written.
func (p *recordPipe) fill() {
	for len(p.queue) < pipeMaxJobs {
		j := p.peek()
		if j == nil || j.rec.Length > p.cfg.streamOver {
			return
		}
		if len(p.queue) > 0 && p.inflight+j.rec.Length > p.cfg.budget {
			return
		}
		p.take()
		j.done = make(chan struct{})
		p.queue = append(p.queue, j)
		p.inflight += j.rec.Length
		p.work <- j // never blocks: the channel holds pipeMaxJobs
	}
}

// peek describes the next artifact to dispatch, nil after the last.
func (p *recordPipe) peek() *recordJob {
	if p.peeked != nil {
		return p.peeked
	}
	for p.si < len(p.snaps) && p.ai >= len(p.snaps[p.si].Artifacts) {
		p.si, p.ai = p.si+1, 0
	}
	if p.si >= len(p.snaps) {
		return nil
	}
	s := &p.snaps[p.si]
	a := s.Artifacts[p.ai]
	shotName := ""
	for _, x := range s.Artifacts {
		if isScreenshot(x) {
			shotName = x.Name
			break
		}
	}
	p.peeked = &recordJob{s: s, index: p.ai, shot: screenshotIndex(*s),
		rec: warcRecord{Type: "resource", TargetURI: recordFor(*s, a, shotName), Date: s.CapturedAt, ContentType: a.MIME,
			Length: a.Size, SHA256: a.SHA256, Extra: [][2]string{{"Ringfence-Snapshot-ID", s.ID}}}}
	return p.peeked
}

// take moves past the artifact peek describes and returns it.
func (p *recordPipe) take() *recordJob {
	j := p.peek()
	if j != nil {
		p.peeked = nil
		p.ai++
	}
	return j
}

// stream opens the record next handed over with stream set and appends it
// to ww.
func (p *recordPipe) stream(ww *warcWriter, j *recordJob) (offset, length int64, err error) {
	a, err := openRecord(p.ctx, p.src, j)
	if err != nil {
		return 0, 0, err
	}
	defer a.close()
	offset = ww.cw.n
	if err := encodeRecord(&ww.enc, ww.cw, j, a); err != nil {
		return 0, 0, err
	}
	return offset, ww.cw.n - offset, nil
}
