package cardfee

import (
	"context"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
)

// An operator may give one user another number of card slots and exempt
// them from the card fee (account.Overrides); both are read as of q, inside
// the transaction that applies them.

// SlotsFor returns how many cards (issued and in flight) the user may hold:
// the operator's override, else the programme's max_cards.
func (s *Service) SlotsFor(ctx context.Context, q store.Querier, userID int64) (int, error) {
	o, err := s.Users.Overrides(ctx, q, userID)
	if err != nil {
		return 0, fmt.Errorf("cardfee: card slots of user %d: %w", userID, err)
	}
	if o.MaxCards != nil {
		return *o.MaxCards, nil
	}
	v, err := s.Settings.Current(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("cardfee: card slots of user %d: %w", userID, err)
	}
	return slotsOf(o, v), nil
}

// slotsOf is the slot rule: the operator's override, else the programme's.
func slotsOf(o account.Overrides, v settings.Values) int {
	if o.MaxCards != nil {
		return *o.MaxCards
	}
	return v.MaxCards
}

// feeExempt tells whether an operator waived the card fees for the user.
func (s *Service) feeExempt(ctx context.Context, q store.Querier, userID int64) (bool, error) {
	o, err := s.Users.Overrides(ctx, q, userID)
	if err != nil {
		return false, fmt.Errorf("cardfee: fee exemption of user %d: %w", userID, err)
	}
	return o.CardFee, nil
}

// userFee is the fee the user owes under cfg: nothing when exempt.
func (s *Service) userFee(ctx context.Context, q store.Querier, userID int64, cfg Config) (Config, error) {
	exempt, err := s.feeExempt(ctx, q, userID)
	if err != nil {
		return Config{}, err
	}
	return exemptIf(exempt, cfg), nil
}

// exemptIf is the exemption rule: an exempt user owes no fee.
func exemptIf(exempt bool, cfg Config) Config {
	if exempt {
		cfg.IsActive = false
	}
	return cfg
}
