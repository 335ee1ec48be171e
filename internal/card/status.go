package card

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// IssuerCode is the issuer's code of a card status (API.md §3.4.3), which
// the app also sends to change it.
type IssuerCode string

// Status codes of the issuer.
const (
	CodeActive    IssuerCode = "00"
	CodeFrozen    IssuerCode = "G1"
	CodeCancelled IssuerCode = "99"
)

// Status errors (API.md §1.6).
var (
	ErrInvalidStatusCode = apperr.New("INVALID_STATUS_CODE")
	ErrCardCancelled     = apperr.New("CARD_CANCELLED")
	ErrCardLockedByAdmin = apperr.New("CARD_LOCKED_BY_ADMIN")
	errLockedByAdmin     = ErrCardLockedByAdmin.WithDetails("An operator froze this card; contact support")
	ErrIssuerUnavailable = apperr.New("ISSUER_UNAVAILABLE")
	// ErrCardNotOwned is the family-C answer for an unknown or foreign card.
	ErrCardNotOwned      = apperr.New("CARD_NOT_OWNED")
	errRefundRateMissing = apperr.New("EXCHANGE_RATE_UNAVAILABLE")
	statusByCode         = map[IssuerCode]Status{CodeActive: StatusNormal, CodeFrozen: StatusFrozen, CodeCancelled: StatusCancelled}
	codeByStatus         = map[Status]IssuerCode{StatusNormal: CodeActive, StatusFrozen: CodeFrozen, StatusCancelled: CodeCancelled}
)

// StatusCode is the issuer code of a local card status.
func StatusCode(status Status) IssuerCode { return codeByStatus[status] }

// StatusIssuer is the issuer port for card states. Withdraw and Recharge
// move money off and onto a card once per reference (a cancelled card is
// emptied first).
type StatusIssuer interface {
	SetStatus(ctx context.Context, publicToken string, code IssuerCode) error
	Withdraw(ctx context.Context, publicToken string, amount money.Amount, reference string) error
	Recharge(ctx context.Context, publicToken string, amount money.Amount, reference string) error
	// Void reports whether the operation with reference was applied and, if
	// not, makes sure it never will be.
	Void(ctx context.Context, reference string) (applied bool, err error)
}

// Refunds is what a cancellation needs from the wallet: the rate of the
// refund currency and the history row.
type Refunds interface {
	HKDPerDollar(ctx context.Context, selling bool) (money.Rate, error)
	RecordActivity(ctx context.Context, tx *sql.Tx, a wallet.Activity) (int64, error)
}

// StatusChange is the outcome of SetStatus.
type StatusChange struct {
	Card      Card
	Code      IssuerCode
	UpdatedAt time.Time
	UpdatedBy string
}

// SetStatus applies a cardholder's status code (API.md §2.6 PUT /card/status):
// the issuer is told first and the local state changes only after it
// accepts. Cancelling empties the card into the wallet's refund currency at
// the current rate, without a swap fee.
func (s *Service) SetStatus(ctx context.Context, userID int64, publicToken string, code IssuerCode) (StatusChange, error) {
	target, ok := statusByCode[code]
	if !ok {
		return StatusChange{}, ErrInvalidStatusCode.WithDetails("card_status_code must be 00, G1 or 99")
	}
	c, err := s.Get(ctx, userID, 0, publicToken)
	if err != nil {
		return StatusChange{}, err // Get names the card
	}
	fail := func(err error) (StatusChange, error) {
		return StatusChange{}, fmt.Errorf("card: set status %s of card %d: %w", code, c.ID, err)
	}
	switch {
	case c.Status == StatusCancelled:
		return StatusChange{}, ErrCardCancelled.WithDetails("A cancelled card cannot change state")
	case c.Status == target:
		return StatusChange{Card: c, Code: code, UpdatedAt: c.UpdatedAt, UpdatedBy: c.StatusUpdatedBy}, nil
	}
	// Freezing one's own card is always allowed, even on a frozen account.
	if code != CodeFrozen {
		if err := s.Users.EnsureWritable(ctx, s.DB.SQL, userID); err != nil {
			return fail(err)
		}
	}
	// An operator's lock holds until an operator lifts it: the cardholder
	// can neither unfreeze the card nor empty it by cancelling it.
	if code != CodeFrozen && c.LockedByAdmin {
		return StatusChange{}, errLockedByAdmin
	}
	if code == CodeCancelled {
		// Known before the card is closed, so a missing rate cannot leave a
		// closed card holding money.
		if _, err := s.Refunds.HKDPerDollar(ctx, true); err != nil {
			return StatusChange{}, errRefundRateMissing
		}
	}
	// From here on the client may go away: the steps must run to the end.
	ctx = context.WithoutCancel(ctx)
	p, err := s.claimStatus(ctx, userID, c.ID, target, cardholder(userID))
	if err != nil {
		return fail(err)
	}
	// The cancellation withdraws the ledger's balance; the issuer refuses
	// it while it still holds part of it (an authorisation our hold expiry
	// released). Asked first, under the claim (no swap moves the card
	// meanwhile), so the user learns why instead of seeing an outage.
	if target == StatusCancelled {
		if err := s.ensureReleasable(ctx, p.Token, p.Amount); err != nil {
			if rerr := s.releaseStatus(ctx, p); rerr != nil {
				return fail(rerr)
			}
			return fail(err)
		}
	}
	if release, err := s.issuerStatus(ctx, p); err != nil {
		if release {
			if rerr := s.releaseStatus(ctx, p); rerr != nil {
				return fail(rerr)
			}
		}
		return fail(err)
	}
	if err := s.finishStatus(ctx, p, false); err != nil {
		return fail(err)
	}
	cur, err := s.Get(ctx, userID, c.ID, "")
	if err != nil {
		return StatusChange{}, err // Get names the card
	}
	return StatusChange{Card: cur, Code: StatusCode(cur.Status), UpdatedAt: cur.UpdatedAt, UpdatedBy: cur.StatusUpdatedBy}, nil
}

// changeStatus records a status change of c in tx; source is user,
// operator or issuer. An operator's freeze is a lock the cardholder cannot
// lift; a card that is no longer frozen is no longer locked, whoever
// unfroze it (an operator, or the issuer reporting it active again).
func (s *Service) changeStatus(ctx context.Context, tx *sql.Tx, c Card, to Status, source string, actor int64, reason string) error {
	now := s.Now()
	var deleted time.Time // NULL keeps deleted_at as it is
	if to == StatusCancelled {
		deleted = now
	}
	locked := to == StatusFrozen && (c.LockedByAdmin || source == sourceOperator)
	if _, err := tx.ExecContext(ctx, `UPDATE cards SET status = $1, status_updated_by = $2, updated_at = $3,
		deleted_at = COALESCE($4, deleted_at), locked_by_admin = $5 WHERE id = $6`, to, source, store.At(now), store.NullAt(deleted),
		locked, c.ID); err != nil {
		return fmt.Errorf("update status of card %d: %w", c.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO card_status_changes (card_id, from_status, to_status, source, actor_id, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, c.Status, to, source, actor, reason, store.At(now)); err != nil {
		return fmt.Errorf("record status change of card %d: %w", c.ID, err)
	}
	return s.notifyStatus(ctx, tx, c, to)
}

// SweepCancelled is sweepCancelled for other domains that book to a card
// (a swap returned to a card the issuer closed meanwhile).
func (s *Service) SweepCancelled(ctx context.Context, tx *sql.Tx, c Card) error {
	if err := s.sweepCancelled(ctx, tx, c); err != nil {
		return fmt.Errorf("card: sweep cancelled card %d: %w", c.ID, err)
	}
	return nil
}

// sweepCancelled returns to the wallet whatever reaches a cancelled card
// (a late reversal or merchant refund, or the balance of a card the issuer
// closed itself).
func (s *Service) sweepCancelled(ctx context.Context, tx *sql.Tx, c Card) error {
	if c.Status != StatusCancelled {
		return nil
	}
	rate, err := s.Refunds.HKDPerDollar(ctx, true)
	if err != nil {
		return errRefundRateMissing // the event is retried until a rate exists
	}
	return s.refundBalance(ctx, tx, c, rate)
}

// refundBalance moves what is left on a cancelled card to the user's
// wallet in the refund currency, rounded down (API.md §1.7).
func (s *Service) refundBalance(ctx context.Context, tx *sql.Tx, c Card, rate money.Rate) error {
	bal, err := s.Balance(ctx, tx, c)
	if err != nil {
		return fmt.Errorf("balance of card %d: %w", c.ID, err)
	}
	if bal == 0 {
		return nil
	}
	v, err := s.Settings.Current(ctx, tx)
	if err != nil {
		return fmt.Errorf("refund of card %d: %w", c.ID, err)
	}
	cur, ok := s.RefundCurrencies.Get(v.CardCancelRefundCurrency)
	if !ok {
		return errRefundRateMissing
	}
	credit := money.Divide(bal, 2, rate, cur.Decimals)
	// The first return is the cancellation's; money reaching the card later
	// (a late refund) is returned again under the next number. The card row
	// is locked, so the count is stable.
	base := "card:" + strconv.FormatInt(c.ID, 10) + ":cancel-refund"
	var n int
	// Counted from the card's own history rows (indexed by card), not by a
	// pattern over the whole ledger.
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM card_transactions WHERE card_id = $1
		AND (source = 'cancel-refund' OR source LIKE 'cancel-refund:%')`, c.ID).Scan(&n); err != nil {
		return fmt.Errorf("count refunds of card %d: %w", c.ID, err)
	}
	ref, source := base, "cancel-refund"
	if n > 0 {
		ref, source = base+":"+strconv.Itoa(n), source+":"+strconv.Itoa(n)
	}
	entries := ledger.NonZero(
		ledger.Entry{Account: BalanceAccount(c), Amount: -bal},
		ledger.Entry{Account: ledger.HouseAccount(ledger.CardFloat, Currency), Amount: bal},
		ledger.Entry{Account: ledger.HouseAccount(ledger.CardFloat, cur.Name), Amount: -credit},
		ledger.Entry{Account: ledger.UserAccount(c.UserID, ledger.Available, cur.Name), Amount: credit},
	)
	ledgerID, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: ref, Kind: "card_cancel_refund", Entries: entries})
	if err != nil {
		return fmt.Errorf("post refund %s: %w", ref, err)
	}
	if err := s.RecordHistory(ctx, tx, HistoryEntry{Card: c, Source: source, TradeType: HistoryWithdrawal, Direction: Debit, Amount: bal,
		Description: "Balance returned to wallet on cancellation", Status: HistorySuccess, TradeTime: s.Now()}); err != nil {
		return fmt.Errorf("history of refund %s: %w", ref, err)
	}
	if credit == 0 {
		return nil
	}
	if _, err := s.Refunds.RecordActivity(ctx, tx, wallet.Activity{UserID: c.UserID, Type: wallet.ActivityRefund, Status: wallet.ActivityCompleted, Amount: credit,
		Currency: cur.Name, Description: "Card " + c.MaskedPAN + " cancelled: balance returned", Reference: ref,
		SourceTable: "ledger_transactions", SourceID: ledgerID, Completed: true}); err != nil {
		return fmt.Errorf("wallet activity of refund %s: %w", ref, err)
	}
	return nil
}
