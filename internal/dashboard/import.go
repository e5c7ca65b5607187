package dashboard

import (
	"context"
	"time"

	"github.com/ringfence/ringfence/internal/importer"
	"github.com/ringfence/ringfence/internal/redact"
	"github.com/ringfence/ringfence/internal/store"
)

// Import stores one file as evidence (store.SaveImport); `ringfence import`
// and the dashboard's drag-and-drop both come here.
func Import(ctx context.Context, st *store.Store, name string, data []byte, r *redact.Redactor) (store.Snapshot, importer.Info, error) {
	p, err := importer.Prepare(name, data, r, time.Now())
	if err != nil {
		return store.Snapshot{}, importer.Info{}, err
	}
	snap, err := st.SaveImport(ctx, p.Meta, p.Content, p.Detail)
	return snap, p.Info, err
}
