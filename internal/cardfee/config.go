package cardfee

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// MaxFee bounds a card fee an operator sets: 1 000 USD, in cents.
const MaxFee money.Amount = 100_000

// Configs returns the fee configuration of every card type.
func (s *Service) Configs(ctx context.Context) ([]Config, error) {
	var out []Config
	for _, t := range []CardType{Virtual, Physical} {
		c, err := s.Config(ctx, s.DB.SQL, t)
		if err != nil {
			return nil, err // Config names the card type
		}
		out = append(out, c)
	}
	return out, nil
}

// ConfigChange is an operator's change of a card type's fee; nil members
// keep their value.
type ConfigChange struct {
	FeeAmount   money.Amount // US cents, 0–MaxFee
	IsActive    *bool
	Description *string
}

// UpdateConfigTx changes a card type's fee in the caller's transaction and
// returns the configuration before and after (who changed it is the audit
// log's and the settings history's to say). Payments created afterwards —
// on any replica, since CreatePayment reads the row in its transaction —
// are priced at the new fee; pending ones keep the fee they were created at.
func (s *Service) UpdateConfigTx(ctx context.Context, tx *sql.Tx, cardType CardType, ch ConfigChange) (before, after Config, err error) {
	fail := func(err error) (Config, Config, error) {
		return Config{}, Config{}, fmt.Errorf("cardfee: update %s fee: %w", cardType, err)
	}
	if !ValidCardType(cardType) {
		return Config{}, Config{}, ErrNotConfigured.WithDetails("Card types are virtual and physical")
	}
	if _, err := tx.ExecContext(ctx, `SELECT id FROM card_fee_config WHERE card_type = $1`+s.DB.ForUpdate(), cardType); err != nil {
		return fail(fmt.Errorf("lock: %w", err))
	}
	before, err = s.Config(ctx, tx, cardType)
	if err != nil {
		return Config{}, Config{}, err
	}
	after = before
	after.FeeAmount = ch.FeeAmount
	if ch.IsActive != nil {
		after.IsActive = *ch.IsActive
	}
	if ch.Description != nil {
		after.Description = *ch.Description
	}
	if _, err := tx.ExecContext(ctx, `UPDATE card_fee_config SET fee_amount = $1, is_active = $2, description = $3, updated_at = $4
		WHERE card_type = $5`, int64(after.FeeAmount), after.IsActive, after.Description, store.At(s.Now()), cardType); err != nil {
		return fail(err)
	}
	after, err = s.Config(ctx, tx, cardType)
	if err != nil {
		return Config{}, Config{}, err
	}
	return before, after, nil
}
