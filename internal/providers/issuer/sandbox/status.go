package sandbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/money"
)

// simStatus maps issuer status codes onto the simulator's card states.
var simStatus = map[card.IssuerCode]string{card.CodeActive: "active", card.CodeFrozen: "frozen", card.CodeCancelled: "closed"}

// SetStatus implements card.StatusIssuer. A closed card stays closed.
func (i *Issuer) SetStatus(ctx context.Context, publicToken string, code card.IssuerCode) error {
	st, ok := simStatus[code]
	if !ok {
		return errors.New("sandbox issuer: unknown status code")
	}
	if i.injectedFailure("set_status") {
		return errors.New("sandbox issuer: injected set_status failure")
	}
	// Closing a card returns what is left on it to the programme's float.
	res, err := i.db.SQL.ExecContext(ctx, `UPDATE sim_issuer_cards SET status = $1, balance = CASE WHEN $1 = 'closed' THEN 0 ELSE balance END
		WHERE public_token = $2 AND (status <> 'closed' OR $1 = 'closed')`, st, publicToken)
	if err != nil {
		return fmt.Errorf("sandbox issuer: set_status %s: %w", code, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errors.New("sandbox issuer: no such open card")
	}
	return nil
}

// CardBalance implements card.BalanceSource.
func (i *Issuer) CardBalance(ctx context.Context, publicToken string) (money.Amount, error) {
	var b int64
	if err := i.db.SQL.QueryRowContext(ctx, `SELECT balance FROM sim_issuer_cards WHERE public_token = $1`, publicToken).Scan(&b); err != nil {
		return 0, fmt.Errorf("sandbox issuer: card_balance: %w", err)
	}
	return money.Amount(b), nil
}
