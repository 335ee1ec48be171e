package wallet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Adjustment is an operator's manual correction of a user's available
// balance: one ledger transaction between the user and the house account
// ledger.Adjustments, so the book stays balanced and the house account
// shows the net of every correction.
type Adjustment struct {
	ID         int64
	UserID     int64
	Currency   Currency
	Amount     money.Amount // signed: + credits the user, − debits
	Reason     string
	Reference  string
	LedgerTxID int64
	CreatedAt  time.Time
	// BalanceAfter is the user's available balance right after it (for an
	// adjustment read back by its reference: the balance now).
	BalanceAfter money.Amount
}

// AdjustmentInput is an adjustment to make. Reference makes it idempotent:
// a second adjustment with the same reference returns the first.
type AdjustmentInput struct {
	UserID    int64
	Currency  Currency
	Amount    money.Amount
	Reason    string
	Reference string
}

// AdjustTx books an adjustment in tx. A debit larger than the available
// balance fails with INSUFFICIENT_BALANCE: a user balance never goes
// negative. A repeated reference returns the adjustment already booked.
func (s *Service) AdjustTx(ctx context.Context, tx *sql.Tx, in AdjustmentInput) (Adjustment, error) {
	fail := func(err error) (Adjustment, error) {
		return Adjustment{}, fmt.Errorf("wallet: adjust user %d by %s %s: %w", in.UserID, in.Amount.Format(in.Currency.Decimals),
			in.Currency.Name, err)
	}
	if in.Amount == 0 || in.Reference == "" || in.Reason == "" || !in.Currency.Crypto() {
		return fail(errors.New("an adjustment needs a non-zero amount in a wallet currency, a reason and a reference"))
	}
	if prior, err := s.adjustment(ctx, tx, `reference = $1`, in.Reference); err == nil {
		return prior, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return fail(err)
	}
	if err := s.ensureCreditable(ctx, tx, in.UserID); err != nil {
		return fail(err)
	}
	now := s.Now()
	a := Adjustment{UserID: in.UserID, Currency: in.Currency, Amount: in.Amount, Reason: in.Reason, Reference: in.Reference, CreatedAt: now}
	// The ledger id is set once the transaction exists; its reference needs
	// this row's id, so the row comes first with a placeholder.
	if err := tx.QueryRowContext(ctx, `INSERT INTO adjustments (user_id, currency, amount, reason, reference, ledger_tx_id, created_at)
		VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING id`, a.UserID, a.Currency.Name, int64(a.Amount), a.Reason, a.Reference,
		store.At(now)).Scan(&a.ID); err != nil {
		return fail(fmt.Errorf("insert: %w", err))
	}
	ref := "adjustment:" + strconv.FormatInt(a.ID, 10)
	var err error
	a.LedgerTxID, err = s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: ref, Kind: "adjustment", Description: "Operator adjustment",
		Entries: []ledger.Entry{
			{Account: ledger.UserAccount(a.UserID, ledger.Available, a.Currency.Name), Amount: a.Amount},
			{Account: ledger.HouseAccount(ledger.Adjustments, a.Currency.Name), Amount: -a.Amount},
		}})
	if errors.Is(err, ledger.ErrInsufficientBalance) {
		return Adjustment{}, ledger.ErrInsufficientBalance.WithDetails("The debit is larger than the user's available " +
			a.Currency.Name + " balance")
	}
	if err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE adjustments SET ledger_tx_id = $1 WHERE id = $2`, a.LedgerTxID, a.ID); err != nil {
		return fail(fmt.Errorf("link ledger transaction: %w", err))
	}
	// The user sees the correction in their history, not the operator's
	// reason, which is for the audit log.
	if _, err := s.RecordActivity(ctx, tx, Activity{UserID: a.UserID, Type: ActivityAdminAdjustment, Status: ActivityCompleted,
		Amount: a.Amount, Currency: a.Currency.Name, Description: "Adjustment", Reference: "ADJ" + strconv.FormatInt(a.ID, 10),
		SourceTable: "adjustments", SourceID: a.ID, Completed: true}); err != nil {
		return fail(err)
	}
	if a.BalanceAfter, err = s.Ledger.Balance(ctx, tx, ledger.UserAccount(a.UserID, ledger.Available, a.Currency.Name)); err != nil {
		return fail(err)
	}
	return a, nil
}

func (s *Service) adjustment(ctx context.Context, q store.Querier, where string, arg any) (Adjustment, error) {
	var (
		a   Adjustment
		cur string
	)
	err := q.QueryRowContext(ctx, `SELECT id, user_id, currency, amount, reason, reference, ledger_tx_id, created_at
		FROM adjustments WHERE `+where, arg).Scan(&a.ID, &a.UserID, &cur, &a.Amount, &a.Reason, &a.Reference, &a.LedgerTxID,
		store.TimeInto(&a.CreatedAt))
	if err != nil {
		return Adjustment{}, store.NotFound(err)
	}
	a.Currency, _ = s.Currencies.Get(cur)
	if a.BalanceAfter, err = s.Ledger.Balance(ctx, q, ledger.UserAccount(a.UserID, ledger.Available, cur)); err != nil {
		return Adjustment{}, err
	}
	return a, nil
}
