package wallet

import (
	"context"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
)

// valuesFor returns the programme's settings with the user's overrides set
// by an operator (account.Overrides), both read as of q — inside a
// withdrawal's transaction, so a change commits before or after the
// request, never half-way through it.
func (s *Service) valuesFor(ctx context.Context, q store.Querier, userID int64) (settings.Values, error) {
	v, err := s.Settings.Current(ctx, q)
	if err != nil {
		return settings.Values{}, fmt.Errorf("wallet: limits of user %d: %w", userID, err)
	}
	o, err := s.Users.Overrides(ctx, q, userID)
	if err != nil {
		return settings.Values{}, fmt.Errorf("wallet: limits of user %d: %w", userID, err)
	}
	// The overrides are whole USD-equivalent units; the settings, cents.
	if o.WithdrawalDaily != nil {
		v.WithdrawalDailyLimitUSD = money.Amount(*o.WithdrawalDaily) * 100
	}
	if o.WithdrawalMonthly != nil {
		v.WithdrawalMonthlyLimitUSD = money.Amount(*o.WithdrawalMonthly) * 100
	}
	if o.WithdrawalFee {
		free := make(map[string]settings.WithdrawalFee, len(v.WithdrawalFees))
		for name := range v.WithdrawalFees {
			free[name] = settings.WithdrawalFee{Type: settings.FeeFixed}
		}
		v.WithdrawalFees = free
	}
	return v, nil
}

// WithdrawalFeeFor quotes the fee for amount for one user under the
// settings in force (nothing when an operator exempted them from the
// withdrawal fee); a withdrawal reads them again in its own transaction.
func (s *Service) WithdrawalFeeFor(ctx context.Context, q store.Querier, userID int64, c Currency, amount money.Amount) (FeeQuote, error) {
	v, err := s.valuesFor(ctx, q, userID)
	if err != nil {
		return FeeQuote{}, err
	}
	return feeQuote(v, c, amount), nil
}
