package sandbox

import (
	"context"
	"database/sql"
	"errors"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// Recharge implements swap.CardIssuer: it credits a card once per reference.
func (i *Issuer) Recharge(ctx context.Context, publicToken string, amount money.Amount, reference string) error {
	return i.balanceOperation(ctx, "recharge", publicToken, amount, reference)
}

// Withdraw implements swap.CardIssuer: it debits a card once per reference.
func (i *Issuer) Withdraw(ctx context.Context, publicToken string, amount money.Amount, reference string) error {
	return i.balanceOperation(ctx, "withdraw", publicToken, -amount, reference)
}

func (i *Issuer) balanceOperation(ctx context.Context, operation, publicToken string, delta money.Amount, reference string) error {
	if i.injectedFailure(operation) {
		return errors.New("sandbox issuer: injected " + operation + " failure")
	}
	return i.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sim_issuer_operations (reference, public_token, operation, amount, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (reference) DO NOTHING`, reference, publicToken, operation, int64(delta), i.now().UnixMicro())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // done before: the same answer again
		}
		res, err = tx.ExecContext(ctx, `UPDATE sim_issuer_cards SET balance = balance + $1
			WHERE public_token = $2 AND status <> 'closed' AND balance + $1 >= 0`, int64(delta), publicToken)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return swap.ErrCardDeclined
		}
		return nil
	})
}
