package wallet

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Operators' side of withdrawals: the review queue and the decisions, each
// in the caller's transaction so the back office writes its audit row with
// the change.

// WithdrawalFilter selects withdrawals for operators; zero values match all.
type WithdrawalFilter struct {
	Status WithdrawalStatus
	UserID int64
}

// ListWithdrawals returns the withdrawals matching f, newest first, and how
// many match.
func (s *Service) ListWithdrawals(ctx context.Context, f WithdrawalFilter, limit, offset int) ([]Withdrawal, int, error) {
	var c store.Conds
	c.Eq("status", f.Status, f.Status != "")
	c.Eq("user_id", f.UserID, f.UserID != 0)
	where, args := c.Where()
	out, total, err := store.Page(ctx, s.DB.SQL, withdrawalColumns, `FROM withdrawals`+where, args, `id DESC`, limit, offset,
		s.scanWithdrawal)
	if err != nil {
		return nil, 0, fmt.Errorf("wallet: list withdrawals: %w", err)
	}
	return out, total, nil
}

// ApproveWithdrawalTx approves a pending withdrawal in tx and queues its
// submission to custody (the job runs after commit). It returns the
// withdrawal before and after.
func (s *Service) ApproveWithdrawalTx(ctx context.Context, tx *sql.Tx, jobs Inserter, id int64) (before, after Withdrawal, err error) {
	if before, err = s.withdrawalForUpdate(ctx, tx, id); err != nil {
		return before, after, fmt.Errorf("wallet: approve withdrawal %s: %w", withdrawalRef(id), err)
	}
	if err := s.approve(ctx, tx, jobs, id); err != nil {
		return before, after, fmt.Errorf("wallet: approve withdrawal %s: %w", withdrawalRef(id), err)
	}
	if after, err = s.withdrawalForUpdate(ctx, tx, id); err != nil {
		return before, after, fmt.Errorf("wallet: approve withdrawal %s: %w", withdrawalRef(id), err)
	}
	return before, after, nil
}

// RejectWithdrawalTx rejects a pending withdrawal in tx and returns the held
// amount, fee included, to the user's balance.
func (s *Service) RejectWithdrawalTx(ctx context.Context, tx *sql.Tx, id int64, reason string) (before, after Withdrawal, err error) {
	if before, err = s.withdrawalForUpdate(ctx, tx, id); err != nil {
		return before, after, fmt.Errorf("wallet: reject withdrawal %s: %w", withdrawalRef(id), err)
	}
	if err := s.finishWithRefund(ctx, tx, id, WithdrawalRejected, reason, []WithdrawalStatus{WithdrawalPending}); err != nil {
		return before, after, fmt.Errorf("wallet: reject withdrawal %s: %w", withdrawalRef(id), err)
	}
	if after, err = s.withdrawalForUpdate(ctx, tx, id); err != nil {
		return before, after, fmt.Errorf("wallet: reject withdrawal %s: %w", withdrawalRef(id), err)
	}
	return before, after, nil
}

// Reviewable refuses a withdrawal an operator can no longer decide.
func (w Withdrawal) Reviewable() error {
	if w.Status != WithdrawalPending {
		return ErrWithdrawalState.WithDetails("Only a pending withdrawal can be approved or rejected; withdrawal " +
			strconv.FormatInt(w.ID, 10) + " is " + string(w.Status))
	}
	return nil
}
