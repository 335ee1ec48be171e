package card

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Task is an issuance task as operators see it: never its postal data.
type Task struct {
	ID           int64
	UserID       int64
	KYCID        int64
	Physical     bool
	Status       TaskStatus
	FailReason   string
	FeePaymentID int64 // 0 = none (the fee was waived)
	CardID       int64 // 0 until issued
	Retries      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	CompletedAt  *time.Time
	LastPolledAt *time.Time
	RetriedAt    *time.Time
}

const taskColumns = `id, user_id, kyc_id, physical, status, fail_reason, fee_payment_id, card_id, retries, created_at, updated_at,
	completed_at, last_polled_at, retried_at`

func scanTask(row interface{ Scan(...any) error }) (Task, error) {
	var (
		t                          Task
		payment, cardID            sql.NullInt64
		completed, polled, retried time.Time
	)
	if err := row.Scan(&t.ID, &t.UserID, &t.KYCID, &t.Physical, &t.Status, &t.FailReason, &payment, &cardID, &t.Retries,
		store.TimeInto(&t.CreatedAt), store.TimeInto(&t.UpdatedAt), store.TimeInto(&completed), store.TimeInto(&polled),
		store.TimeInto(&retried)); err != nil {
		return Task{}, store.NotFound(err)
	}
	t.FeePaymentID, t.CardID = payment.Int64, cardID.Int64
	t.CompletedAt, t.LastPolledAt, t.RetriedAt = optional(completed), optional(polled), optional(retried)
	return t, nil
}

// TaskFilter narrows the operators' task list; zero values match all.
type TaskFilter struct {
	UserID int64
	Status TaskStatus
}

// AdminTasks lists issuance tasks of every user, newest first.
func (s *Service) AdminTasks(ctx context.Context, f TaskFilter, limit, offset int) ([]Task, int, error) {
	var c store.Conds
	c.Eq("user_id", f.UserID, f.UserID != 0)
	c.Eq("status", f.Status, f.Status != "")
	where, args := c.Where()
	out, total, err := store.Page(ctx, s.DB.SQL, taskColumns, `FROM card_tasks`+where, args, `id DESC`, limit, offset, scanTask)
	if err != nil {
		return nil, 0, fmt.Errorf("card: list tasks: %w", err)
	}
	return out, total, nil
}

func (s *Service) taskView(ctx context.Context, q store.Querier, id int64) (Task, error) {
	t, err := scanTask(q.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM card_tasks WHERE id = $1`, id))
	if errors.Is(err, store.ErrNotFound) {
		return Task{}, ErrTaskNotFound.WithDetails("No such card application")
	}
	if err != nil {
		return Task{}, fmt.Errorf("read task %d: %w", id, err)
	}
	return t, nil
}

var errAccountClosed = apperr.New(apperr.CodeInvalidState).WithDetails("The account is closed")

// RetryTaskTx puts a failed issuance task back in the queue, in the
// caller's transaction, under the rules of a new application (API.md §3.2):
// the account is open and not frozen, its KYC is approved, a card slot is
// free, and a fee payment is consumed — the task's own payment again when no
// other application took it meanwhile (a failure released it, §3.4.2), else
// the oldest unused completed payment of the card type, else
// CARD_FEE_UNPAID; none when the fee is waived now (for everyone or for this user). The issuer sees the same
// reference ("task-<id>"), so an issuer that issued the card after all
// returns that card instead of a second one. The issuance timeout counts
// from the retry. It returns the task before and after.
func (s *Service) RetryTaskTx(ctx context.Context, tx *sql.Tx, taskID int64) (before, after Task, err error) {
	fail := func(err error) (Task, Task, error) {
		return Task{}, Task{}, fmt.Errorf("card: retry task %d: %w", taskID, err)
	}
	t, err := s.task(ctx, tx, taskID, true)
	if errors.Is(err, store.ErrNotFound) {
		return Task{}, Task{}, ErrTaskNotFound.WithDetails("No such card application")
	}
	if err != nil {
		return fail(err)
	}
	if before, err = s.taskView(ctx, tx, taskID); err != nil {
		return fail(err)
	}
	if t.Status != TaskFailed {
		return Task{}, Task{}, apperr.New(apperr.CodeInvalidState).
			WithDetails("Only a failed card application can be retried; this one is " + string(t.Status))
	}
	status, err := s.Users.AccountStatus(ctx, tx, t.UserID)
	if err != nil {
		return fail(err)
	}
	if status == account.StatusDeactivated {
		return Task{}, Task{}, errAccountClosed
	}
	if err := s.Users.EnsureWritable(ctx, tx, t.UserID); err != nil {
		return fail(err)
	}
	rec, ok, err := s.KYC.ApprovedRecord(ctx, tx, t.UserID)
	if err != nil {
		return fail(err)
	}
	if !ok {
		return Task{}, Task{}, ErrKYCNotApproved.WithDetails("The user has no approved identity verification")
	}
	if err := s.takeSlot(ctx, tx, t.UserID); err != nil {
		return fail(err)
	}
	payment, err := s.retryPayment(ctx, tx, t)
	if err != nil {
		return fail(err)
	}
	now := store.At(s.Now())
	res, err := tx.ExecContext(ctx, `UPDATE card_tasks SET status = $1, fail_reason = '', completed_at = NULL, kyc_id = $2,
		fee_payment_id = $3, retries = retries + 1, retried_at = $4, updated_at = $4 WHERE id = $5 AND status = $6`,
		TaskPending, rec.ID, payment, now, t.ID, TaskFailed)
	if err != nil {
		return fail(fmt.Errorf("requeue: %w", err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fail(errors.New("requeue: the task changed meanwhile"))
	}
	if _, err := s.Jobs.InsertTx(ctx, tx, IssueArgs{TaskID: t.ID}, nil); err != nil {
		return fail(fmt.Errorf("queue issuance: %w", err))
	}
	if after, err = s.taskView(ctx, tx, taskID); err != nil {
		return fail(err)
	}
	return before, after, nil
}

// retryPayment consumes the fee payment of a retried task (see RetryTaskTx).
func (s *Service) retryPayment(ctx context.Context, tx *sql.Tx, t taskRow) (sql.NullInt64, error) {
	if t.FeePayment.Valid {
		ok, err := s.Fees.Reconsume(ctx, tx, t.FeePayment.Int64, t.ID)
		if err != nil || ok {
			return t.FeePayment, err
		}
	}
	cardType := cardfee.Virtual
	if t.Physical {
		cardType = cardfee.Physical
	}
	due, err := s.Fees.FeeDue(ctx, tx, t.UserID, cardType)
	if err != nil || due == 0 {
		return sql.NullInt64{}, err
	}
	p, err := s.Fees.Consume(ctx, tx, t.UserID, cardType, t.ID)
	if err != nil {
		return sql.NullInt64{}, err
	}
	return sql.NullInt64{Int64: p.ID, Valid: true}, nil
}
