package account

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/store"
)

// purgeAfter is how long finished short-lived rows (codes, pending flows,
// rate counters, expired refresh tokens) are kept before they are deleted.
const purgeAfter = 24 * time.Hour

// PurgeArgs is the periodic job that deletes expired short-lived rows.
type PurgeArgs struct{}

// Kind implements river.JobArgs.
func (PurgeArgs) Kind() string { return "account.purge" }

// InsertOpts keeps at most one purge queued at a time.
func (PurgeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// Purger deletes one package's short-lived rows that ended before cutoff,
// in q: each package purges its own tables.
type Purger interface {
	Purge(ctx context.Context, q store.Querier, cutoff time.Time) error
}

// PurgeDeps are the collaborators of the PurgeWorker.
type PurgeDeps struct {
	DB *store.DB
	// Codes, RateCounters and IdempotencyKeys purge the one-time codes and
	// rate counters of the account flows and the API's idempotency keys,
	// which expire on the same schedule.
	Codes           Purger
	RateCounters    Purger
	IdempotencyKeys Purger
	Now             func() time.Time
}

// Check names the collaborators left unwired.
func (d PurgeDeps) Check() error {
	return deps.Check("account purge", deps.Wired{
		"DB": d.DB != nil, "Codes": d.Codes != nil, "RateCounters": d.RateCounters != nil,
		"IdempotencyKeys": d.IdempotencyKeys != nil, "Now": d.Now != nil,
	})
}

// PurgeWorker deletes rows whose flow ended more than a day ago, its own
// and, through their packages, codes, rate counters and idempotency keys,
// in one transaction. Sessions are kept: they are the account's login
// history.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	PurgeDeps
}

// NewPurgeWorker returns the worker for PurgeArgs.
func NewPurgeWorker(d PurgeDeps) *PurgeWorker { return &PurgeWorker{PurgeDeps: d} }

// Work implements river.Worker.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	cutoff := w.Now().Add(-purgeAfter)
	err := w.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := w.Codes.Purge(ctx, tx, cutoff); err != nil {
			return err
		}
		if err := purgeOwn(ctx, tx, cutoff); err != nil {
			return err
		}
		if err := w.RateCounters.Purge(ctx, tx, cutoff); err != nil {
			return err
		}
		return w.IdempotencyKeys.Purge(ctx, tx, cutoff)
	})
	if err != nil {
		return fmt.Errorf("account: purge: %w", err)
	}
	return nil
}

// purgeOwn deletes the account's own finished pending flows and expired
// refresh tokens.
func purgeOwn(ctx context.Context, q store.Querier, cutoff time.Time) error {
	for _, query := range []string{
		`DELETE FROM pending_registrations WHERE updated_at < $1`,
		`DELETE FROM pending_changes WHERE expires_at < $1`,
		`DELETE FROM refresh_tokens WHERE expires_at < $1`,
	} {
		if _, err := q.ExecContext(ctx, query, store.At(cutoff)); err != nil {
			return err
		}
	}
	return nil
}
