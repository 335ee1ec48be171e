package wallet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/store"
)

// DeactivationBlocker explains why the user's wallet keeps the account open
// ("" = nothing): money left in any currency, or a withdrawal not final.
// It implements account.DeactivationGuard.
//
// It first takes the wallet row's exclusive lock for the rest of tx, which
// every credit from outside the user's own money takes shared
// (CreditStatus). So a credit that committed before is in the balances read
// below, and one that had not started its posting waits for tx and then
// reads the account's final status. The balances are read before the open
// withdrawals: a withdrawal moves money from the balance to its hold in the
// same commit, so one of the two reads sees it.
func (s *Service) DeactivationBlocker(ctx context.Context, tx *sql.Tx, userID int64) (string, error) {
	if err := s.lockWallet(ctx, tx, userID, s.DB.ForUpdate()); err != nil {
		return "", fmt.Errorf("wallet: deactivation guard of user %d: %w", userID, err)
	}
	left, err := s.Ledger.FirstNonZero(ctx, tx, userID)
	if err == nil {
		currency, name, balance := left.Currency, left.Name, int64(left.Balance)
		c, ok := s.Currencies.Get(currency)
		decimals := 6
		if ok {
			decimals = c.Decimals
		}
		what := "balance"
		if name == ledger.WithdrawalHold {
			what = "amount held for a withdrawal"
		}
		return fmt.Sprintf("The wallet still has a %s of %s %s", what, moneyText(balance, decimals), currency), nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("wallet: deactivation guard of user %d: balances: %w", userID, err)
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM withdrawals WHERE user_id = $1 AND status IN ($2, $3)`,
		userID, WithdrawalPending, WithdrawalApproved).Scan(&open); err != nil {
		return "", fmt.Errorf("wallet: deactivation guard of user %d: withdrawals: %w", userID, err)
	}
	if open > 0 {
		return fmt.Sprintf("%d withdrawal(s) are not final yet", open), nil
	}
	return "", nil
}

// CreditStatus returns the account status of a user about to receive
// money that is not already theirs (a transfer, a commission), holding the
// wallet row's shared lock for the rest of tx; store.ErrNotFound when the
// user has no wallet.
//
// The status is read after the lock, in its own statement: if a
// deactivation held the lock, that statement starts after it committed and
// sees "deactivated" (PostgreSQL READ COMMITTED takes a new snapshot per
// statement; a lock-only wait does not refresh the rows of the waiting
// statement). Call it after any lock on the user's own rows (users row,
// cards), which the deactivation takes before the wallet's.
func (s *Service) CreditStatus(ctx context.Context, tx *sql.Tx, userID int64) (account.Status, error) {
	if err := s.LockForCredit(ctx, tx, userID); err != nil {
		return "", err
	}
	st, err := s.Users.AccountStatus(ctx, tx, userID)
	if err != nil {
		return "", fmt.Errorf("wallet: credit status of user %d: %w", userID, err)
	}
	return st, nil
}

// LockForCredit takes the wallet row's shared lock for the rest of tx, for
// money returning to the user that cannot be refused (a swap settled or
// undone): the deactivation's guard, holding the lock exclusively, then
// reads the user's balances and open operations without this commit
// falling between its reads.
func (s *Service) LockForCredit(ctx context.Context, tx *sql.Tx, userID int64) error {
	if err := s.lockWallet(ctx, tx, userID, s.DB.ForShare()); err != nil {
		return fmt.Errorf("wallet: lock wallet of user %d for credit: %w", userID, err)
	}
	return nil
}

func (s *Service) lockWallet(ctx context.Context, tx *sql.Tx, userID int64, lock string) error {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM wallets WHERE user_id = $1`+lock, userID).Scan(&id)
	return store.NotFound(err)
}
