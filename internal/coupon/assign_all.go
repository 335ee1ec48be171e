package coupon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/platform/batchjob"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
)

// "Assign to every user" runs as a job in batches: a run row holds its
// cursor (the last user id done), moved in the transaction that assigns the
// batch, so a job resumed after a crash continues where the last committed
// batch ended. Assignment is idempotent per (coupon, user) anyway, so even
// two runs of one coupon give nobody a second copy.

// RunStatus is how far a run got.
type RunStatus string

// Run statuses: queued → running → completed, or stopped when the coupon
// ran out (usage limit), expired or was deactivated mid-way.
const (
	RunQueued    RunStatus = "queued"
	RunRunning   RunStatus = "running"
	RunCompleted RunStatus = "completed"
	RunStopped   RunStatus = "stopped"
)

// AssignRun is one "assign to every user" of a coupon and its progress.
type AssignRun struct {
	ID         int64
	CouponID   int64
	Status     RunStatus
	Total      int // the audience's size when the run was made
	Assigned   int
	Skipped    int // users who held the coupon already
	Cursor     int64
	LastUserID int64
	StopReason string
	LastError  string
	CreatedBy  int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// CompletedAt is set when the run completed or stopped.
	CompletedAt *time.Time
}

// AssignAllArgs is the job of one run.
type AssignAllArgs struct {
	RunID int64 `json:"run_id"`
}

// Kind implements river.JobArgs.
func (AssignAllArgs) Kind() string { return "coupon.assign_all" }

// InsertOpts retries a failing batch for about a day.
func (AssignAllArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

// Inserter inserts jobs in a caller's transaction.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

const runColumns = `id, coupon_id, status, total, assigned, skipped, cursor_user_id, last_user_id, stop_reason, last_error,
	created_by, created_at, updated_at, completed_at`

func scanRun(row interface{ Scan(...any) error }) (AssignRun, error) {
	var (
		r                        AssignRun
		total, assigned, skipped int64
		completed                time.Time
	)
	err := row.Scan(&r.ID, &r.CouponID, &r.Status, &total, &assigned, &skipped, &r.Cursor, &r.LastUserID, &r.StopReason,
		&r.LastError, &r.CreatedBy, store.TimeInto(&r.CreatedAt), store.TimeInto(&r.UpdatedAt), store.TimeInto(&completed))
	if err != nil {
		return AssignRun{}, store.NotFound(err)
	}
	r.Total, r.Assigned, r.Skipped = int(total), int(assigned), int(skipped)
	if !completed.IsZero() {
		r.CompletedAt = &completed
	}
	return r, nil
}

// StartAssignAllTx records a run over every user up to lastUserID (total
// of them now) and queues its job, in the caller's transaction.
func (s *Service) StartAssignAllTx(ctx context.Context, tx *sql.Tx, jobs Inserter, couponID int64, total int, lastUserID, by int64) (Coupon, AssignRun, error) {
	c, err := s.byID(ctx, tx, couponID, true)
	if err != nil {
		return Coupon{}, AssignRun{}, err
	}
	if err := errNotAssignable(c, s.Now()); err != nil {
		return Coupon{}, AssignRun{}, err
	}
	now := store.At(s.Now())
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO coupon_assign_runs (coupon_id, status, total, last_user_id, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, c.ID, RunQueued, total, lastUserID, by, now).Scan(&id); err != nil {
		return Coupon{}, AssignRun{}, fmt.Errorf("coupon: start assigning %d to everyone: %w", c.ID, err)
	}
	if _, err := jobs.InsertTx(ctx, tx, AssignAllArgs{RunID: id}, nil); err != nil {
		return Coupon{}, AssignRun{}, fmt.Errorf("coupon: queue run %d: %w", id, err)
	}
	run, err := scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM coupon_assign_runs WHERE id = $1`, id))
	if err != nil {
		return Coupon{}, AssignRun{}, fmt.Errorf("coupon: read run %d: %w", id, err)
	}
	return c, run, nil
}

// AssignRuns returns the latest runs of a coupon, newest first.
func (s *Service) AssignRuns(ctx context.Context, couponID int64, limit int) ([]AssignRun, error) {
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+runColumns+` FROM coupon_assign_runs WHERE coupon_id = $1 ORDER BY id DESC LIMIT $2`,
		couponID, limit)
	if err != nil {
		return nil, fmt.Errorf("coupon: runs of %d: %w", couponID, err)
	}
	defer rows.Close()
	var out []AssignRun
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("coupon: runs of %d: %w", couponID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("coupon: runs of %d: %w", couponID, err)
	}
	return out, nil
}

// Recipients pages through the users of an audience (the account domain).
type Recipients interface {
	AudienceIDs(ctx context.Context, q store.Querier, f notification.Audience, after, upTo int64, limit int) ([]int64, error)
}

// Defaults of the run job: the batched cursor job's.
const (
	DefaultAssignBatch  = batchjob.DefaultBatch
	DefaultAssignBudget = batchjob.DefaultBudget
)

// AssignAllDeps are the run job's collaborators.
type AssignAllDeps struct {
	Coupons    *Service
	Recipients Recipients
	Log        *slog.Logger
	Batch      int
	Budget     time.Duration
}

// AssignAllWorker works runs.
type AssignAllWorker struct {
	river.WorkerDefaults[AssignAllArgs]
	AssignAllDeps
}

// NewAssignAllWorker returns the worker of AssignAllArgs; a zero Batch or
// Budget takes the default.
func NewAssignAllWorker(d AssignAllDeps) *AssignAllWorker {
	d.Batch, d.Budget = batchjob.Limits(d.Batch, d.Budget)
	return &AssignAllWorker{AssignAllDeps: d}
}

// Work assigns batches until the run ends or its budget is spent, then
// snoozes (without using up an attempt) to continue from the cursor.
func (w *AssignAllWorker) Work(ctx context.Context, job *river.Job[AssignAllArgs]) error {
	return batchjob.Run(ctx, "coupon: assign-all job", w.Budget, func(ctx context.Context) (bool, error) {
		return w.Step(ctx, job.Args.RunID)
	})
}

// Step assigns one batch under the run's and the coupon's row locks and
// moves the cursor past it, in one transaction: a failed step changes
// nothing and is retried as it was. A coupon that runs out, expires or is
// deactivated stops the run with the reason (what was assigned stays).
func (w *AssignAllWorker) Step(ctx context.Context, runID int64) (done bool, err error) {
	s := w.Coupons
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		run, err := scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM coupon_assign_runs WHERE id = $1`+s.DB.ForUpdate(), runID))
		if errors.Is(err, store.ErrNotFound) || err == nil && (run.Status == RunCompleted || run.Status == RunStopped) {
			done = true
			return nil
		}
		if err != nil {
			return err
		}
		c, err := s.byID(ctx, tx, run.CouponID, true)
		if err != nil {
			return err
		}
		var stop string
		if err := errNotAssignable(c, s.Now()); err != nil {
			stop = reason(err)
		}
		var ids []int64
		if stop == "" {
			if ids, err = w.Recipients.AudienceIDs(ctx, tx, notification.Audience{}, run.Cursor, run.LastUserID, w.Batch); err != nil {
				return err
			}
		}
		cursor, assigned, skipped := run.Cursor, 0, 0
		for _, userID := range ids {
			held, err := s.holds(ctx, tx, c.ID, userID)
			if err != nil {
				return err
			}
			if !held {
				_, err := s.assign(ctx, tx, &c, userID, SourceAdmin)
				if errors.Is(err, ErrLimitReached) || errors.Is(err, ErrExpired) {
					stop = reason(err)
					break
				}
				if err != nil {
					return err
				}
				assigned++
			} else {
				skipped++
			}
			cursor = userID
		}
		now := s.Now()
		status, completed := RunRunning, store.NullAt(time.Time{})
		switch {
		case stop != "":
			status, completed, done = RunStopped, store.NullAt(now), true
		case len(ids) < w.Batch:
			status, completed, done = RunCompleted, store.NullAt(now), true
		}
		_, err = tx.ExecContext(ctx, `UPDATE coupon_assign_runs SET status = $1, assigned = assigned + $2, skipped = skipped + $3,
			cursor_user_id = $4, stop_reason = $5, last_error = '', updated_at = $6, completed_at = $7 WHERE id = $8`,
			status, assigned, skipped, cursor, stop, store.At(now), completed, runID)
		return err
	})
	if err != nil {
		if _, uerr := s.DB.SQL.ExecContext(ctx, `UPDATE coupon_assign_runs SET last_error = $1, updated_at = $2 WHERE id = $3`,
			text.Truncate(err.Error(), 500), store.At(s.Now()), runID); uerr != nil {
			w.Log.WarnContext(ctx, "coupon run error not recorded", "run_id", runID, "error", uerr)
		}
		return false, fmt.Errorf("coupon: run %d: %w", runID, err)
	}
	return done, nil
}

// reason is a domain refusal as an operator reads it.
func reason(err error) string {
	if e, ok := apperr.As(err); ok {
		if e.Details != "" {
			return e.Code + ": " + e.Details
		}
		return e.Code
	}
	return err.Error()
}
