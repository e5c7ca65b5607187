package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ringfence/ringfence/internal/spec"
)

// TestAuditMigrationUpgradesAVersion4Store: a store made before the audit
// tables gets them on open, with its snapshots and events intact.
func TestAuditMigrationUpgradesAVersion4Store(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	if _, err := s.SaveSnapshot(ctx, meta("before", time.Now()), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendEvent(ctx, Event{Type: "warning.shown"}); err != nil {
		t.Fatal(err)
	}
	// Back to version 4: what a store of the previous release looks like.
	if _, err := s.db.Exec(`DROP TABLE audit_steps; DROP TABLE audits; DELETE FROM schema_migrations WHERE version = 5`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(ctx, path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v, _ := s2.SchemaVersion(ctx); v != 5 {
		t.Fatalf("schema %d", v)
	}
	st, _ := s2.Stats(ctx)
	if st.Snapshots != 1 || st.Events != 1 {
		t.Errorf("stats after upgrade %+v", st)
	}
	if _, err := s2.BeginAudit(ctx, false, "", time.Now()); err != nil {
		t.Errorf("begin after upgrade: %v", err)
	}
}

func TestAuditRecords(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	head := func() int64 { n, _ := s.FeedHead(ctx); return n }
	a, err := s.BeginAudit(ctx, true, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	snap, err := s.SaveSnapshot(ctx, Snapshot{URL: "https://chatgpt.com/#settings/Account", CapturedAt: time.Now(),
		Trigger: spec.TriggerAudit, Category: "account_status"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := head()
	step := AuditStep{StepID: "chatgpt.account", Status: "captured", SnapshotID: snap.ID, URL: "https://chatgpt.com/#settings/Account"}
	for i := 0; i < 2; i++ { // the same step twice: replaced, not added
		if n, err := s.RecordAuditStep(ctx, a.ID, step); err != nil || n != 1 {
			t.Fatalf("step %d: %d %v", i, n, err)
		}
	}
	if head() != before+2 {
		t.Errorf("feed grew by %d for two step reports, want 2", head()-before)
	}
	b, err := s.BeginAudit(ctx, false, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetAudit(ctx, a.ID)
	if err != nil || got.Status != spec.AuditAbandoned || len(got.Steps) != 1 || !got.Scheduled {
		t.Fatalf("the first audit after a second began: %+v %v", got, err)
	}
	if b.PreviousID != "" {
		t.Errorf("an abandoned audit became the previous one: %q", b.PreviousID)
	}
	if _, err := s.RecordAuditStep(ctx, a.ID, step); !errors.Is(err, ErrAuditClosed) {
		t.Errorf("step on an abandoned audit: %v", err)
	}
	if _, err := s.FinishAudit(ctx, b.ID, []byte(`{"secret":"jane@example.com"}`), nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishAudit(ctx, b.ID, []byte(`{}`), nil, time.Now()); !errors.Is(err, ErrAuditClosed) {
		t.Errorf("finishing twice: %v", err)
	}
	if _, err := s.GetAudit(ctx, "a-none"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown audit: %v", err)
	}
	// A summary moved to another audit's row does not decrypt (bound to its id).
	c, _ := s.BeginAudit(ctx, false, "", time.Now())
	if _, err := s.db.Exec(`UPDATE audits SET summary = (SELECT summary FROM audits WHERE id = ?),
		summary_nonce = (SELECT summary_nonce FROM audits WHERE id = ?) WHERE id = ?`, b.ID, b.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAudit(ctx, c.ID); err == nil {
		t.Error("a summary copied to another audit decrypted")
	}
	if got, err := s.GetAudit(ctx, b.ID); err != nil || string(got.Summary) != `{"secret":"jane@example.com"}` {
		t.Errorf("summary: %s %v", got.Summary, err)
	}
}
