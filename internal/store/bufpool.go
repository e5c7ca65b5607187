package store

import (
	"sync"
	"time"
)

// bufPool keeps the large byte slices of recent uploads and commits
// (staging buffers, sealed blobs) for the next ones. A burst of snapshots
// then reuses memory that is already mapped: allocating it fresh each time
// made the runtime fault pages in and hand them back to the OS (madvise, TLB
// shootdowns) on every commit, a large share of the host's CPU per snapshot.
// What it holds is bounded and dropped after a quiet spell, so a host that
// stored one big snapshot does not keep its size for the browser's lifetime.
type bufPool struct {
	mu    sync.Mutex
	free  [][]byte
	bytes int
	idle  *time.Timer
}

const (
	poolMaxBytes = 64 << 20 // a 20 MB snapshot stages and seals about 40 MB
	poolMaxBufs  = 8
	poolIdle     = 30 * time.Second
)

// get returns an empty slice with room for n bytes: the smallest pooled
// one that fits, or a new one.
func (p *bufPool) get(n int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	best := -1
	for i, b := range p.free {
		if cap(b) >= n && (best < 0 || cap(b) < cap(p.free[best])) {
			best = i
		}
	}
	if best < 0 {
		return make([]byte, 0, n)
	}
	b := p.free[best]
	p.free[best] = p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	p.bytes -= cap(b)
	return b[:0]
}

// put hands b back; the caller must not touch it afterwards. The oldest
// buffers make room when the pool is full.
func (p *bufPool) put(b []byte) {
	if cap(b) == 0 || cap(b) > poolMaxBytes {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.free) > 0 && (len(p.free) >= poolMaxBufs || p.bytes+cap(b) > poolMaxBytes) {
		p.bytes -= cap(p.free[0])
		p.free = p.free[1:]
	}
	p.free = append(p.free, b[:0])
	p.bytes += cap(b)
	if p.idle == nil {
		p.idle = time.AfterFunc(poolIdle, p.drop)
	} else {
		p.idle.Reset(poolIdle)
	}
}

// drop lets the garbage collector have everything pooled.
func (p *bufPool) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free, p.bytes = nil, 0
	if p.idle != nil {
		p.idle.Stop()
		p.idle = nil
	}
}

// held is the number of bytes pooled (tests).
func (p *bufPool) held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bytes
}
