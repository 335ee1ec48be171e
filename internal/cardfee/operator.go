package cardfee

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Operators' side of fee payments: the list, and the refund of a completed
// payment no card application has used (API.md §3.4.2).

var errNotRefundable = apperr.New(apperr.CodeInvalidState)

// PaymentFilter selects payments for operators; zero values match all.
// Consumed, when set, keeps completed payments used (true) or not (false).
type PaymentFilter struct {
	UserID   int64
	Status   PaymentStatus
	CardType CardType
	Consumed *bool
}

// ListPayments returns the payments matching f, newest first, and how many match.
func (s *Service) ListPayments(ctx context.Context, f PaymentFilter, limit, offset int) ([]Payment, int, error) {
	consumed := -1 // any
	if f.Consumed != nil {
		consumed = 0
		if *f.Consumed {
			consumed = 1
		}
	}
	// The cast makes PostgreSQL type $1 as BIGINT (its first use decides).
	const where = ` WHERE (CAST($1 AS BIGINT) = 0 OR user_id = $1) AND ($2 = '' OR status = $2) AND ($3 = '' OR card_type = $3)
		AND ($4 = -1 OR ($4 = 1 AND consumed_by_task_id IS NOT NULL) OR ($4 = 0 AND consumed_by_task_id IS NULL))`
	args := []any{f.UserID, string(f.Status), string(f.CardType), consumed}
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM card_fee_payments`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("cardfee: count payments: %w", err)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+paymentColumns+` FROM card_fee_payments`+where+` ORDER BY id DESC LIMIT $5 OFFSET $6`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("cardfee: list payments: %w", err)
	}
	defer rows.Close()
	var out []Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("cardfee: list payments: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("cardfee: list payments: %w", err)
	}
	return out, total, nil
}

// Payment returns one payment (PAYMENT_NOT_FOUND when there is none).
func (s *Service) Payment(ctx context.Context, id int64) (Payment, error) {
	p, err := s.payment(ctx, s.DB.SQL, id)
	if errors.Is(err, store.ErrNotFound) {
		return Payment{}, ErrPaymentNotFound.WithDetails("No such card fee payment")
	}
	if err != nil {
		return Payment{}, fmt.Errorf("cardfee: %w", err)
	}
	return p, nil
}

// Refundable refuses a payment that may not be refunded: only a completed
// payment that no card application holds.
func (p Payment) Refundable() error {
	switch {
	case p.Status != StatusCompleted:
		return errNotRefundable.WithDetails("Only a completed payment can be refunded; this one is " + string(p.Status))
	case p.Consumed:
		return errNotRefundable.WithDetails("The payment was used by a card application")
	}
	return nil
}

// Refund is what a refund pays back: the payment's actual amount in the
// currency it was paid with (nothing for a payment a coupon covered).
type Refund struct {
	Currency string
	Decimals int
	Amount   money.Amount
}

// RefundDue returns what refunding p pays back.
func (s *Service) RefundDue(p Payment) (Refund, error) {
	if p.ActualPayment == 0 {
		return Refund{Currency: "USD", Decimals: usdDecimals}, nil
	}
	cur, ok := s.Wallets.Currencies.Crypto(p.PaymentMethod)
	if !ok {
		return Refund{}, fmt.Errorf("cardfee: payment %d was paid with %q, not a wallet currency", p.ID, p.PaymentMethod)
	}
	// 1 USD = 1 unit: cents → the currency's minor units, as it was charged.
	return Refund{Currency: cur.Name, Decimals: cur.Decimals, Amount: p.ActualPayment * money.Amount(pow10(cur.Decimals-usdDecimals))}, nil
}

// RefundTx refunds a completed, unconsumed payment in tx: the amount goes
// back from fee income to the user's wallet in the currency paid, and the
// payment becomes refunded. The row lock and the conditional update keep a
// card application from consuming it meanwhile. A coupon the payment used
// stays used.
func (s *Service) RefundTx(ctx context.Context, tx *sql.Tx, id int64) (before, after Payment, err error) {
	fail := func(err error) (Payment, Payment, error) {
		return before, after, fmt.Errorf("cardfee: refund payment %d: %w", id, err)
	}
	before, err = scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM card_fee_payments WHERE id = $1`+s.DB.ForUpdate(), id))
	if errors.Is(err, store.ErrNotFound) {
		return before, after, ErrPaymentNotFound.WithDetails("No such card fee payment")
	}
	if err != nil {
		return fail(err)
	}
	if err := before.Refundable(); err != nil {
		return fail(err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE card_fee_payments SET status = $1 WHERE id = $2 AND status = $3 AND consumed_by_task_id IS NULL`,
		StatusRefunded, id, StatusCompleted)
	if err != nil {
		return fail(fmt.Errorf("mark refunded: %w", err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fail(errNotRefundable.WithDetails("The payment changed meanwhile"))
	}
	due, err := s.RefundDue(before)
	if err != nil {
		return fail(err)
	}
	if due.Amount > 0 {
		if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: "card-fee-refund:" + strconv.FormatInt(id, 10), Kind: "card_fee_refund",
			Description: "Card fee refund", Entries: []ledger.Entry{
				{Account: ledger.HouseAccount(ledger.FeeIncome, due.Currency), Amount: -due.Amount},
				{Account: ledger.UserAccount(before.UserID, ledger.Available, due.Currency), Amount: due.Amount},
			}}); err != nil {
			return fail(err)
		}
		if _, err := s.Wallets.RecordActivity(ctx, tx, wallet.Activity{UserID: before.UserID, Type: wallet.ActivityRefund,
			Status: wallet.ActivityCompleted, Amount: due.Amount, Currency: due.Currency, Description: "Card fee refund",
			Reference: before.Ref, SourceTable: "card_fee_payments", SourceID: id, Completed: true}); err != nil {
			return fail(err)
		}
	}
	if after, err = s.payment(ctx, tx, id); err != nil {
		return fail(err)
	}
	return before, after, nil
}
