package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Operators' view of commissions and their actions on them (API.md §5).
// The actions run in the caller's transaction, so the back office writes
// the audit row beside them, and return the commission before and after.

// AdminCommission is a commission row as operators see it.
type AdminCommission struct {
	Commission
	Decimals     int
	CreatedAt    time.Time
	CreditedAt   *time.Time
	CancelledAt  *time.Time
	CancelReason string
}

// ErrCommissionNotFound answers an unknown commission id.
var ErrCommissionNotFound = apperr.New(apperr.CodeNotFound).WithDetails("No such commission")

const adminCommissionColumns = `id, beneficiary_id, referee_id, level, type, source_table, source_id, source_amount, rate, tier_level,
	commission_amount, currency, status, reference, created_at, credited_at, cancelled_at, cancel_reason`

func (s *Service) scanAdminCommission(row interface{ Scan(...any) error }) (AdminCommission, error) {
	var (
		c                   AdminCommission
		credited, cancelled time.Time
	)
	if err := row.Scan(&c.ID, &c.Beneficiary, &c.RefereeID, &c.Level, &c.Type, &c.SourceTable, &c.SourceID, &c.SourceAmount, &c.Rate,
		&c.TierLevel, &c.Amount, &c.Currency, &c.Status, &c.Reference, store.TimeInto(&c.CreatedAt), store.TimeInto(&credited),
		store.TimeInto(&cancelled), &c.CancelReason); err != nil {
		return AdminCommission{}, store.NotFound(err)
	}
	c.Decimals = s.decimalsOf(c.Currency)
	c.CreditedAt, c.CancelledAt = optionalTime(credited), optionalTime(cancelled)
	return c, nil
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// AdminCommissionFilter narrows the operators' commission list; zero
// values match all.
type AdminCommissionFilter struct {
	BeneficiaryID int64
	RefereeID     int64
	Status        CommissionStatus
	Type          CommissionType
	Level         int
}

// AdminCommissions lists commissions of every beneficiary, newest first.
func (s *Service) AdminCommissions(ctx context.Context, f AdminCommissionFilter, limit, offset int) ([]AdminCommission, int, error) {
	var c store.Conds
	c.Eq("beneficiary_id", f.BeneficiaryID, f.BeneficiaryID != 0)
	c.Eq("referee_id", f.RefereeID, f.RefereeID != 0)
	c.Eq("status", f.Status, f.Status != "")
	c.Eq("type", f.Type, f.Type != "")
	c.Eq("level", f.Level, f.Level != 0)
	where, args := c.Where()
	out, total, err := store.Page(ctx, s.DB.SQL, adminCommissionColumns, `FROM commissions`+where, args, `id DESC`, limit, offset,
		s.scanAdminCommission)
	if err != nil {
		return nil, 0, fmt.Errorf("referral: list commissions: %w", err)
	}
	return out, total, nil
}

// CommissionByID returns one commission (ErrCommissionNotFound).
func (s *Service) CommissionByID(ctx context.Context, id int64) (AdminCommission, error) {
	return s.commission(ctx, s.DB.SQL, id, "")
}

func (s *Service) commission(ctx context.Context, q store.Querier, id int64, suffix string) (AdminCommission, error) {
	c, err := s.scanAdminCommission(q.QueryRowContext(ctx, `SELECT `+adminCommissionColumns+` FROM commissions WHERE id = $1`+suffix, id))
	if errors.Is(err, store.ErrNotFound) {
		return AdminCommission{}, ErrCommissionNotFound
	}
	if err != nil {
		return AdminCommission{}, fmt.Errorf("referral: commission %d: %w", id, err)
	}
	return c, nil
}

func invalidState(details string) error {
	return apperr.New(apperr.CodeInvalidState).WithDetails(details)
}

// PayPendingTx pays a pending commission — one recorded while its
// beneficiary's account was frozen (API.md §3.5) — once the account is
// active again: the amount recorded then, booked from the commission
// expense account, the history row credited and the beneficiary notified.
// Anything but a pending commission, or a beneficiary still frozen or
// closed, is INVALID_STATE (a closed account's commission is cancelled).
func (s *Service) PayPendingTx(ctx context.Context, tx *sql.Tx, id int64) (before, after AdminCommission, err error) {
	fail := func(err error) (AdminCommission, AdminCommission, error) {
		return AdminCommission{}, AdminCommission{}, fmt.Errorf("referral: pay commission %d: %w", id, err)
	}
	c, err := s.commission(ctx, tx, id, s.DB.ForUpdate())
	if err != nil {
		return AdminCommission{}, AdminCommission{}, err
	}
	if c.Status != StatusPending {
		return AdminCommission{}, AdminCommission{}, invalidState("Only a pending commission can be paid; this one is " + string(c.Status))
	}
	// Read under the wallet's credit lock, as when the commission was made.
	switch st, err := s.Wallets.CreditStatus(ctx, tx, c.Beneficiary); {
	case err != nil:
		return fail(err)
	case st == account.StatusFrozen:
		return AdminCommission{}, AdminCommission{}, invalidState("The beneficiary's account is still frozen; unfreeze it first")
	case st == account.StatusDeactivated:
		return AdminCommission{}, AdminCommission{}, invalidState("The beneficiary's account is closed; cancel the commission instead")
	}
	if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: c.Reference, Kind: "commission",
		Description: "Referral commission (" + string(c.Type) + ", level " + strconv.Itoa(c.Level) + "), paid after an unfreeze",
		Entries: []ledger.Entry{
			{Account: ledger.HouseAccount(ledger.Commissions, c.Currency), Amount: -c.Amount},
			{Account: ledger.UserAccount(c.Beneficiary, ledger.Available, c.Currency), Amount: c.Amount},
		}}); err != nil {
		return fail(err)
	}
	if err := s.moveCommission(ctx, tx, c, StatusCredited, ""); err != nil {
		return fail(err)
	}
	if err := s.notifyCredited(ctx, tx, c.Commission, c.Decimals); err != nil {
		return fail(err)
	}
	if after, err = s.commission(ctx, tx, id, ""); err != nil {
		return fail(err)
	}
	return c, after, nil
}

// CancelTx cancels a commission at an operator's decision (API.md §3.5):
// a pending one is simply never paid; a credited one is reversed by a new
// ledger transaction from the beneficiary's wallet back to the commission
// expense account (INSUFFICIENT_BALANCE if the beneficiary has spent it: a
// balance never goes negative). Its history row shows it cancelled.
func (s *Service) CancelTx(ctx context.Context, tx *sql.Tx, id int64, reason string) (before, after AdminCommission, err error) {
	fail := func(err error) (AdminCommission, AdminCommission, error) {
		return AdminCommission{}, AdminCommission{}, fmt.Errorf("referral: cancel commission %d: %w", id, err)
	}
	c, err := s.commission(ctx, tx, id, s.DB.ForUpdate())
	if err != nil {
		return AdminCommission{}, AdminCommission{}, err
	}
	switch c.Status {
	case StatusPending:
	case StatusCredited:
		if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: c.Reference + ":cancel", Kind: "commission_reversal",
			Description: "Referral commission cancelled by an operator",
			Entries: []ledger.Entry{
				{Account: ledger.UserAccount(c.Beneficiary, ledger.Available, c.Currency), Amount: -c.Amount},
				{Account: ledger.HouseAccount(ledger.Commissions, c.Currency), Amount: c.Amount},
			}}); err != nil {
			if errors.Is(err, ledger.ErrInsufficientBalance) {
				return AdminCommission{}, AdminCommission{}, ledger.ErrInsufficientBalance.
					WithDetails("The beneficiary no longer holds the commission; it cannot be reversed")
			}
			return fail(err)
		}
	default:
		return AdminCommission{}, AdminCommission{}, invalidState("This commission is " + string(c.Status) + " already")
	}
	if err := s.moveCommission(ctx, tx, c, StatusCancelled, reason); err != nil {
		return fail(err)
	}
	if after, err = s.commission(ctx, tx, id, ""); err != nil {
		return fail(err)
	}
	return c, after, nil
}

// moveCommission records a commission's new status and its history row's.
func (s *Service) moveCommission(ctx context.Context, tx *sql.Tx, c AdminCommission, to CommissionStatus, reason string) error {
	now := store.At(s.Now())
	q := `UPDATE commissions SET status = $1, credited_at = $2 WHERE id = $3 AND status = $4`
	args := []any{to, now, c.ID, c.Status}
	if to == StatusCancelled {
		q = `UPDATE commissions SET status = $1, cancelled_at = $2, cancel_reason = $3 WHERE id = $4 AND status = $5`
		args = []any{to, now, text.Truncate(reason, 200), c.ID, c.Status}
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("move to %s: %w", to, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("move to %s: the commission changed meanwhile", to)
	}
	return s.Wallets.SetActivityStatus(ctx, tx, "commissions", c.ID, wallet.ActivityCommission, wallet.ActivityStatus(to),
		to == StatusCredited)
}
