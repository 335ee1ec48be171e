package wallet

import (
	"context"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/store"
)

// DeactivationBlocker explains why the user's wallet keeps the account open
// ("" = nothing): money left in any currency, or a withdrawal not final.
// It implements account.DeactivationGuard.
func (s *Service) DeactivationBlocker(ctx context.Context, q store.Querier, userID int64) (string, error) {
	var currency, name string
	var balance int64
	err := q.QueryRowContext(ctx, `SELECT currency, name, balance FROM ledger_accounts
		WHERE owner_id = $1 AND balance <> 0 ORDER BY id LIMIT 1`, userID).Scan(&currency, &name, &balance)
	if err == nil {
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
	if store.NotFound(err) != store.ErrNotFound {
		return "", err
	}
	var open int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM withdrawals WHERE user_id = $1 AND status IN ('pending', 'approved')`,
		userID).Scan(&open); err != nil {
		return "", err
	}
	if open > 0 {
		return fmt.Sprintf("%d withdrawal(s) are not final yet", open), nil
	}
	return "", nil
}
