package card

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
)

// IssueArgs is the job that issues the card of one task.
type IssueArgs struct {
	TaskID int64 `json:"task_id"`
}

// Kind implements river.JobArgs.
func (IssueArgs) Kind() string { return "card.issue" }

// InsertOpts retries transient issuer failures with River's backoff.
func (IssueArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 25} }

// IssueWorker issues cards. A restart mid-issuance simply runs the job again:
// the issuer call carries the task id as idempotency key, and the card row is
// unique per task, so one application never yields two cards.
type IssueWorker struct {
	river.WorkerDefaults[IssueArgs]
	s *Service
}

// NewIssueWorker returns the worker for IssueArgs.
func NewIssueWorker(s *Service) *IssueWorker { return &IssueWorker{s: s} }

// Work implements river.Worker.
func (w *IssueWorker) Work(ctx context.Context, job *river.Job[IssueArgs]) error {
	err := w.s.Issue(ctx, job.Args.TaskID)
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrIssuerDown) {
		return WaitIfDown(err)
	}
	permanent := errors.Is(err, ErrIssueRejected)
	if permanent || job.Attempt >= job.MaxAttempts {
		if ferr := w.s.fail(ctx, job.Args.TaskID, err.Error()); ferr != nil {
			return fmt.Errorf("card: fail task %d: %w", job.Args.TaskID, ferr)
		}
		return nil
	}
	return fmt.Errorf("card: issue task %d: %w", job.Args.TaskID, err)
}

type taskRow struct {
	ID, UserID, KYCID int64
	Physical          bool
	Postal            string
	FeePayment        sql.NullInt64
	Status            TaskStatus
	CreatedAt         time.Time
	RetriedAt         time.Time // an operator's last retry (zero = none)
}

// submitted is when the task was last put in the issuer's hands: its
// application, or an operator's retry.
func (t taskRow) submitted() time.Time {
	if t.RetriedAt.After(t.CreatedAt) {
		return t.RetriedAt
	}
	return t.CreatedAt
}

func (s *Service) task(ctx context.Context, q store.Querier, id int64, lock bool) (taskRow, error) {
	var t taskRow
	suffix := ""
	if lock {
		suffix = s.DB.ForUpdate()
	}
	err := q.QueryRowContext(ctx, `SELECT id, user_id, kyc_id, physical, postal_sealed, fee_payment_id, status, created_at, retried_at
		FROM card_tasks WHERE id = $1`+suffix, id).Scan(&t.ID, &t.UserID, &t.KYCID, &t.Physical, &t.Postal, &t.FeePayment, &t.Status,
		store.TimeInto(&t.CreatedAt), store.TimeInto(&t.RetriedAt))
	if err != nil {
		return taskRow{}, fmt.Errorf("read task %d: %w", id, store.NotFound(err))
	}
	return t, nil
}

// Issue submits a task to the issuer (no transaction held during the call)
// and records the card. It is idempotent. The issuer's refusal comes back
// as the issuer worded it, since the worker keeps that text as the task's
// fail reason; the worker adds the task to what it logs.
func (s *Service) Issue(ctx context.Context, taskID int64) error {
	t, err := s.task(ctx, s.DB.SQL, taskID, false)
	if err != nil || (t.Status != TaskPending && t.Status != TaskProcessing) {
		return err
	}
	v, err := s.Settings.Get(ctx)
	if err != nil {
		return fmt.Errorf("issue task %d: %w", taskID, err)
	}
	if s.Now().Sub(t.submitted()) > v.IssuanceTimeout {
		return s.fail(ctx, taskID, "issuance timed out")
	}
	if _, err := s.DB.SQL.ExecContext(ctx, `UPDATE card_tasks SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4`,
		TaskProcessing, store.At(s.Now()), taskID, TaskPending); err != nil {
		return fmt.Errorf("mark task processing: %w", err)
	}
	member, err := s.memberName(ctx, t.KYCID)
	if err != nil {
		return err
	}
	req := IssueRequest{Reference: "task-" + strconv.FormatInt(taskID, 10), MemberName: member, Physical: t.Physical}
	if t.Physical && t.Postal != "" {
		pt, err := s.Box.Open(t.Postal, postalAD(t.UserID))
		if err != nil {
			return fmt.Errorf("open postal data: %w", err)
		}
		if err := json.Unmarshal(pt, &req.Postal); err != nil {
			return fmt.Errorf("decode postal data: %w", err)
		}
	}
	issued, err := s.Issuer.IssueCard(ctx, req)
	if err != nil {
		return err // as the issuer worded it: the task's fail reason
	}
	fee, err := s.feePaid(ctx, s.DB.SQL, t.FeePayment)
	if err != nil {
		return fmt.Errorf("fee paid: %w", err)
	}
	if err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.task(ctx, tx, taskID, true)
		if err != nil || t.Status == TaskCompleted || t.Status == TaskFailed {
			return err
		}
		return s.recordIssued(ctx, tx, t, issued, member, fee, req.Postal)
	}); err != nil {
		return fmt.Errorf("record card %s: %w", issued.PublicToken, err)
	}
	return nil
}

// recordIssued creates the card of a task the issuer has issued and
// completes the task, in tx (the task row locked by the caller).
func (s *Service) recordIssued(ctx context.Context, tx *sql.Tx, t taskRow, issued IssuedCard, member string, fee money.Amount, postal Postal) error {
	now := store.At(s.Now())
	var cardID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO cards (user_id, task_id, public_token, masked_pan, status, is_physical, kyc_id,
		member_name, fee_paid, expiry, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
		t.UserID, t.ID, issued.PublicToken, issued.MaskedPAN, StatusNormal, t.Physical, t.KYCID, member, int64(fee),
		issued.Expiry.UTC().Format(time.DateTime), now).Scan(&cardID); err != nil {
		return fmt.Errorf("insert card of task %d: %w", t.ID, err)
	}
	if t.Physical {
		in := IssuedPhysical{UserID: t.UserID, CardID: cardID, TaskID: t.ID, PublicToken: issued.PublicToken, Postal: postal}
		if err := s.PhysicalOrders.CardIssued(ctx, tx, in); err != nil {
			return fmt.Errorf("physical order of card %d: %w", cardID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE card_tasks SET status = $1, card_id = $2, completed_at = $3, updated_at = $3 WHERE id = $4`,
		TaskCompleted, cardID, now, t.ID); err != nil {
		return fmt.Errorf("complete task %d: %w", t.ID, err)
	}
	if fee > 0 {
		if err := s.Commissions.QueueCardOpening(ctx, tx, t.UserID, t.ID, fee); err != nil {
			return fmt.Errorf("commissions of task %d: %w", t.ID, err)
		}
	}
	return s.notifyIssue(ctx, tx, t.UserID, t.ID, issued.PublicToken, true)
}

// fail ends a task that cannot be issued and releases its fee payment, so
// the user may apply again without paying.
func (s *Service) fail(ctx context.Context, taskID int64, reason string) error {
	if err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.task(ctx, tx, taskID, true)
		if err != nil || t.Status == TaskCompleted || t.Status == TaskFailed {
			return err
		}
		return s.failTx(ctx, tx, t, reason)
	}); err != nil {
		return fmt.Errorf("fail task %d: %w", taskID, err)
	}
	return nil
}

func (s *Service) failTx(ctx context.Context, tx *sql.Tx, t taskRow, reason string) error {
	now := store.At(s.Now())
	if _, err := tx.ExecContext(ctx, `UPDATE card_tasks SET status = $1, fail_reason = $2, completed_at = $3, updated_at = $3 WHERE id = $4`,
		TaskFailed, text.Truncate(reason, 200), now, t.ID); err != nil {
		return fmt.Errorf("mark task %d failed: %w", t.ID, err)
	}
	if t.FeePayment.Valid {
		if err := s.Fees.Release(ctx, tx, t.FeePayment.Int64); err != nil {
			return fmt.Errorf("release fee payment of task %d: %w", t.ID, err)
		}
	}
	return s.notifyIssue(ctx, tx, t.UserID, t.ID, "", false)
}

func (s *Service) memberName(ctx context.Context, kycID int64) (string, error) {
	return s.memberNameIn(ctx, s.DB.SQL, kycID)
}

func (s *Service) memberNameIn(ctx context.Context, q store.Querier, kycID int64) (string, error) {
	id, err := s.KYC.Identity(ctx, q, kycID)
	if err != nil {
		return "", fmt.Errorf("member name of kyc record %d: %w", kycID, err)
	}
	return strings.TrimSpace(id.FirstName + " " + id.LastName), nil
}
