package account

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"

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

// PurgeWorker deletes rows whose flow ended more than a day ago (including
// expired idempotency keys, which have no domain of their own). Sessions
// are kept: they are the account's login history.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	db  *store.DB
	now func() time.Time
}

// NewPurgeWorker returns the worker for PurgeArgs.
func NewPurgeWorker(db *store.DB, now func() time.Time) *PurgeWorker {
	return &PurgeWorker{db: db, now: now}
}

// Work implements river.Worker.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	cutoff := w.now().Add(-purgeAfter).UnixMicro()
	return w.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM otp_codes WHERE expires_at < $1`,
			`DELETE FROM pending_registrations WHERE updated_at < $1`,
			`DELETE FROM pending_changes WHERE expires_at < $1`,
			`DELETE FROM rate_counters WHERE window_start < $1`,
			`DELETE FROM refresh_tokens WHERE expires_at < $1`,
			`DELETE FROM idempotency_keys WHERE expires_at < $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, cutoff); err != nil {
				return err
			}
		}
		return nil
	})
}
