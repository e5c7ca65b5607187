package evidence

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ringfence/ringfence/internal/audit"
	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

// FileAudit is the latest completed audit's summary in a kit, byte for byte
// as stored: its SHA-256 is the summary_sha256 of that audit's
// audit.completed event in events.jsonl.
const FileAudit = "audit.json"

// KitAudit is the latest completed guided audit as the kit's checklist
// shows it (docs/audit.md): its id, when it ran, and what needs action, with
// the stored summary.
type KitAudit struct {
	ID         string
	StartedAt  time.Time
	FinishedAt time.Time
	Actions    []spec.AuditAction
	Summary    []byte
}

// AuditSource is a Source that knows the guided audits; a kit from one
// lists the latest completed audit's actions in its checklist. StoreSource
// is one.
type AuditSource interface {
	LatestCompletedAudit(ctx context.Context) (*KitAudit, error)
}

// LatestCompletedAudit is the newest completed audit, nil when there is none.
func (s StoreSource) LatestCompletedAudit(ctx context.Context) (*KitAudit, error) {
	a, err := s.Store.LatestAudit(ctx, true)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sum, err := audit.Show(a)
	if err != nil {
		return nil, err
	}
	k := &KitAudit{ID: a.ID, StartedAt: a.StartedAt, FinishedAt: a.FinishedAt, Actions: sum.Actions, Summary: a.Summary}
	if k.FinishedAt.IsZero() {
		k.FinishedAt = a.StartedAt
	}
	return k, nil
}

// latestAudit asks src for the latest completed audit when it can tell.
func latestAudit(ctx context.Context, src Source) (*KitAudit, error) {
	as, ok := src.(AuditSource)
	if !ok {
		return nil, nil
	}
	a, err := as.LatestCompletedAudit(ctx)
	if err != nil {
		return nil, fmt.Errorf("latest audit: %w", err)
	}
	return a, nil
}

// writeAudit adds audit.json when the kit has an audit.
func writeAudit(kz *kitZip, a *KitAudit) error {
	if a == nil || len(a.Summary) == 0 {
		return nil
	}
	_, err := kz.copy(FileAudit, bytes.NewReader(a.Summary), true, nil)
	return err
}
