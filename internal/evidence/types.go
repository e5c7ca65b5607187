// Package evidence writes and verifies Ringfence evidence kits: a zip with the
// decrypted artifacts, an offline HTML report, the hash-chained event log, a
// manifest, SHA256SUMS and an Ed25519 signature over the manifest.
//
// It reads the store only through Source, so the format is testable without a
// database and the store stays free of report concerns.
package evidence

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/ringfence/ringfence/internal/store"
)

// The kit carries the store's own records: meta.json is a store.Snapshot and
// each events.jsonl line a store.Event, so the hash chain recomputes from the
// exported bytes with store.ChainHash.
type (
	Snapshot  = store.Snapshot
	Artifact  = store.ArtifactInfo
	Redaction = store.Redaction
	Event     = store.Event
)

// Filter selects the snapshots of a kit. Zero values select everything.
type Filter struct {
	Since      time.Time `json:"since,omitzero"`
	Until      time.Time `json:"until,omitzero"`
	Categories []string  `json:"categories,omitempty"`
	IDs        []string  `json:"ids,omitempty"`
}

// Source is what an export reads: the store, or a fake in tests. The WACZ
// export reads artifacts (OpenArtifact, or StoredSource's ArtifactStored)
// and thumbnails from several goroutines at once.
type Source interface {
	// Snapshots returns the matching snapshots' metadata, newest first.
	Snapshots(ctx context.Context, f Filter) ([]Snapshot, error)
	// OpenArtifact streams one artifact's decrypted bytes.
	OpenArtifact(ctx context.Context, snapshotID, name string) (io.ReadCloser, error)
	// Events calls fn for every event in sequence order.
	Events(ctx context.Context, fn func(Event) error) error
}

// StoredSource is a Source that hands over an artifact as it keeps it: its
// bytes, or, when deflated, their raw deflate stream (compress/flate's),
// which the WACZ puts into its gzip member instead of inflating and
// compressing the bytes again; the export inflates it once to check it.
type StoredSource interface {
	ArtifactStored(ctx context.Context, snapshotID, name string) (data []byte, deflated bool, err error)
}

// ThumbnailSource is a Source that may have a screenshot's thumbnail made
// already (the store makes them after commit); an error means "make it".
type ThumbnailSource interface {
	Thumbnail(ctx context.Context, sha256 string) ([]byte, error)
}

// Progress reports export progress; stage is "artifacts", "events" or "report".
type Progress func(done, total int, stage string)

// Throttle passes on at most one call to p per interval, plus every call
// that ends a stage (done == total), so a large export does not flood the
// terminal or the native-messaging port.
func Throttle(p Progress, interval time.Duration) Progress {
	var mu sync.Mutex
	var last time.Time
	return func(done, total int, stage string) {
		mu.Lock()
		defer mu.Unlock()
		if done < total && time.Since(last) < interval {
			return
		}
		last = time.Now()
		p(done, total, stage)
	}
}
