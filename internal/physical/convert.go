package physical

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// recoverAfter is when the recovery job of a paid order runs: long after
// the synchronous request normally resolved the order, so the two rarely
// meet (and when they do, the order row lock makes the second a no-op). It
// is real time because the job queue schedules on the wall clock.
const recoverAfter = 2 * time.Minute

// ConvertInput is a parsed PUT /card/convertToPhysical.
type ConvertInput struct {
	UserID          int64
	PublicToken     string
	VerifyToken     string
	PaymentCurrency string
	Shipping        Shipping
}

// Result is the outcome of a conversion whose fee was paid.
type Result struct {
	Order Order
	// Failure is ISSUER_UNAVAILABLE when the issuer refused the order (or
	// ISSUER_TEMPORARILY_UNAVAILABLE when its breaker kept the order back):
	// the order is FAILED and the fee was refunded in the same transaction.
	Failure error
}

// Recorder is called inside the transaction that settles the order, so the
// caller can store its final response with the effect (Idempotency-Key).
type Recorder func(ctx context.Context, tx *sql.Tx, res Result) error

// Convert upgrades a virtual card (API.md §2.6): in a first transaction the
// verify token is checked and the fee debited (order FEE_PAID, recovery job
// queued); then the issuer is called with no transaction open; then a
// second transaction records SUBMITTED, or FAILED with the fee refunded.
// An error means nothing was paid (or, for internal errors, that the
// recovery job will settle the order); otherwise record was called in the
// committed settling transaction.
func (s *Service) Convert(ctx context.Context, in ConvertInput, record Recorder) (Result, error) {
	c, err := s.card(ctx, in.UserID, 0, in.PublicToken)
	if err != nil {
		return Result{}, fmt.Errorf("physical: convert card %s: %w", in.PublicToken, err)
	}
	postal, err := json.Marshal(in.Shipping)
	if err != nil {
		return Result{}, fmt.Errorf("physical: convert card %d: encode shipping: %w", c.ID, err)
	}
	var paid Order
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.Users.EnsureWritable(ctx, tx, in.UserID); err != nil {
			return err
		}
		if c.Status == card.StatusCancelled {
			return ErrCardCancelled.WithDetails("The card is cancelled")
		}
		tok, err := s.checkToken(ctx, tx, in.UserID, c.ID, in.VerifyToken)
		if err != nil {
			return err
		}
		if err := s.ensureUpgradable(ctx, tx, c); err != nil {
			return err
		}
		cur, ok := s.Wallets.Currencies.Crypto(in.PaymentCurrency)
		if !ok {
			return wallet.ErrUnsupportedCurrency.WithDetails("Pay with one of the currencies of fee-info")
		}
		// The fee in force when it is charged, read in this transaction.
		v, err := s.Settings.Current(ctx, tx)
		if err != nil {
			return err
		}
		// 1 USD = 1 unit of the stablecoin: cents → the coin's minor units.
		amount := v.UpgradeAmount * money.Amount(pow10(cur.Decimals-usdDecimals))
		sealed := s.Box.Seal(postal, postalAD(in.UserID))
		paid, err = s.payOrder(ctx, tx, c.ID, tok, Order{UserID: in.UserID, CardID: c.ID, PublicToken: c.PublicToken,
			Kind: KindUpgrade, Status: StatusFeePaid, FeeUSD: v.UpgradeAmount, FeeAmount: amount, PaymentCurrency: cur.Name}, sealed)
		if err != nil {
			return err
		}
		if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: "physical-upgrade:" + strconv.FormatInt(paid.ID, 10),
			Kind: "card_upgrade", Description: "Physical card upgrade", Entries: []ledger.Entry{
				{Account: ledger.UserAccount(in.UserID, ledger.Available, cur.Name), Amount: -amount},
				{Account: ledger.HouseAccount(ledger.FeeIncome, cur.Name), Amount: amount},
			}}); err != nil {
			return fmt.Errorf("post fee of order %d: %w", paid.ID, err)
		}
		if _, err := s.Wallets.RecordActivity(ctx, tx, wallet.Activity{UserID: in.UserID, Type: wallet.ActivityCardUpgrade, Status: wallet.ActivityCompleted,
			Amount: -amount, Currency: cur.Name, Description: "Physical card upgrade", Reference: paid.OrderNo,
			SourceTable: "physical_orders", SourceID: paid.ID, Completed: true}); err != nil {
			return fmt.Errorf("wallet activity of order %d: %w", paid.ID, err)
		}
		if _, err := s.Jobs.InsertTx(ctx, tx, RecoverArgs{OrderID: paid.ID}, &river.InsertOpts{ScheduledAt: time.Now().Add(recoverAfter)}); err != nil {
			return fmt.Errorf("queue recovery of order %d: %w", paid.ID, err)
		}
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("physical: convert card %d: %w", c.ID, err)
	}
	// The fee is already paid: from here on, finish even if the client goes
	// away (a cancelled call would look like an issuer refusal).
	ctx = context.WithoutCancel(ctx)
	extID, callErr := s.submit(ctx, ConvertRequest{Reference: paid.OrderNo, PublicToken: c.PublicToken, Shipping: in.Shipping})
	if errors.Is(callErr, errUnresolved) {
		// The order stays FEE_PAID; the recovery job finishes it.
		return Result{}, ErrIssuerUnavailable.WithDetails("The card issuer did not confirm the order yet; it completes or is refunded by itself").
			AsInterim()
	}
	return s.settle(ctx, paid.ID, SourceSystem, extID, callErr, record)
}

// errUnresolved is an issuer answer that says neither yes nor no.
var errUnresolved = errors.New("physical: the issuer's answer is unknown")

// submit sends an order to the issuer. A failure that may have happened
// (a timeout, a lost reply) is voided by its reference first: taken → the
// order goes on; voided → a definite refusal (the fee is refunded);
// unanswerable → errUnresolved, so nothing is refunded blindly.
func (s *Service) submit(ctx context.Context, req ConvertRequest) (string, error) {
	extID, err := s.Issuer.ConvertToPhysical(ctx, req)
	if err == nil {
		return extID, nil
	}
	if errors.Is(err, card.ErrIssuerDown) {
		return "", err // the first submission of this order never left: a definite no
	}
	return s.settleLost(ctx, req.Reference, err)
}

// settleLost turns a failed submission into a definite answer by voiding
// its reference at the issuer.
func (s *Service) settleLost(ctx context.Context, reference string, err error) (string, error) {
	s.Log.WarnContext(ctx, "issuer did not accept a physical conversion", "order_no", reference, "error", err)
	applied, voidedExt, verr := s.Issuer.VoidConversion(ctx, reference)
	switch {
	case verr != nil:
		return "", errUnresolved
	case applied:
		return voidedExt, nil
	default:
		return "", err
	}
}

// payOrder moves the token's draft to FEE_PAID, or, when that draft already
// failed (a retry after an issuer refusal), opens a new order; the token
// follows the order it pays for.
func (s *Service) payOrder(ctx context.Context, tx *sql.Tx, cardID int64, tok verifyToken, o Order, sealed string) (Order, error) {
	d, err := s.order(ctx, tx, tok.OrderID, true)
	if err != nil {
		return Order{}, err
	}
	if d.Status == StatusEmailVerified {
		if err := s.transition(ctx, tx, d, StatusFeePaid, SourceUser, "", ""); err != nil {
			return Order{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE physical_orders SET postal_sealed = $1, fee_usd = $2, fee_amount = $3,
			payment_currency = $4 WHERE id = $5`, sealed, int64(o.FeeUSD), int64(o.FeeAmount), o.PaymentCurrency, d.ID); err != nil {
			return Order{}, fmt.Errorf("record payment of order %d: %w", d.ID, err)
		}
		return s.order(ctx, tx, d.ID, false)
	}
	n, err := s.insertOrder(ctx, tx, o, sealed, SourceUser)
	if err != nil {
		return Order{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE physical_verify_tokens SET order_id = $1 WHERE token_hash = $2`, n.ID, tok.Hash); err != nil {
		return Order{}, fmt.Errorf("move verify token to order %d: %w", n.ID, err)
	}
	return n, nil
}

// settle records the issuer's answer for a paid order, idempotently: an
// order no longer FEE_PAID was settled already and is reported as it is.
func (s *Service) settle(ctx context.Context, orderID int64, source Source, extID string, callErr error, record Recorder) (Result, error) {
	var res Result
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		o, err := s.order(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		switch {
		case o.Status != StatusFeePaid:
		case callErr == nil:
			if _, err := tx.ExecContext(ctx, `UPDATE physical_orders SET external_req_id = $1 WHERE id = $2`, extID, o.ID); err != nil {
				return fmt.Errorf("record issuer request: %w", err)
			}
			if err := s.transition(ctx, tx, o, StatusSubmitted, source, "", extID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE physical_verify_tokens SET used_at = $1 WHERE order_id = $2 AND used_at IS NULL`,
				store.At(s.Now()), o.ID); err != nil {
				return fmt.Errorf("use verify token: %w", err)
			}
			if err := s.Cards.SetPhysical(ctx, tx, o.CardID, true); err != nil {
				return err
			}
		default:
			if err := s.fail(ctx, tx, o, "The card issuer did not accept the order", source); err != nil {
				return err
			}
		}
		if o, err = s.order(ctx, tx, orderID, false); err != nil {
			return err
		}
		res = Result{Order: o}
		if o.Status == StatusFailed {
			res.Failure = ErrIssuerUnavailable.WithDetails("The card issuer did not accept the order; the fee was refunded")
			if down, ok := apperr.As(callErr); ok && errors.Is(down, card.ErrIssuerDown) {
				res.Failure = down.WithDetails("The card issuer is not answering; the order was not sent and the fee was refunded")
			}
		}
		if record != nil {
			return record(ctx, tx, res)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("physical: settle order %d: %w", orderID, err)
	}
	return res, nil
}

// fail ends a paid order: FAILED, the fee refunded to the wallet it came
// from (unless an operator refunded it already), and the card no longer
// (being made) physical, so the user may retry.
func (s *Service) fail(ctx context.Context, tx *sql.Tx, o Order, reason string, source Source) error {
	if err := s.transition(ctx, tx, o, StatusFailed, source, reason, ""); err != nil {
		return err
	}
	refund := o.RefundStatus
	if o.FeeAmount > 0 && o.RefundStatus != RefundCompleted {
		// The refund is money returning to the user: it passes the wallet
		// gate, so it either lands before a deactivation's guard reads the
		// balances or waits for that guard, which sees this order open and
		// refuses. An account closed before orders blocked deactivation
		// still gets its fee back (it is the user's money) and is flagged.
		status, err := s.Wallets.CreditStatus(ctx, tx, o.UserID)
		if err != nil {
			return fmt.Errorf("refund fee: %w", err)
		}
		if status == account.StatusDeactivated {
			s.Log.ErrorContext(ctx, "physical order fee refunded to a closed account; an operator must return it",
				"order_no", o.OrderNo, "user_id", o.UserID)
		}
		if err := s.refundFee(ctx, tx, o); err != nil {
			return err
		}
		refund = RefundCompleted
	}
	if _, err := tx.ExecContext(ctx, `UPDATE physical_orders SET fail_reason = $1, refund_status = $2 WHERE id = $3`,
		text.Truncate(reason, 200), refund, o.ID); err != nil {
		return fmt.Errorf("record failure: %w", err)
	}
	return s.Cards.SetPhysical(ctx, tx, o.CardID, false)
}

// refundFee returns an order's fee to the wallet it was paid from: once per
// order (the ledger reference is the order's), whether the order failed or
// an operator refunded it.
func (s *Service) refundFee(ctx context.Context, tx *sql.Tx, o Order) error {
	if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: "physical-upgrade-refund:" + strconv.FormatInt(o.ID, 10),
		Kind: "card_upgrade_refund", Description: "Physical card upgrade refund", Entries: []ledger.Entry{
			{Account: ledger.HouseAccount(ledger.FeeIncome, o.PaymentCurrency), Amount: -o.FeeAmount},
			{Account: ledger.UserAccount(o.UserID, ledger.Available, o.PaymentCurrency), Amount: o.FeeAmount},
		}}); err != nil {
		return fmt.Errorf("refund fee: %w", err)
	}
	if _, err := s.Wallets.RecordActivity(ctx, tx, wallet.Activity{UserID: o.UserID, Type: wallet.ActivityRefund, Status: wallet.ActivityCompleted,
		Amount: o.FeeAmount, Currency: o.PaymentCurrency, Description: "Physical card upgrade refund", Reference: o.OrderNo,
		SourceTable: "physical_orders", SourceID: o.ID, Completed: true}); err != nil {
		return fmt.Errorf("refund fee: wallet activity: %w", err)
	}
	return nil
}

// RecoverArgs is the job that settles an order left at FEE_PAID (the
// process died between the debit and the issuer's answer).
type RecoverArgs struct {
	OrderID int64 `json:"order_id"`
}

// Kind implements river.JobArgs.
func (RecoverArgs) Kind() string { return "physical.recover" }

// InsertOpts retries transient issuer failures with River's backoff.
func (RecoverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

// RecoverWorker settles paid orders the request did not settle.
type RecoverWorker struct {
	river.WorkerDefaults[RecoverArgs]
	s *Service
}

// NewRecoverWorker returns the worker for RecoverArgs.
func NewRecoverWorker(s *Service) *RecoverWorker { return &RecoverWorker{s: s} }

// Work implements river.Worker.
func (w *RecoverWorker) Work(ctx context.Context, job *river.Job[RecoverArgs]) error {
	return card.WaitIfDown(w.s.Recover(ctx, job.Args.OrderID, job.Attempt >= job.MaxAttempts))
}

// Recover settles an order still at FEE_PAID by asking the issuer again
// with the same reference (the order_no), so an order the issuer already
// accepted is recognised rather than submitted twice. A failure is retried
// by the queue; the last attempt voids the reference and then refunds only
// an order the issuer confirms it never took (one it cannot be asked about
// is left to operators, never refunded blindly).
func (s *Service) Recover(ctx context.Context, orderID int64, final bool) error {
	o, err := s.order(ctx, s.DB.SQL, orderID, false)
	if err != nil {
		return fmt.Errorf("physical: recover: %w", err)
	}
	if o.Status != StatusFeePaid {
		return nil
	}
	var ship Shipping
	if o.Kind == KindUpgrade {
		if pt, err := s.Box.Open(s.postal(ctx, orderID), postalAD(o.UserID)); err == nil {
			_ = json.Unmarshal(pt, &ship)
		}
	}
	extID, callErr := s.Issuer.ConvertToPhysical(ctx, ConvertRequest{Reference: o.OrderNo, PublicToken: o.PublicToken, Shipping: ship})
	if callErr != nil {
		// Only an issuer that was really asked lets the last attempt void.
		if !final || errors.Is(callErr, card.ErrIssuerDown) {
			// the queue retries under the same reference
			return fmt.Errorf("physical: recover order %d: submit %s: %w", o.ID, o.OrderNo, callErr)
		}
		if extID, callErr = s.settleLost(ctx, o.OrderNo, callErr); errors.Is(callErr, errUnresolved) {
			s.Log.ErrorContext(ctx, "physical order unresolved at the issuer; needs an operator", "order_no", o.OrderNo)
			return fmt.Errorf("physical: recover order %d: %w", o.ID, callErr)
		}
	}
	if _, err := s.settle(ctx, orderID, SourceSystem, extID, callErr, nil); err != nil {
		return err // settle names the order
	}
	return nil
}

func (s *Service) postal(ctx context.Context, orderID int64) string {
	var sealed string
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT postal_sealed FROM physical_orders WHERE id = $1`, orderID).Scan(&sealed); err != nil {
		return ""
	}
	return sealed
}

func postalAD(userID int64) []byte { return []byte("physical-postal|" + strconv.FormatInt(userID, 10)) }

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
