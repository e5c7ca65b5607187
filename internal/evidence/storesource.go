package evidence

import (
	"context"
	"io"

	"github.com/ringfence/ringfence/internal/store"
)

// StoreSource reads a kit's content from the real store.
type StoreSource struct{ Store *store.Store }

// Snapshots lists the selected snapshots, newest first.
func (s StoreSource) Snapshots(ctx context.Context, f Filter) ([]Snapshot, error) {
	return s.Store.ListSnapshots(ctx, store.Filter{Since: f.Since, Until: f.Until, Categories: f.Categories, IDs: f.IDs})
}

// OpenArtifact streams one decrypted artifact.
func (s StoreSource) OpenArtifact(ctx context.Context, id, name string) (io.ReadCloser, error) {
	return s.Store.OpenArtifact(ctx, id, name)
}

// ArtifactStored hands over one decrypted artifact as the store keeps it
// (StoredSource).
func (s StoreSource) ArtifactStored(ctx context.Context, id, name string) ([]byte, bool, error) {
	return s.Store.ArtifactStored(ctx, id, name)
}

// Thumbnail is the thumbnail the store made of screenshot blob sha, if any.
func (s StoreSource) Thumbnail(ctx context.Context, sha string) ([]byte, error) {
	return s.Store.Thumbnail(ctx, sha)
}

// Events walks the event log in sequence order.
func (s StoreSource) Events(ctx context.Context, fn func(Event) error) error {
	return s.Store.Events(ctx, fn)
}

// WithStaging points o's temporary files at st's staging folder, where a
// sweep finds them if the exporting process is killed, after sweeping what
// earlier killed exports left (export start is one of the sweep points).
func WithStaging(st *store.Store, o Options) (Options, error) {
	st.SweepNow()
	dir, err := st.StagingDir()
	if err != nil {
		return o, err
	}
	o.TempDir, o.Track = dir, st.TrackPartial
	return o, nil
}
