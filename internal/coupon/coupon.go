// Package coupon is card-fee coupons (API.md §2.9): definitions, the
// coupons assigned to users, and their single use against a fee payment.
package coupon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Kind is how a coupon discounts: a fixed amount or a percentage.
type Kind string

// Kinds.
const (
	Fixed      Kind = "fixed"
	Percentage Kind = "percentage"
)

// Status is the state of a coupon assigned to a user.
type Status string

// User coupon statuses; Expired is computed, never stored.
const (
	Unused  Status = "unused"
	Used    Status = "used"
	Expired Status = "expired"
)

// Errors (API.md §1.6).
var (
	ErrNotFound       = apperr.New("COUPON_NOT_FOUND")
	ErrExpired        = apperr.New("COUPON_EXPIRED")
	ErrUsed           = apperr.New("COUPON_USED")
	ErrNotApplicable  = apperr.New("COUPON_NOT_APPLICABLE")
	ErrAlreadyClaimed = apperr.New("COUPON_ALREADY_CLAIMED")
	ErrLimitReached   = apperr.New("COUPON_LIMIT_REACHED")
)

// Coupon is a definition. Value is cents for fixed coupons and hundredths
// of a percent point for percentage coupons (20 % = 2000).
type Coupon struct {
	ID                int64
	Code              string
	Name              string
	Description       string
	Type              Kind
	Value             int64
	MinFee            money.Amount // cents
	MaxDiscount       money.Amount // cents, 0 = no cap
	AppliesTo         string       // virtual, physical, both
	UsageLimit        int
	UsageLimitPerUser int
	ValidFrom         time.Time
	ValidUntil        time.Time
	Claimable         bool
	Status            string
	AssignedCount     int
	CreatedBy         int64
}

// Discount is what the coupon takes off fee (cents), rounded to cents.
func (c Coupon) Discount(fee money.Amount) money.Amount {
	var d money.Amount
	if c.Type == Fixed {
		d = min(money.Amount(c.Value), fee)
	} else {
		// fee × points/100 with points in hundredths: / 10 000, half up.
		d = money.Amount((int64(fee)*c.Value + 5_000) / 10_000)
		if c.MaxDiscount > 0 {
			d = min(d, c.MaxDiscount)
		}
	}
	return max(min(d, fee), 0)
}

// AppliesToCard reports whether the coupon discounts cardType.
func (c Coupon) AppliesToCard(cardType string) bool {
	return c.AppliesTo == "both" || c.AppliesTo == cardType
}

// UserCoupon is a coupon assigned to a user.
type UserCoupon struct {
	ID         int64
	UserID     int64
	Coupon     Coupon
	Status     Status
	Source     Source
	AssignedAt time.Time
	UsedAt     *time.Time
}

// Deps are the collaborators of the Service.
type Deps struct {
	DB *store.DB
	// Notifier announces coupons an operator assigns.
	Notifier Notifier
	Now      func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("coupon", deps.Wired{"DB": d.DB != nil, "Notifier": d.Notifier != nil, "Now": d.Now != nil})
}

// Service implements coupons.
type Service struct{ Deps }

// Source is how a user got a coupon (API.md §2.9).
type Source string

// Sources.
const (
	SourceClaim    Source = "claim"
	SourceAdmin    Source = "admin"
	SourceCampaign Source = "campaign"
)

// NotifyAssigned is the notification type of a coupon an operator gave
// (API.md §3.6).
const NotifyAssigned = notification.TypeCouponAssigned

// NewService returns a Service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// NormalizeCode upper-cases and trims a code (codes are case-insensitive).
func NormalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

const couponColumns = `c.id, c.code, c.name, c.description, c.type, c.value, c.min_fee, c.max_discount, c.applies_to,
	c.usage_limit, c.usage_limit_per_user, c.valid_from, c.valid_until, c.claimable, c.status, c.assigned_count, c.created_by`

// scanCoupon returns the scan destinations of couponColumns.
func scanCoupon(dst *Coupon) []any {
	return []any{&dst.ID, &dst.Code, &dst.Name, &dst.Description, &dst.Type, &dst.Value, &dst.MinFee, &dst.MaxDiscount,
		&dst.AppliesTo, &dst.UsageLimit, &dst.UsageLimitPerUser, store.TimeInto(&dst.ValidFrom), store.TimeInto(&dst.ValidUntil),
		&dst.Claimable, &dst.Status, &dst.AssignedCount, &dst.CreatedBy}
}

// Coupon statuses: an inactive coupon can be neither claimed, assigned nor
// used (operators deactivate instead of deleting: users hold them).
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
)

// Create defines a coupon (seeding tools and tests; operators go through
// the back office, which calls CreateTx).
func (s *Service) Create(ctx context.Context, c Coupon) (Coupon, error) {
	var out Coupon
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.CreateTx(ctx, tx, c)
		return err
	})
	return out, err
}

// CreateTx defines a coupon in the caller's transaction. Validity defaults
// to a year from now, the per-user limit to 1, applies_to to both.
func (s *Service) CreateTx(ctx context.Context, tx *sql.Tx, c Coupon) (Coupon, error) {
	c.Code = NormalizeCode(c.Code)
	now := s.Now()
	if c.ValidFrom.IsZero() {
		c.ValidFrom = now
	}
	if c.ValidUntil.IsZero() {
		c.ValidUntil = c.ValidFrom.AddDate(1, 0, 0)
	}
	if c.AppliesTo == "" {
		c.AppliesTo = "both"
	}
	if c.UsageLimitPerUser == 0 {
		c.UsageLimitPerUser = 1
	}
	c.Status = StatusActive
	f := check(c)
	if c.Code == "" || len(c.Code) > 32 {
		f.Add("code", "must be 1–32 characters")
	}
	if c.Type != Fixed && c.Type != Percentage {
		f.Add("type", "must be fixed or percentage")
	}
	if err := f.Err(); err != nil {
		return Coupon{}, err
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO coupons (code, name, description, type, value, min_fee, max_discount, applies_to,
		usage_limit, usage_limit_per_user, valid_from, valid_until, claimable, status, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		c.Code, c.Name, c.Description, c.Type, c.Value, int64(c.MinFee), int64(c.MaxDiscount), c.AppliesTo, c.UsageLimit,
		c.UsageLimitPerUser, store.At(c.ValidFrom), store.At(c.ValidUntil), c.Claimable, c.Status, c.CreatedBy, store.At(now)).Scan(&c.ID)
	if store.IsUniqueViolation(err) {
		return Coupon{}, apperr.Validation(map[string]string{"code": "is already used by another coupon"})
	}
	if err != nil {
		return Coupon{}, fmt.Errorf("coupon: create %s: %w", c.Code, err)
	}
	return c, nil
}

// check validates the fields an operator may set on create and update.
func check(c Coupon) apperr.Fields {
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(c.Name); n == 0 || n > 100 || !utf8.ValidString(c.Name) || strings.ContainsRune(c.Name, 0) {
		f.Add("name", "must be 1–100 characters")
	}
	if utf8.RuneCountInString(c.Description) > 1000 || !utf8.ValidString(c.Description) || strings.ContainsRune(c.Description, 0) {
		f.Add("description", "must be at most 1000 characters")
	}
	if c.Value <= 0 || (c.Type == Percentage && c.Value > 10_000) || c.Value > maxCents {
		f.Add("value", "must be positive (percentage at most 100)")
	}
	if c.MinFee < 0 || c.MinFee > maxCents {
		f.Add("min_fee", "must be 0 or more")
	}
	if c.MaxDiscount < 0 || c.MaxDiscount > maxCents {
		f.Add("max_discount", "must be 0 (no cap) or more")
	}
	if c.AppliesTo != "both" && c.AppliesTo != "virtual" && c.AppliesTo != "physical" {
		f.Add("applies_to", "must be virtual, physical or both")
	}
	if c.UsageLimit < 0 {
		f.Add("usage_limit", "must be 0 (unlimited) or more")
	}
	if c.UsageLimitPerUser < 1 {
		f.Add("usage_limit_per_user", "must be 1 or more")
	}
	if !c.ValidFrom.Before(c.ValidUntil) {
		f.Add("valid_until", "must be after valid_from")
	}
	if c.Status != StatusActive && c.Status != StatusInactive {
		f.Add("status", "must be active or inactive")
	}
	return f
}

// maxCents bounds an amount field: fees are a few dollars, so anything near
// the storage limit is a typo.
const maxCents = 1_000_000_000

func (s *Service) byCode(ctx context.Context, q store.Querier, code string, lock bool) (Coupon, error) {
	var c Coupon
	dest := scanCoupon(&c)
	suffix := ""
	if lock {
		suffix = s.DB.ForUpdate()
	}
	err := q.QueryRowContext(ctx, `SELECT `+couponColumns+` FROM coupons c WHERE c.code = $1`+suffix, NormalizeCode(code)).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return Coupon{}, ErrNotFound.WithDetails("No coupon has this code")
	}
	if err != nil {
		return Coupon{}, fmt.Errorf("coupon: read %s: %w", NormalizeCode(code), err)
	}
	return c, nil
}

// Assign gives a coupon to a user (source: claim, admin or campaign) within
// the coupon's limits, in the caller's transaction.
func (s *Service) Assign(ctx context.Context, tx *sql.Tx, userID int64, code string, source Source) (UserCoupon, error) {
	c, err := s.byCode(ctx, tx, code, true)
	if err != nil {
		return UserCoupon{}, err
	}
	return s.assign(ctx, tx, &c, userID, source)
}

// assign gives c, locked by the caller, to a user and counts it in c.
func (s *Service) assign(ctx context.Context, tx *sql.Tx, c *Coupon, userID int64, source Source) (UserCoupon, error) {
	now := s.Now()
	if c.Status != StatusActive {
		return UserCoupon{}, ErrNotFound.WithDetails("No coupon has this code")
	}
	if !now.Before(c.ValidUntil) {
		return UserCoupon{}, ErrExpired
	}
	var mine int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_coupons WHERE user_id = $1 AND coupon_id = $2`, userID, c.ID).Scan(&mine); err != nil {
		return UserCoupon{}, fmt.Errorf("coupon: assign %s to user %d: count: %w", c.Code, userID, err)
	}
	if mine >= c.UsageLimitPerUser {
		return UserCoupon{}, ErrAlreadyClaimed
	}
	if c.UsageLimit > 0 && c.AssignedCount >= c.UsageLimit {
		return UserCoupon{}, ErrLimitReached
	}
	if _, err := tx.ExecContext(ctx, `UPDATE coupons SET assigned_count = assigned_count + 1 WHERE id = $1`, c.ID); err != nil {
		return UserCoupon{}, fmt.Errorf("coupon: assign %s to user %d: count: %w", c.Code, userID, err)
	}
	c.AssignedCount++
	uc := UserCoupon{UserID: userID, Coupon: *c, Status: Unused, Source: source, AssignedAt: now}
	if err := tx.QueryRowContext(ctx, `INSERT INTO user_coupons (user_id, coupon_id, status, source, assigned_at) VALUES ($1, $2, $3, $4, $5)
		RETURNING id`, userID, c.ID, Unused, source, store.At(now)).Scan(&uc.ID); err != nil {
		return UserCoupon{}, fmt.Errorf("coupon: assign %s to user %d: %w", c.Code, userID, err)
	}
	if source != SourceAdmin {
		return uc, nil
	}
	// An operator's gift is announced; a claim is the user's own doing.
	if _, err := s.Notifier.Create(ctx, tx, notification.New{UserID: userID, Type: NotifyAssigned, Title: "You received a coupon",
		Body: "Coupon %s (%s) was added to your account.", Args: []any{c.Code, c.Name},
		Data: struct {
			Type       notification.Type `json:"type"`
			CouponCode string            `json:"coupon_code"`
			CouponName string            `json:"coupon_name"`
		}{NotifyAssigned, c.Code, c.Name}}); err != nil {
		return uc, fmt.Errorf("coupon: assign %s to user %d: %w", c.Code, userID, err)
	}
	return uc, nil
}

// Notifier creates in-app notifications in the caller's transaction.
type Notifier interface {
	Create(ctx context.Context, tx *sql.Tx, n notification.New) (int64, error)
}

// Claim assigns a claimable coupon to the caller by its code.
func (s *Service) Claim(ctx context.Context, userID int64, code string) (UserCoupon, error) {
	var uc UserCoupon
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		c, err := s.byCode(ctx, tx, code, false)
		if err != nil {
			return err
		}
		if !c.Claimable || c.Status != StatusActive {
			return ErrNotFound.WithDetails("No claimable coupon has this code")
		}
		uc, err = s.Assign(ctx, tx, userID, code, SourceClaim)
		return err
	})
	if err != nil {
		return UserCoupon{}, fmt.Errorf("coupon: claim by user %d: %w", userID, err)
	}
	return uc, nil
}
