package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Per-user overrides: an operator's exceptions for one user to the
// programme's limits (API.md §3.3 "configurable per account by operators")
// and fees. They live in one small table here, beside the account they
// qualify; the consumers (card slots, wallet withdrawals, the card fee) read
// them in their own transaction through Overrides.

// Limits are the per-user limit overrides; nil means the programme's
// setting applies.
type Limits struct {
	MaxCards *int `json:"max_cards"`
	// Withdrawal limits in whole USD-equivalent units, like the programme's.
	WithdrawalDaily   *int64 `json:"withdrawal_daily_limit"`
	WithdrawalMonthly *int64 `json:"withdrawal_monthly_limit"`
}

// FeeExemption says which fees a user does not pay.
type FeeExemption struct {
	// CardFee waives the card fees (virtual and physical applications): the
	// user's effective fee is 0, as when the fee is switched off.
	CardFee bool `json:"card_fee"`
	// WithdrawalFee waives the crypto withdrawal fee.
	WithdrawalFee bool `json:"withdrawal_fee"`
}

// Overrides are all of a user's overrides.
type Overrides struct {
	Limits
	FeeExemption
}

// Bounds of the overrides: the card bound is the programme's own
// (COMECOMEPAY_MAX_CARDS), 0 allowed (no new cards); the withdrawal bound is
// the global hard cap of API.md §1.7.
const (
	maxCardsOverride   = 100
	maxWithdrawalLimit = 1_000_000_000
)

// Validate checks the limits an operator sets.
func (l Limits) Validate() error {
	f := apperr.Fields{}
	if l.MaxCards != nil && (*l.MaxCards < 0 || *l.MaxCards > maxCardsOverride) {
		f.Add("max_cards", "must be between 0 and "+strconv.Itoa(maxCardsOverride))
	}
	for name, v := range map[string]*int64{"withdrawal_daily_limit": l.WithdrawalDaily, "withdrawal_monthly_limit": l.WithdrawalMonthly} {
		if v != nil && (*v < 1 || *v > maxWithdrawalLimit) {
			f.Add(name, "must be a whole number of USD between 1 and "+strconv.Itoa(maxWithdrawalLimit))
		}
	}
	if l.WithdrawalDaily != nil && l.WithdrawalMonthly != nil && *l.WithdrawalDaily > *l.WithdrawalMonthly {
		f.Add("withdrawal_daily_limit", "must not exceed withdrawal_monthly_limit")
	}
	return f.Err()
}

// Overrides returns a user's overrides as of q (inside the consumer's
// transaction); a user without any has the zero value.
func (s *Service) Overrides(ctx context.Context, q store.Querier, userID int64) (Overrides, error) {
	var (
		maxCards             sql.NullInt64
		daily, monthly       sql.NullInt64
		cardFee, withdrawFee bool
	)
	err := q.QueryRowContext(ctx, `SELECT max_cards, withdrawal_daily_limit, withdrawal_monthly_limit, card_fee_exempt,
		withdrawal_fee_exempt FROM user_overrides WHERE user_id = $1`, userID).Scan(&maxCards, &daily, &monthly, &cardFee, &withdrawFee)
	if errors.Is(err, sql.ErrNoRows) {
		return Overrides{}, nil
	}
	if err != nil {
		return Overrides{}, fmt.Errorf("account: overrides of user %d: %w", userID, err)
	}
	return overridesOf(maxCards, daily, monthly, cardFee, withdrawFee), nil
}

// WritableOverrides is EnsureWritable and Overrides in one read, for a
// money path that needs both (each read is a round trip).
func (s *Service) WritableOverrides(ctx context.Context, q store.Querier, userID int64) (Overrides, error) {
	var (
		status               string
		maxCards             sql.NullInt64
		daily, monthly       sql.NullInt64
		cardFee, withdrawFee sql.NullBool
	)
	err := q.QueryRowContext(ctx, `SELECT u.status, o.max_cards, o.withdrawal_daily_limit, o.withdrawal_monthly_limit,
		o.card_fee_exempt, o.withdrawal_fee_exempt FROM users u LEFT JOIN user_overrides o ON o.user_id = u.id WHERE u.id = $1`,
		userID).Scan(&status, &maxCards, &daily, &monthly, &cardFee, &withdrawFee)
	if err != nil {
		return Overrides{}, fmt.Errorf("account: ensure writable: %w", notFound(store.NotFound(err), ErrUserNotFound))
	}
	if Status(status) == StatusFrozen {
		return Overrides{}, ErrAccountFrozen
	}
	return overridesOf(maxCards, daily, monthly, cardFee.Bool, withdrawFee.Bool), nil
}

func overridesOf(maxCards, daily, monthly sql.NullInt64, cardFee, withdrawFee bool) Overrides {
	var o Overrides
	if maxCards.Valid {
		n := int(maxCards.Int64)
		o.MaxCards = &n
	}
	if daily.Valid {
		o.WithdrawalDaily = &daily.Int64
	}
	if monthly.Valid {
		o.WithdrawalMonthly = &monthly.Int64
	}
	o.CardFee, o.WithdrawalFee = cardFee, withdrawFee
	return o
}

// SetLimitsTx replaces a user's limit overrides (nil fields clear them) in
// the caller's transaction, under the user's row lock, and returns them
// before and after.
func (s *Service) SetLimitsTx(ctx context.Context, tx *sql.Tx, userID int64, l Limits) (before, after Limits, err error) {
	if err := l.Validate(); err != nil {
		return Limits{}, Limits{}, err
	}
	o, err := s.lockOverrides(ctx, tx, userID)
	if err != nil {
		return Limits{}, Limits{}, fmt.Errorf("account: set limits of %d: %w", userID, err)
	}
	next := o
	next.Limits = l
	if err := s.saveOverrides(ctx, tx, userID, next); err != nil {
		return Limits{}, Limits{}, fmt.Errorf("account: set limits of %d: %w", userID, err)
	}
	return o.Limits, l, nil
}

// SetFeeExemptionTx replaces a user's fee exemption in the caller's
// transaction and returns it before and after.
func (s *Service) SetFeeExemptionTx(ctx context.Context, tx *sql.Tx, userID int64, f FeeExemption) (before, after FeeExemption, err error) {
	o, err := s.lockOverrides(ctx, tx, userID)
	if err != nil {
		return FeeExemption{}, FeeExemption{}, fmt.Errorf("account: set fee exemption of %d: %w", userID, err)
	}
	next := o
	next.FeeExemption = f
	if err := s.saveOverrides(ctx, tx, userID, next); err != nil {
		return FeeExemption{}, FeeExemption{}, fmt.Errorf("account: set fee exemption of %d: %w", userID, err)
	}
	return o.FeeExemption, f, nil
}

// lockOverrides takes the user's row lock (two operators' edits of one
// user's overrides serialise on it) and reads the current overrides. A
// closed account takes no new exceptions.
func (s *Service) lockOverrides(ctx context.Context, tx *sql.Tx, userID int64) (Overrides, error) {
	u, err := s.userByIDForUpdate(ctx, tx, userID)
	if err != nil {
		return Overrides{}, notFound(err, ErrUserNotFound)
	}
	if u.Status == StatusDeactivated {
		return Overrides{}, errDeactivatedAccount
	}
	return s.Overrides(ctx, tx, userID)
}

func (s *Service) saveOverrides(ctx context.Context, tx *sql.Tx, userID int64, o Overrides) error {
	var maxCards any
	if o.MaxCards != nil {
		maxCards = *o.MaxCards
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO user_overrides (user_id, max_cards, withdrawal_daily_limit, withdrawal_monthly_limit,
			card_fee_exempt, withdrawal_fee_exempt, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (user_id) DO UPDATE SET max_cards = excluded.max_cards, withdrawal_daily_limit = excluded.withdrawal_daily_limit,
			withdrawal_monthly_limit = excluded.withdrawal_monthly_limit, card_fee_exempt = excluded.card_fee_exempt,
			withdrawal_fee_exempt = excluded.withdrawal_fee_exempt, updated_at = excluded.updated_at`,
		userID, maxCards, nullInt(o.WithdrawalDaily), nullInt(o.WithdrawalMonthly), o.CardFee, o.WithdrawalFee, store.At(s.Now()))
	if err != nil {
		return fmt.Errorf("save overrides: %w", err)
	}
	return nil
}

func nullInt(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}
