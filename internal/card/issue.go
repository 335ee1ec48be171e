package card

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
		return w.s.fail(ctx, job.Args.TaskID, err.Error())
	}
	return err
}

type taskRow struct {
	ID, UserID, KYCID int64
	Physical          bool
	Postal            string
	FeePayment        sql.NullInt64
	Status            TaskStatus
	CreatedAt         time.Time
}

func (s *Service) task(ctx context.Context, q store.Querier, id int64, lock bool) (taskRow, error) {
	var t taskRow
	suffix := ""
	if lock {
		suffix = s.DB.ForUpdate()
	}
	err := q.QueryRowContext(ctx, `SELECT id, user_id, kyc_id, physical, postal_sealed, fee_payment_id, status, created_at
		FROM card_tasks WHERE id = $1`+suffix, id).Scan(&t.ID, &t.UserID, &t.KYCID, &t.Physical, &t.Postal, &t.FeePayment, &t.Status, store.TimeInto(&t.CreatedAt))
	return t, store.NotFound(err)
}

// Issue submits a task to the issuer (no transaction held during the call)
// and records the card. It is idempotent.
func (s *Service) Issue(ctx context.Context, taskID int64) error {
	t, err := s.task(ctx, s.DB.SQL, taskID, false)
	if err != nil || (t.Status != TaskPending && t.Status != TaskProcessing) {
		return err
	}
	if s.Now().Sub(t.CreatedAt) > s.IssueTimeout {
		return s.fail(ctx, taskID, "issuance timed out")
	}
	if _, err := s.DB.SQL.ExecContext(ctx, `UPDATE card_tasks SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4`,
		TaskProcessing, store.At(s.Now()), taskID, TaskPending); err != nil {
		return err
	}
	member, err := s.memberName(ctx, t.KYCID)
	if err != nil {
		return err
	}
	req := IssueRequest{Reference: "task-" + strconv.FormatInt(taskID, 10), MemberName: member, Physical: t.Physical}
	if t.Physical && t.Postal != "" {
		pt, err := s.Box.Open(t.Postal, postalAD(t.UserID))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(pt, &req.Postal); err != nil {
			return err
		}
	}
	issued, err := s.Issuer.IssueCard(ctx, req)
	if err != nil {
		return err
	}
	fee, err := s.feePaid(ctx, s.DB.SQL, t.FeePayment)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.task(ctx, tx, taskID, true)
		if err != nil || t.Status == TaskCompleted || t.Status == TaskFailed {
			return err
		}
		return s.recordIssued(ctx, tx, t, issued, member, fee, req.Postal)
	})
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
		return err
	}
	if t.Physical {
		in := IssuedPhysical{UserID: t.UserID, CardID: cardID, TaskID: t.ID, PublicToken: issued.PublicToken, Postal: postal}
		if err := s.PhysicalOrders.CardIssued(ctx, tx, in); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE card_tasks SET status = $1, card_id = $2, completed_at = $3, updated_at = $3 WHERE id = $4`,
		TaskCompleted, cardID, now, t.ID); err != nil {
		return err
	}
	if fee > 0 {
		if err := s.Commissions.QueueCardOpening(ctx, tx, t.UserID, t.ID, fee); err != nil {
			return err
		}
	}
	return s.notifyIssue(ctx, tx, t.UserID, t.ID, issued.PublicToken, true)
}

// fail ends a task that cannot be issued and releases its fee payment, so
// the user may apply again without paying.
func (s *Service) fail(ctx context.Context, taskID int64, reason string) error {
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.task(ctx, tx, taskID, true)
		if err != nil || t.Status == TaskCompleted || t.Status == TaskFailed {
			return err
		}
		return s.failTx(ctx, tx, t, reason)
	})
}

func (s *Service) failTx(ctx context.Context, tx *sql.Tx, t taskRow, reason string) error {
	now := store.At(s.Now())
	if _, err := tx.ExecContext(ctx, `UPDATE card_tasks SET status = $1, fail_reason = $2, completed_at = $3, updated_at = $3 WHERE id = $4`,
		TaskFailed, text.Truncate(reason, 200), now, t.ID); err != nil {
		return err
	}
	if t.FeePayment.Valid {
		if err := s.Fees.Release(ctx, tx, t.FeePayment.Int64); err != nil {
			return err
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
		return "", err
	}
	return strings.TrimSpace(id.FirstName + " " + id.LastName), nil
}
