package cardfee

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

const paymentColumns = `id, user_id, card_type, original_fee, coupon_discount, actual_payment, status, transaction_ref,
	payment_method, coupon_code, coupon_name, consumed_by_task_id, created_at, expires_at, paid_at`

func scanPayment(row interface{ Scan(...any) error }) (Payment, error) {
	var (
		p          Payment
		consumedBy sql.NullInt64
		paid       time.Time
	)
	if err := row.Scan(&p.ID, &p.UserID, &p.CardType, &p.OriginalFee, &p.CouponDiscount, &p.ActualPayment, &p.Status, &p.Ref,
		&p.PaymentMethod, &p.CouponCode, &p.CouponName, &consumedBy, store.TimeInto(&p.CreatedAt),
		store.TimeInto(&p.ExpiresAt), store.TimeInto(&paid)); err != nil {
		return Payment{}, store.NotFound(err)
	}
	p.Consumed = consumedBy.Valid
	if !paid.IsZero() {
		p.PaidAt = &paid
	}
	return p, nil
}

// CreatePayment opens a pending payment for cardType in the caller's
// transaction, cancelling an earlier pending one of the same type.
func (s *Service) CreatePayment(ctx context.Context, tx *sql.Tx, userID int64, cardType CardType, couponCode string) (Payment, error) {
	fail := func(err error) (Payment, error) {
		return Payment{}, fmt.Errorf("cardfee: create %s payment for user %d: %w", cardType, userID, err)
	}
	// Each read is a round trip: the account's state and its overrides
	// come in one, and the slots are counted here from what is already
	// known rather than by Stats, which would read the fee again.
	o, err := s.Users.WritableOverrides(ctx, tx, userID)
	if err != nil {
		return fail(err)
	}
	cfg, err := s.Config(ctx, tx, cardType)
	if err != nil {
		return fail(err)
	}
	cfg = exemptIf(o.CardFee, cfg)
	paid, err := s.hasUnconsumed(ctx, tx, userID, cardType)
	if err != nil {
		return fail(err)
	}
	if paid {
		return Payment{}, ErrAlreadyPaid.WithDetails("A completed " + string(cardType) + " card fee payment is waiting to be used")
	}
	// Read in this transaction: the fee, the slots and the lifetime are the
	// ones in force when the payment is made, on whichever replica.
	v, err := s.Settings.Current(ctx, tx)
	if err != nil {
		return fail(err)
	}
	success, pending, err := s.Cards.Counts(ctx, tx, userID)
	if err != nil {
		return fail(err)
	}
	if slots := slotsOf(o, v); slots-success-pending <= 0 {
		return Payment{}, ErrCardLimit.WithDetails("All " + strconv.Itoa(slots) + " card slots are used")
	}
	now := s.Now()
	if err := s.cancelPending(ctx, tx, userID, cardType); err != nil {
		return fail(err)
	}
	fee := cfg.Effective()
	var id int64
	// The reference embeds the row id, so it is unique without retries.
	if err := tx.QueryRowContext(ctx, `INSERT INTO card_fee_payments (user_id, card_type, original_fee, actual_payment, status,
		transaction_ref, created_at, expires_at) VALUES ($1, $2, $3, $3, $4, $5, $6, $7) RETURNING id`,
		userID, cardType, int64(fee), StatusPending, "pending-"+strconv.FormatInt(now.UnixNano(), 10)+"-"+strconv.FormatInt(userID, 10),
		store.At(now), store.At(now.Add(v.FeePaymentExpiry))).Scan(&id); err != nil {
		return fail(fmt.Errorf("insert: %w", err))
	}
	ref := fmt.Sprintf("CFP%s%06d", now.UTC().Format("20060102150405"), id%1_000_000)
	// The coupon is reserved for the inserted row; then one update sets the
	// reference and the price (the defaults when there is no coupon) and
	// answers the row as the caller sees it, without reading it back.
	var discount money.Amount
	var code, name string
	if couponCode != "" {
		uc, d, err := s.Coupons.Reserve(ctx, tx, userID, couponCode, string(cardType), fee, id)
		if err != nil {
			return fail(err)
		}
		discount, code, name = d, uc.Coupon.Code, uc.Coupon.Name
	}
	p, err := scanPayment(tx.QueryRowContext(ctx, `UPDATE card_fee_payments SET transaction_ref = $1, coupon_discount = $2,
		actual_payment = $3, coupon_code = $4, coupon_name = $5 WHERE id = $6 RETURNING `+paymentColumns,
		ref, int64(discount), int64(fee-discount), code, name, id))
	if err != nil {
		return fail(fmt.Errorf("set reference and price of payment %d: %w", id, err))
	}
	return p, nil
}

// cancelPending cancels the user's pending payments of cardType and frees
// their coupons (API.md §2.4: a new payment supersedes them).
func (s *Service) cancelPending(ctx context.Context, tx *sql.Tx, userID int64, cardType CardType) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM card_fee_payments WHERE user_id = $1 AND card_type = $2 AND status = $3`,
		userID, cardType, StatusPending)
	if err != nil {
		return fmt.Errorf("pending payments: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("pending payments: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE card_fee_payments SET status = $1 WHERE id = $2`, StatusCancelled, id); err != nil {
			return fmt.Errorf("cancel payment %d: %w", id, err)
		}
		if err := s.Coupons.Release(ctx, tx, id); err != nil {
			return fmt.Errorf("release coupon of payment %d: %w", id, err)
		}
	}
	return nil
}

func (s *Service) payment(ctx context.Context, q store.Querier, id int64) (Payment, error) {
	p, err := scanPayment(q.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM card_fee_payments WHERE id = $1`, id))
	if err != nil {
		return Payment{}, fmt.Errorf("read payment %d: %w", id, err)
	}
	return p, nil
}

// CompletePayment pays a pending payment 1:1 from the wallet in
// currencyName, in the caller's transaction. Completing a completed payment
// returns it unchanged: there is never a second debit.
func (s *Service) CompletePayment(ctx context.Context, tx *sql.Tx, userID int64, ref, currencyName string) (Payment, error) {
	p, err := scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM card_fee_payments
		WHERE transaction_ref = $1 AND user_id = $2`+s.DB.ForUpdate(), ref, userID))
	if errors.Is(err, store.ErrNotFound) {
		return Payment{}, ErrPaymentNotFound.WithDetails("No such payment")
	}
	fail := func(err error) (Payment, error) {
		return Payment{}, fmt.Errorf("cardfee: complete payment %s: %w", ref, err)
	}
	if err != nil {
		return fail(err)
	}
	if p.Status == StatusCompleted {
		return p, nil
	}
	if err := s.ensureActive(ctx, tx, userID); err != nil {
		return fail(err)
	}
	if p.Status != StatusPending {
		return Payment{}, ErrNotPending.WithDetails("The payment is " + string(p.Status))
	}
	now := s.Now()
	if !now.Before(p.ExpiresAt) {
		if _, err := tx.ExecContext(ctx, `UPDATE card_fee_payments SET status = $1 WHERE id = $2`, StatusExpired, p.ID); err != nil {
			return fail(fmt.Errorf("expire: %w", err))
		}
		if err := s.Coupons.Release(ctx, tx, p.ID); err != nil {
			return fail(err)
		}
		return Payment{}, store.CommitThenFail(ErrPaymentExpired.WithDetails("This pending payment has expired; create a new one"))
	}
	method := "coupon"
	if p.ActualPayment > 0 {
		cur, ok := s.Wallets.Currencies.Crypto(currencyName)
		if !ok {
			return Payment{}, wallet.ErrUnsupportedCurrency.WithDetails("Pay with one of the currencies of GetCurrencies")
		}
		method = cur.Name
		// 1 USD = 1 unit: cents → 6-decimal minor units.
		amount := p.ActualPayment * money.Amount(pow10(cur.Decimals-usdDecimals))
		ledgerRef := "card-fee:" + strconv.FormatInt(p.ID, 10)
		if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: ledgerRef, Kind: "card_fee", Description: "Card fee",
			Entries: []ledger.Entry{
				{Account: ledger.UserAccount(userID, ledger.Available, cur.Name), Amount: -amount},
				{Account: ledger.HouseAccount(ledger.FeeIncome, cur.Name), Amount: amount},
			}}); err != nil {
			return fail(fmt.Errorf("post %s: %w", ledgerRef, err))
		}
		if _, err := s.Wallets.RecordActivity(ctx, tx, wallet.Activity{UserID: userID, Type: wallet.ActivityCardFee, Status: wallet.ActivityCompleted,
			Amount: -amount, Currency: cur.Name, Description: "Card fee (" + string(p.CardType) + ")", Reference: p.Ref,
			SourceTable: "card_fee_payments", SourceID: p.ID, Completed: true}); err != nil {
			return fail(err)
		}
	}
	res, err := tx.ExecContext(ctx, `UPDATE card_fee_payments SET status = $1, payment_method = $2, paid_at = $3
		WHERE id = $4 AND status = $5`, StatusCompleted, method, store.At(now), p.ID, StatusPending)
	if err != nil {
		return fail(fmt.Errorf("mark completed: %w", err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		// Lost a race that the row lock should have prevented: roll back.
		return Payment{}, ErrNotPending.WithDetails("The payment changed meanwhile")
	}
	// Only a payment with a coupon code has a coupon reserved
	// (CreatePayment sets both in its transaction).
	if p.CouponCode != "" {
		used, err := s.Coupons.Use(ctx, tx, p.ID)
		if err != nil {
			return fail(err)
		}
		if !used {
			// The discount was priced on a coupon this payment no longer holds.
			return Payment{}, coupon.ErrUsed.WithDetails("The coupon of this payment is no longer available; create a new payment")
		}
	}
	// The row as the update left it, without reading it back: paid_at is
	// stored in microseconds, so it is rounded the way a read would see it.
	paid := time.UnixMicro(now.UnixMicro()).UTC()
	p.Status, p.PaymentMethod, p.PaidAt = StatusCompleted, method, &paid
	return p, nil
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// Latest returns the user's most recent payment (of cardType, "" = any).
func (s *Service) Latest(ctx context.Context, userID int64, cardType CardType) (Payment, bool, error) {
	q := `SELECT ` + paymentColumns + ` FROM card_fee_payments WHERE user_id = $1`
	args := []any{userID}
	if cardType != "" {
		q += ` AND card_type = $2`
		args = append(args, cardType)
	}
	p, err := scanPayment(s.DB.SQL.QueryRowContext(ctx, q+` ORDER BY id DESC LIMIT 1`, args...))
	if errors.Is(err, store.ErrNotFound) {
		return Payment{}, false, nil
	}
	if err != nil {
		return Payment{}, false, fmt.Errorf("cardfee: latest payment of user %d: %w", userID, err)
	}
	return p, true, nil
}

// History lists a user's payments, newest first.
func (s *Service) History(ctx context.Context, userID int64, page, size int) ([]Payment, int, error) {
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM card_fee_payments WHERE user_id = $1`, userID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("cardfee: count payments of user %d: %w", userID, err)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+paymentColumns+` FROM card_fee_payments WHERE user_id = $1
		ORDER BY id DESC LIMIT $2 OFFSET $3`, userID, size, (page-1)*size)
	if err != nil {
		return nil, 0, fmt.Errorf("cardfee: payments of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("cardfee: payments of user %d: %w", userID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("cardfee: payments of user %d: %w", userID, err)
	}
	return out, total, nil
}

// Eligibility answers GET /kyc/eligibility.
type Eligibility struct {
	Eligible       bool
	PaymentStatus  string // none, pending, processing, completed, failed
	PaymentType    CardType
	RequiredAction string // "", create_payment, complete_payment
}

// KYCEligibility tells whether the user may start KYC: a completed fee
// payment (consumed or not), a waived virtual fee, or KYC already approved.
func (s *Service) KYCEligibility(ctx context.Context, userID int64, kycApproved bool) (Eligibility, error) {
	e := Eligibility{PaymentStatus: "none"}
	latest, ok, err := s.Latest(ctx, userID, "")
	if err != nil {
		return e, err // Latest names the user
	}
	if ok {
		e.PaymentType = latest.CardType
		switch latest.Status {
		case StatusPending, StatusCompleted:
			e.PaymentStatus = string(latest.Status)
		default:
			e.PaymentStatus = "failed"
		}
	}
	var completed bool
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM card_fee_payments WHERE user_id = $1 AND status = $2)`,
		userID, StatusCompleted).Scan(&completed); err != nil {
		return e, fmt.Errorf("cardfee: KYC eligibility of user %d: completed payment: %w", userID, err)
	}
	cfg, err := s.Config(ctx, s.DB.SQL, Virtual)
	waived := err == nil && cfg.Effective() == 0
	if err != nil && !errors.Is(err, ErrNotConfigured) {
		return e, fmt.Errorf("cardfee: KYC eligibility of user %d: %w", userID, err)
	}
	exempt, err := s.feeExempt(ctx, s.DB.SQL, userID)
	if err != nil {
		return e, err
	}
	waived = waived || exempt
	v, err := s.Settings.Current(ctx, s.DB.SQL)
	if err != nil {
		return e, fmt.Errorf("cardfee: KYC eligibility of user %d: %w", userID, err)
	}
	e.Eligible = completed || waived || kycApproved || !v.KYCRequiresCardFee
	if !e.Eligible {
		e.RequiredAction = "create_payment"
		if latest.Status == StatusPending && s.Now().Before(latest.ExpiresAt) {
			e.RequiredAction = "complete_payment"
		}
	}
	return e, nil
}

// KYCFeePaid tells whether KYC may start as far as the fee goes: a
// completed payment (consumed or not), or a waived virtual fee.
func (s *Service) KYCFeePaid(ctx context.Context, userID int64) (bool, error) {
	e, err := s.KYCEligibility(ctx, userID, false)
	return e.Eligible, err
}

// Consume marks the oldest completed, unconsumed payment of cardType as used
// by taskID, in the caller's transaction. The conditional update makes each
// payment serve exactly one application however many race for it.
func (s *Service) Consume(ctx context.Context, tx *sql.Tx, userID int64, cardType CardType, taskID int64) (Payment, error) {
	p, err := scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM card_fee_payments
		WHERE user_id = $1 AND card_type = $2 AND status = $3 AND consumed_by_task_id IS NULL
		ORDER BY id LIMIT 1`+s.DB.ForUpdate(), userID, cardType, StatusCompleted))
	if errors.Is(err, store.ErrNotFound) {
		return Payment{}, ErrFeeUnpaid.WithDetails("No completed, unused card fee payment exists for card type " + string(cardType))
	}
	if err != nil {
		return Payment{}, fmt.Errorf("cardfee: consume %s payment for task %d: %w", cardType, taskID, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE card_fee_payments SET consumed_by_task_id = $1 WHERE id = $2 AND consumed_by_task_id IS NULL`,
		taskID, p.ID)
	if err != nil {
		return Payment{}, fmt.Errorf("cardfee: consume payment %d for task %d: %w", p.ID, taskID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Payment{}, ErrFeeUnpaid.WithDetails("The card fee payment was used by another application")
	}
	p.Consumed = true
	return p, nil
}

// Release makes a consumed payment usable again (its application failed).
func (s *Service) Release(ctx context.Context, tx *sql.Tx, paymentID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE card_fee_payments SET consumed_by_task_id = NULL WHERE id = $1`, paymentID); err != nil {
		return fmt.Errorf("cardfee: release payment %d: %w", paymentID, err)
	}
	return nil
}

// FeeDue returns the fee the user owes for a card type (0 when waived, or
// when an operator exempted the user).
func (s *Service) FeeDue(ctx context.Context, q store.Querier, userID int64, cardType CardType) (money.Amount, error) {
	cfg, err := s.Config(ctx, q, cardType)
	if errors.Is(err, ErrNotConfigured) {
		return 0, nil
	}
	if err != nil {
		return 0, err // Config names the card type
	}
	if cfg, err = s.userFee(ctx, q, userID, cfg); err != nil {
		return 0, err
	}
	return cfg.Effective(), nil
}

// PaidAmount returns what a payment charged (cents).
func (s *Service) PaidAmount(ctx context.Context, q store.Querier, paymentID int64) (money.Amount, error) {
	p, err := s.payment(ctx, q, paymentID)
	if err != nil {
		return 0, fmt.Errorf("cardfee: %w", err)
	}
	return p.ActualPayment, nil
}
