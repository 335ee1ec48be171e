package card

import (
	"context"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/store"
)

// ByPublicToken returns the card with an issuer handle, whoever owns it:
// inbound issuer events name cards by handle only. q lets a caller holding
// a transaction look it up inside it.
func (s *Service) ByPublicToken(ctx context.Context, q store.Querier, publicToken string) (Card, error) {
	c, err := scanCard(q.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE public_token = $1`, publicToken))
	if errors.Is(err, store.ErrNotFound) {
		return Card{}, ErrCardNotFound.WithDetails("No such card")
	}
	if err != nil {
		return Card{}, fmt.Errorf("card: card %s: %w", publicToken, err)
	}
	return c, nil
}

// SetThreeDSPlan records the 3DS plan the issuer has accepted for a card.
func (s *Service) SetThreeDSPlan(ctx context.Context, cardID int64, plan string) error {
	res, err := s.DB.SQL.ExecContext(ctx, `UPDATE cards SET three_ds_plan = $1, updated_at = $2 WHERE id = $3`,
		plan, store.At(s.Now()), cardID)
	if err != nil {
		return fmt.Errorf("card: set 3DS plan %s on card %d: %w", plan, cardID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrCardNotFound.WithDetails("No such card")
	}
	return nil
}
