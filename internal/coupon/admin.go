package coupon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Operator actions on coupon definitions. Each runs in the caller's
// transaction and returns the definition before and after, so the back
// office writes its audit row beside the change.

// byID reads a definition, locked for the rest of tx when lock is set.
func (s *Service) byID(ctx context.Context, q store.Querier, id int64, lock bool) (Coupon, error) {
	var c Coupon
	suffix := ""
	if lock {
		suffix = s.DB.ForUpdate()
	}
	err := q.QueryRowContext(ctx, `SELECT `+couponColumns+` FROM coupons c WHERE c.id = $1`+suffix, id).Scan(scanCoupon(&c)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Coupon{}, ErrNotFound.WithDetails("No coupon has this id")
	}
	if err != nil {
		return Coupon{}, fmt.Errorf("coupon: read %d: %w", id, err)
	}
	return c, nil
}

// Get returns a definition by id, in any status.
func (s *Service) Get(ctx context.Context, id int64) (Coupon, error) {
	return s.byID(ctx, s.DB.SQL, id, false)
}

// ByCode returns a definition by its code, in any status.
func (s *Service) ByCode(ctx context.Context, code string) (Coupon, error) {
	return s.byCode(ctx, s.DB.SQL, code, false)
}

// Definitions is one page of the definitions, newest first, optionally of
// one status, and how many match.
func (s *Service) Definitions(ctx context.Context, status string, limit, offset int) ([]Coupon, int, error) {
	where, args := `1 = 1`, []any{}
	if status != "" {
		where, args = `c.status = $1`, append(args, status)
	}
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM coupons c WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("coupon: count definitions: %w", err)
	}
	n := len(args)
	rows, err := s.DB.SQL.QueryContext(ctx, fmt.Sprintf(`SELECT `+couponColumns+` FROM coupons c WHERE `+where+
		` ORDER BY c.id DESC LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("coupon: list definitions: %w", err)
	}
	defer rows.Close()
	var out []Coupon
	for rows.Next() {
		var c Coupon
		if err := rows.Scan(scanCoupon(&c)...); err != nil {
			return nil, 0, fmt.Errorf("coupon: list definitions: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("coupon: list definitions: %w", err)
	}
	return out, total, nil
}

// Change is an edit of a definition; nil fields stay as they are. The code
// and the type are fixed once users may hold the coupon: a new code or kind
// is a new coupon.
type Change struct {
	Name              *string
	Description       *string
	Value             *int64
	MinFee            *money.Amount
	MaxDiscount       *money.Amount
	AppliesTo         *string
	UsageLimit        *int
	UsageLimitPerUser *int
	ValidFrom         *time.Time
	ValidUntil        *time.Time
	Claimable         *bool
	Status            *string
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// UpdateTx edits a definition in place. Users who hold the coupon see the
// new terms at their next use (a payment already created keeps the
// discount it was quoted).
func (s *Service) UpdateTx(ctx context.Context, tx *sql.Tx, id int64, ch Change) (before, after Coupon, err error) {
	before, err = s.byID(ctx, tx, id, true)
	if err != nil {
		return Coupon{}, Coupon{}, err
	}
	after = before
	set(&after.Name, ch.Name)
	set(&after.Description, ch.Description)
	set(&after.Value, ch.Value)
	set(&after.MinFee, ch.MinFee)
	set(&after.MaxDiscount, ch.MaxDiscount)
	set(&after.AppliesTo, ch.AppliesTo)
	set(&after.UsageLimit, ch.UsageLimit)
	set(&after.UsageLimitPerUser, ch.UsageLimitPerUser)
	set(&after.ValidFrom, ch.ValidFrom)
	set(&after.ValidUntil, ch.ValidUntil)
	set(&after.Claimable, ch.Claimable)
	set(&after.Status, ch.Status)
	if err := check(after).Err(); err != nil {
		return Coupon{}, Coupon{}, err
	}
	if err := s.save(ctx, tx, after); err != nil {
		return Coupon{}, Coupon{}, err
	}
	return before, after, nil
}

// DeactivateTx is the delete of a coupon: users hold it and payments name
// it, so the row stays and the coupon stops being claimable, assignable and
// usable. Deactivating an inactive coupon changes nothing.
func (s *Service) DeactivateTx(ctx context.Context, tx *sql.Tx, id int64) (before, after Coupon, err error) {
	inactive := StatusInactive
	return s.UpdateTx(ctx, tx, id, Change{Status: &inactive})
}

func (s *Service) save(ctx context.Context, tx *sql.Tx, c Coupon) error {
	_, err := tx.ExecContext(ctx, `UPDATE coupons SET name = $1, description = $2, value = $3, min_fee = $4, max_discount = $5,
		applies_to = $6, usage_limit = $7, usage_limit_per_user = $8, valid_from = $9, valid_until = $10, claimable = $11, status = $12
		WHERE id = $13`, c.Name, c.Description, c.Value, int64(c.MinFee), int64(c.MaxDiscount), c.AppliesTo, c.UsageLimit,
		c.UsageLimitPerUser, store.At(c.ValidFrom), store.At(c.ValidUntil), c.Claimable, c.Status, c.ID)
	if err != nil {
		return fmt.Errorf("coupon: update %d: %w", c.ID, err)
	}
	return nil
}

// errNotAssignable refuses handing out a coupon that users could not use.
func errNotAssignable(c Coupon, now time.Time) error {
	switch {
	case c.Status != StatusActive:
		return apperr.New(apperr.CodeInvalidState).WithDetails("The coupon is inactive")
	case !now.Before(c.ValidUntil):
		return ErrExpired.WithDetails("The coupon's validity has ended")
	}
	return nil
}

// AssignOutcome is what an operator's assignment did.
type AssignOutcome struct {
	Assigned []int64 // users who received the coupon now
	Skipped  []int64 // users who already held it
}

// holds reports whether the user holds the coupon already, from any source.
func (s *Service) holds(ctx context.Context, tx *sql.Tx, couponID, userID int64) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_coupons WHERE user_id = $1 AND coupon_id = $2`, userID, couponID).Scan(&n); err != nil {
		return false, fmt.Errorf("coupon: does user %d hold %d: %w", userID, couponID, err)
	}
	return n > 0, nil
}

// AssignByOperatorTx gives the coupon to each user (known to exist: the
// caller checked them) in the caller's transaction, each with a
// coupon_assigned notification. An operator's assignment is idempotent per
// (coupon, user): a user who holds the coupon already, from any source, is
// skipped, so a retried request gives nobody a second copy. The coupon's
// limits hold for the whole list: if they run out, nothing is assigned.
func (s *Service) AssignByOperatorTx(ctx context.Context, tx *sql.Tx, couponID int64, userIDs []int64) (before, after Coupon, out AssignOutcome, err error) {
	c, err := s.byID(ctx, tx, couponID, true)
	if err != nil {
		return Coupon{}, Coupon{}, out, err
	}
	before = c
	if err := errNotAssignable(c, s.Now()); err != nil {
		return Coupon{}, Coupon{}, out, err
	}
	for _, userID := range userIDs {
		held, err := s.holds(ctx, tx, c.ID, userID)
		if err != nil {
			return Coupon{}, Coupon{}, out, err
		}
		if held {
			out.Skipped = append(out.Skipped, userID)
			continue
		}
		if _, err := s.assign(ctx, tx, &c, userID, SourceAdmin); err != nil {
			return Coupon{}, Coupon{}, out, fmt.Errorf("coupon: assign %d to user %d: %w", c.ID, userID, err)
		}
		out.Assigned = append(out.Assigned, userID)
	}
	return before, c, out, nil
}
