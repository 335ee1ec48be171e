package card

import (
	"context"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
)

// ErrBalancePending refuses taking money off a card that the issuer still
// holds for an authorisation: a definite answer about the card, not an
// issuer outage. It happens after the platform's hold expiry released an
// authorisation the issuer keeps (its own expiry may be later), or while
// an authorisation is on its way to the platform.
var ErrBalancePending = apperr.New("CARD_BALANCE_PENDING")

// EnsureReleasable refuses with CARD_BALANCE_PENDING when the issuer's
// spendable balance of c is below amount, the HKD about to be withdrawn
// from it. An issuer that does not answer the balance query is no reason
// to refuse: the withdrawal that follows is the authority and has its own
// recovery.
func (s *Service) EnsureReleasable(ctx context.Context, c Card, amount money.Amount) error {
	return s.ensureReleasable(ctx, c.PublicToken, amount)
}

func (s *Service) ensureReleasable(ctx context.Context, publicToken string, amount money.Amount) error {
	if amount <= 0 {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, issuerCallTimeout)
	defer cancel()
	available, err := s.Balances.CardBalance(cctx, publicToken)
	if err != nil || available >= amount {
		return nil
	}
	return ErrBalancePending.WithDetails("The card issuer still holds " + (amount - available).Format(2) +
		" HKD of this card for an authorisation that has not settled; it can be withdrawn once that payment completes or is released").
		AsInterim() // nothing changed, and the same request succeeds once the authorisation settles
}
