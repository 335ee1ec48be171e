package notification

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/platform/batchjob"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Recipients pages through the users of an audience (the account domain).
type Recipients interface {
	AudienceIDs(ctx context.Context, q store.Querier, f Audience, after, upTo int64, limit int) ([]int64, error)
}

// Creator creates one notification in the caller's transaction (the Store;
// tests wrap it to fail mid-way).
type Creator interface {
	Create(ctx context.Context, tx *sql.Tx, n New) (int64, error)
}

// Defaults of the broadcast job: the batched cursor job's.
const (
	DefaultBroadcastBatch  = batchjob.DefaultBatch
	DefaultBroadcastBudget = batchjob.DefaultBudget
)

// BroadcastDeps are the broadcast job's collaborators.
type BroadcastDeps struct {
	DB         *store.DB
	Creator    Creator
	Recipients Recipients
	Log        *slog.Logger
	Now        func() time.Time
	Batch      int
	Budget     time.Duration
}

// BroadcastWorker sends broadcasts.
type BroadcastWorker struct {
	river.WorkerDefaults[BroadcastArgs]
	BroadcastDeps
}

// NewBroadcastWorker returns the worker of BroadcastArgs; a zero Batch or
// Budget takes the default.
func NewBroadcastWorker(d BroadcastDeps) *BroadcastWorker {
	d.Batch, d.Budget = batchjob.Limits(d.Batch, d.Budget)
	return &BroadcastWorker{BroadcastDeps: d}
}

// Work sends batches until the broadcast is complete or the run's budget is
// spent; then the job snoozes (without using up an attempt) and the next
// run continues from the cursor.
func (w *BroadcastWorker) Work(ctx context.Context, job *river.Job[BroadcastArgs]) error {
	return batchjob.Run(ctx, "notification: broadcast job", w.Budget, func(ctx context.Context) (bool, error) {
		return w.Step(ctx, job.Args.BroadcastID)
	})
}

// Step sends one batch: under the broadcast's row lock it creates the
// notifications of the next users after the cursor and moves the cursor
// past them, in one transaction. A step that fails changes nothing, so the
// retry sends exactly that batch; two steps of one broadcast (a job rescued
// while its first run was still going) wait for each other on the lock and
// the second continues after the first's cursor. done reports that the
// broadcast has reached its last user.
func (w *BroadcastWorker) Step(ctx context.Context, id int64) (done bool, err error) {
	err = w.DB.InTx(ctx, func(tx *sql.Tx) error {
		b, err := scanBroadcast(tx.QueryRowContext(ctx, `SELECT `+broadcastColumns+` FROM notification_broadcasts WHERE id = $1`+
			w.DB.ForUpdate(), id))
		if errors.Is(err, store.ErrNotFound) || err == nil && b.Status == BroadcastCompleted {
			done = true
			return nil
		}
		if err != nil {
			return err
		}
		ids, err := w.Recipients.AudienceIDs(ctx, tx, b.Audience, b.Cursor, b.LastUserID, w.Batch)
		if err != nil {
			return err
		}
		for _, userID := range ids {
			if _, err := w.Creator.Create(ctx, tx, operatorNew(userID, b.Message)); err != nil {
				return err
			}
		}
		now := w.Now()
		status, cursor, completed := BroadcastSending, b.Cursor, store.NullAt(time.Time{})
		if len(ids) > 0 {
			cursor = ids[len(ids)-1]
		}
		if done = len(ids) < w.Batch; done {
			status, completed = BroadcastCompleted, store.NullAt(now)
		}
		_, err = tx.ExecContext(ctx, `UPDATE notification_broadcasts SET status = $1, sent = sent + $2, cursor_user_id = $3,
			last_error = '', updated_at = $4, completed_at = $5 WHERE id = $6`, status, len(ids), cursor, store.At(now), completed, id)
		return err
	})
	if err != nil {
		// Tell operators why it stalls; the job retries the batch.
		if _, uerr := w.DB.SQL.ExecContext(ctx, `UPDATE notification_broadcasts SET last_error = $1, updated_at = $2 WHERE id = $3`,
			text.Truncate(err.Error(), 500), store.At(w.Now()), id); uerr != nil {
			w.Log.WarnContext(ctx, "broadcast error not recorded", "broadcast_id", id, "error", uerr)
		}
		return false, fmt.Errorf("notification: broadcast %d: %w", id, err)
	}
	return done, nil
}
