package wallet

import (
	"context"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// limitsFor returns the programme's limits with the user's overrides set by
// an operator (account.Overrides), read as of q — inside a withdrawal's
// transaction, so a change commits before or after the request, never
// half-way through it.
func (s *Service) limitsFor(ctx context.Context, q store.Querier, userID int64) (Limits, error) {
	l := s.Limits
	o, err := s.Users.Overrides(ctx, q, userID)
	if err != nil {
		return Limits{}, fmt.Errorf("wallet: limits of user %d: %w", userID, err)
	}
	if o.WithdrawalDaily != nil {
		l.DailyWithdrawal = money.Amount(*o.WithdrawalDaily)
	}
	if o.WithdrawalMonthly != nil {
		l.MonthlyWithdrawal = money.Amount(*o.WithdrawalMonthly)
	}
	if o.WithdrawalFee {
		l.WithdrawalFeeUnits = 0
	}
	return l, nil
}

// WithdrawalFeeFor is WithdrawalFee for one user: nothing when an operator
// exempted them from the withdrawal fee.
func (s *Service) WithdrawalFeeFor(ctx context.Context, q store.Querier, userID int64, c Currency, amount money.Amount) (FeeQuote, error) {
	l, err := s.limitsFor(ctx, q, userID)
	if err != nil {
		return FeeQuote{}, err
	}
	return withdrawalFee(l, c, amount), nil
}
