package coupon

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

const userCouponColumns = `uc.id, uc.user_id, uc.status, uc.source, uc.assigned_at, uc.used_at, ` + couponColumns

func (s *Service) scanUserCoupon(row interface{ Scan(...any) error }) (UserCoupon, error) {
	var (
		uc   UserCoupon
		used time.Time
	)
	dest := append([]any{&uc.ID, &uc.UserID, &uc.Status, &uc.Source, store.TimeInto(&uc.AssignedAt), store.TimeInto(&used)},
		scanCoupon(&uc.Coupon)...)
	if err := row.Scan(dest...); err != nil {
		return UserCoupon{}, store.NotFound(err)
	}
	if !used.IsZero() {
		uc.UsedAt = &used
	}
	if uc.Status == Unused && !s.Now().Before(uc.Coupon.ValidUntil) {
		uc.Status = Expired
	}
	return uc, nil
}

// Quote checks that the user holds an unused, valid coupon with code that
// applies to cardType and fee, and returns it with the discount (cents).
func (s *Service) Quote(ctx context.Context, q store.Querier, userID int64, code, cardType string, fee money.Amount) (UserCoupon, money.Amount, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+userCouponColumns+` FROM user_coupons uc JOIN coupons c ON c.id = uc.coupon_id
		WHERE uc.user_id = $1 AND c.code = $2 ORDER BY (uc.status = 'unused') DESC, uc.id`, userID, NormalizeCode(code))
	if err != nil {
		return UserCoupon{}, 0, fmt.Errorf("coupon: quote %s for user %d: %w", NormalizeCode(code), userID, err)
	}
	var list []UserCoupon
	for rows.Next() {
		uc, err := s.scanUserCoupon(rows)
		if err != nil {
			rows.Close()
			return UserCoupon{}, 0, fmt.Errorf("coupon: quote %s for user %d: %w", NormalizeCode(code), userID, err)
		}
		list = append(list, uc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return UserCoupon{}, 0, fmt.Errorf("coupon: quote %s for user %d: %w", NormalizeCode(code), userID, err)
	}
	if len(list) == 0 {
		return UserCoupon{}, 0, ErrNotFound.WithDetails("No coupon with this code is assigned to you")
	}
	uc := list[0]
	now := s.Now()
	switch {
	case uc.Status == Used:
		return UserCoupon{}, 0, ErrUsed
	case uc.Status == Expired || now.Before(uc.Coupon.ValidFrom) || uc.Coupon.Status != "active":
		return UserCoupon{}, 0, ErrExpired
	case !uc.Coupon.AppliesToCard(cardType) || fee < uc.Coupon.MinFee:
		return UserCoupon{}, 0, ErrNotApplicable.WithDetails("This coupon does not apply to this card fee")
	}
	return uc, uc.Coupon.Discount(fee), nil
}

// Reserve quotes the coupon and reserves it for a pending fee payment, in
// the caller's transaction. A coupon still reserved by another pending
// payment (of the other card type) is refused: one coupon, one discount.
// The caller releases reservations of payments it supersedes first.
func (s *Service) Reserve(ctx context.Context, tx *sql.Tx, userID int64, code, cardType string, fee money.Amount, paymentID int64) (UserCoupon, money.Amount, error) {
	uc, discount, err := s.Quote(ctx, tx, userID, code, cardType, fee)
	if err != nil {
		return UserCoupon{}, 0, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE user_coupons SET reserved_by_payment = $1
		WHERE id = $2 AND status = 'unused' AND reserved_by_payment IS NULL`, paymentID, uc.ID)
	if err != nil {
		return UserCoupon{}, 0, fmt.Errorf("coupon: reserve user coupon %d for payment %d: %w", uc.ID, paymentID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return UserCoupon{}, 0, ErrUsed.WithDetails("The coupon is held by another pending payment")
	}
	return uc, discount, nil
}

// Release frees the coupon reserved by a payment that will not complete.
func (s *Service) Release(ctx context.Context, tx *sql.Tx, paymentID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE user_coupons SET reserved_by_payment = NULL WHERE reserved_by_payment = $1 AND status = 'unused'`,
		paymentID); err != nil {
		return fmt.Errorf("coupon: release the coupon of payment %d: %w", paymentID, err)
	}
	return nil
}

// Use marks the coupon reserved by a completed payment as used and reports
// whether there was one. The conditional update lets a coupon be used by one
// payment only.
func (s *Service) Use(ctx context.Context, tx *sql.Tx, paymentID int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE user_coupons SET status = 'used', used_at = $1 WHERE reserved_by_payment = $2 AND status = 'unused'`,
		store.At(s.Now()), paymentID)
	if err != nil {
		return false, fmt.Errorf("coupon: use the coupon of payment %d: %w", paymentID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("coupon: use the coupon of payment %d: %w", paymentID, err)
	}
	return n == 1, nil
}

// List returns the user's coupons; onlyValid keeps unused ones in validity.
func (s *Service) List(ctx context.Context, userID int64, onlyValid bool, status Status, page, limit int) ([]UserCoupon, int, error) {
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+userCouponColumns+` FROM user_coupons uc JOIN coupons c ON c.id = uc.coupon_id
		WHERE uc.user_id = $1 ORDER BY uc.id DESC`, userID)
	if err != nil {
		return nil, 0, fmt.Errorf("coupon: list for user %d: %w", userID, err)
	}
	defer rows.Close()
	var all []UserCoupon
	now := s.Now()
	for rows.Next() {
		uc, err := s.scanUserCoupon(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("coupon: list for user %d: %w", userID, err)
		}
		if onlyValid && (uc.Status != Unused || now.Before(uc.Coupon.ValidFrom)) {
			continue
		}
		if status != "" && uc.Status != status {
			continue
		}
		all = append(all, uc)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("coupon: list for user %d: %w", userID, err)
	}
	total := len(all)
	if limit > 0 {
		start := min((page-1)*limit, total)
		all = all[start:min(start+limit, total)]
	}
	return all, total, nil
}
