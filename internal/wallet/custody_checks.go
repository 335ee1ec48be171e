package wallet

import (
	"context"
	"time"

	"github.com/comecomepay/comecomepay/internal/chain"
)

// addressCheckTimeout bounds the provider's address check inside
// POST /wallet/withdrawal.
const addressCheckTimeout = 3 * time.Second

// CheckWithdrawalAddress asks the custody provider about a destination the
// wallet's own format check accepts, before the withdrawal is requested (it
// runs outside any transaction: a provider call must not hold the
// database). A provider that says no → INVALID_ADDRESS. A provider that
// cannot be asked does not block the withdrawal: the format check has
// passed, and the provider validates the address again when the order is
// submitted (a refusal there fails and refunds the withdrawal).
func (s *Service) CheckWithdrawalAddress(ctx context.Context, cur Currency, address string) error {
	if !cur.Crypto() || !chain.Valid(cur.Network, address) {
		return nil // RequestWithdrawal reports the format error
	}
	callCtx, cancel := context.WithTimeout(ctx, addressCheckTimeout)
	defer cancel()
	valid, err := s.Custody.CheckAddress(callCtx, cur, address)
	if err != nil {
		s.Log.WarnContext(ctx, "custody address check unavailable; the local format check decides", "currency", cur.Name, "error", err)
		return nil
	}
	if !valid {
		return ErrInvalidAddress.WithDetails("The custody provider does not accept this " + string(cur.Network) + " address")
	}
	return nil
}
