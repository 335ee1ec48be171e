package wallet

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
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
	// The cast makes PostgreSQL type $2 as BIGINT (its first use decides).
	where, args := `($1 = '' OR status = $1) AND (CAST($2 AS BIGINT) = 0 OR user_id = $2)`, []any{string(f.Status), f.UserID}
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM withdrawals WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("wallet: count withdrawals: %w", err)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+withdrawalColumns+` FROM withdrawals WHERE `+where+
		` ORDER BY id DESC LIMIT $3 OFFSET $4`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("wallet: list withdrawals: %w", err)
	}
	out, err := s.scanWithdrawals(rows)
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
