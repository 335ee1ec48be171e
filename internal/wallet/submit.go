package wallet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// CustodyWithdrawals is the custody provider's withdrawal port.
type CustodyWithdrawals interface {
	// SubmitWithdrawal asks the provider to send an order on chain. It is
	// idempotent on BusinessID: submitting twice sends once.
	SubmitWithdrawal(ctx context.Context, o WithdrawalOrder) error
}

// SubmitWorker hands approved withdrawals to the custody provider. The
// outcome arrives later through the custody callback.
type SubmitWorker struct {
	river.WorkerDefaults[SubmitArgs]
	s       *Service
	custody CustodyWithdrawals
}

// NewSubmitWorker returns the worker for SubmitArgs.
func NewSubmitWorker(s *Service, custody CustodyWithdrawals) *SubmitWorker {
	return &SubmitWorker{s: s, custody: custody}
}

// Work implements river.Worker. No transaction is held during the provider
// call. When the last attempt fails the withdrawal fails and is refunded.
func (w *SubmitWorker) Work(ctx context.Context, job *river.Job[SubmitArgs]) error {
	wd, err := w.s.Withdrawal(ctx, job.Args.WithdrawalID)
	if err != nil {
		return err
	}
	if wd.Status != WithdrawalApproved {
		return nil // settled or cancelled meanwhile
	}
	err = w.custody.SubmitWithdrawal(ctx, WithdrawalOrder{BusinessID: strconv.FormatInt(wd.ID, 10), Currency: wd.Currency,
		Address: wd.Address, Amount: wd.ActualAmount()})
	if err == nil {
		return nil
	}
	ref := withdrawalRef(wd.ID)
	// A refusal is final: resubmitting the same order cannot succeed. Any
	// other error (a timeout above all: the provider may have accepted
	// it) is retried with the same BusinessID, which the provider sends
	// at most once.
	refused := errors.Is(err, ErrCustodyRefused)
	if refused || job.Attempt >= job.MaxAttempts {
		w.s.Log.ErrorContext(ctx, "withdrawal submission failed for good; refunding", "withdrawal_id", wd.ID, "refused", refused, "error", err)
		reason := "custody submission failed"
		if refused {
			reason = "refused by custody"
		}
		err := w.s.DB.InTx(ctx, func(tx *sql.Tx) error {
			return w.s.finishWithRefund(ctx, tx, wd.ID, WithdrawalFailed, reason, []WithdrawalStatus{WithdrawalApproved})
		})
		if err != nil {
			return fmt.Errorf("wallet: refund withdrawal %s after its last submission: %w", ref, err)
		}
		return nil
	}
	return fmt.Errorf("wallet: submit withdrawal %s to custody: %w", ref, err)
}

// applyWithdrawalEvent moves a withdrawal by a custody callback
// (tradeType 2, matched by businessId): 1 approved, 2 rejected + refund,
// 3 completed, 4 failed + refund; 0 changes nothing.
func (s *Service) applyWithdrawalEvent(ctx context.Context, tx *sql.Tx, ev CustodyEvent) (string, error) {
	id, err := strconv.ParseInt(ev.BusinessID, 10, 64)
	if err != nil {
		return webhook.StateUnmatched, nil
	}
	w, err := s.withdrawalForUpdate(ctx, tx, id)
	if err != nil {
		return webhook.StateUnmatched, nil
	}
	open := []WithdrawalStatus{WithdrawalPending, WithdrawalApproved}
	switch ev.Status {
	case 1:
		if w.Status == WithdrawalPending {
			err = s.markApprovedByCustody(ctx, tx, id)
		}
	case 2:
		if slices.Contains(open, w.Status) {
			err = s.finishWithRefund(ctx, tx, id, WithdrawalRejected, "rejected by custody", open)
		}
	case 3:
		err = s.completeWithdrawal(ctx, tx, id, ev.TxID)
	case 4:
		if slices.Contains(open, w.Status) {
			err = s.finishWithRefund(ctx, tx, id, WithdrawalFailed, "failed on chain", open)
		}
	}
	if err != nil {
		return webhook.StateProcessed, fmt.Errorf("wallet: custody status %d for withdrawal %s: %w", ev.Status, withdrawalRef(id), err)
	}
	return webhook.StateProcessed, nil
}

func (s *Service) markApprovedByCustody(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE withdrawals SET status = $1, updated_at = $2 WHERE id = $3`,
		WithdrawalApproved, store.At(s.Now()), id); err != nil {
		return fmt.Errorf("mark approved: %w", err)
	}
	return s.setActivityStatus(ctx, tx, id, WithdrawalApproved, false)
}
