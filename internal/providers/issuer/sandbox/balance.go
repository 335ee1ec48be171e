package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
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
	err := i.db.InTx(ctx, func(tx *sql.Tx) error {
		var done string
		err := tx.QueryRowContext(ctx, `SELECT operation FROM sim_issuer_operations WHERE reference = $1`, reference).Scan(&done)
		switch {
		case err == nil && done == voided:
			return swap.ErrCardDeclined // cancelled by reference: never applies
		case err == nil:
			return nil // done before: the same answer again
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("look up reference: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sim_issuer_operations (reference, public_token, operation, amount, created_at)
			VALUES ($1, $2, $3, $4, $5)`, reference, publicToken, operation, int64(delta), store.At(i.now())); err != nil {
			return fmt.Errorf("record operation: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE sim_issuer_cards SET balance = balance + $1
			WHERE public_token = $2 AND status <> 'closed' AND balance + $1 >= 0`, int64(delta), publicToken)
		if err != nil {
			return fmt.Errorf("move balance: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return swap.ErrCardDeclined
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sandbox issuer: %s %s: %w", operation, reference, err)
	}
	// The operation happened, but its answer is lost (a timeout): the
	// ambiguous case the platform must resolve by reference.
	if i.injectedFailure(operation + "_lost_reply") {
		return errors.New("sandbox issuer: " + operation + " reply lost")
	}
	return nil
}

// voided marks a reference cancelled before it was applied.
const voided = "void"

// Void implements swap.CardIssuer: it reports whether the operation with
// this reference was applied, and if not makes sure it never will be.
func (i *Issuer) Void(ctx context.Context, reference string) (applied bool, err error) {
	if i.injectedFailure("void") {
		return false, errors.New("sandbox issuer: injected void failure")
	}
	err = i.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sim_issuer_operations (reference, public_token, operation, amount, created_at)
			VALUES ($1, '', $2, 0, $3) ON CONFLICT (reference) DO NOTHING`, reference, voided, store.At(i.now())); err != nil {
			return err
		}
		var op string
		if err := tx.QueryRowContext(ctx, `SELECT operation FROM sim_issuer_operations WHERE reference = $1`, reference).Scan(&op); err != nil {
			return err
		}
		applied = op != voided
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("sandbox issuer: void %s: %w", reference, err)
	}
	return applied, nil
}
