// Package cardfee is the card fee: its configuration per card type, and the
// payments a user makes (1:1 in a stablecoin) before KYC and before each
// card application. A completed payment is consumed by exactly one card
// application and released again if that application fails.
package cardfee

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// CardType is the kind of card a fee pays for; coupons name it too (as
// text: package coupon cannot import this one).
type CardType string

// Card types.
const (
	Virtual  CardType = "virtual"
	Physical CardType = "physical"
)

// PaymentStatus is the state of a fee payment (API.md §3.4.2).
type PaymentStatus string

// Payment statuses.
const (
	StatusPending   PaymentStatus = "pending"
	StatusCompleted PaymentStatus = "completed"
	StatusCancelled PaymentStatus = "cancelled"
	StatusExpired   PaymentStatus = "expired"
	StatusRefunded  PaymentStatus = "refunded"
)

// USD amounts have 2 decimals; a stablecoin (6 decimals) pays them 1:1.
const usdDecimals = 2

// Errors (API.md §1.6).
var (
	ErrNotConfigured   = apperr.New("CARD_FEE_NOT_CONFIGURED")
	ErrAlreadyPaid     = apperr.New("CARD_FEE_ALREADY_PAID")
	ErrCardLimit       = apperr.New("CARD_LIMIT_REACHED")
	ErrPaymentNotFound = apperr.New("PAYMENT_NOT_FOUND")
	ErrPaymentExpired  = apperr.New("PAYMENT_EXPIRED")
	ErrNotPending      = apperr.New("PAYMENT_NOT_PENDING")
	ErrFeeUnpaid       = apperr.New("CARD_FEE_UNPAID")
)

// Config is the fee of one card type.
type Config struct {
	ID          int64
	CardType    CardType
	FeeType     string
	FeeAmount   money.Amount // US cents
	IsActive    bool
	Description string
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Effective is the fee due: zero when the fee is switched off.
func (c Config) Effective() money.Amount {
	if !c.IsActive {
		return 0
	}
	return c.FeeAmount
}

// Payment is a card fee payment.
type Payment struct {
	ID             int64
	UserID         int64
	CardType       CardType
	OriginalFee    money.Amount // cents
	CouponDiscount money.Amount
	ActualPayment  money.Amount
	Status         PaymentStatus
	Ref            string
	PaymentMethod  string
	CouponCode     string
	CouponName     string
	Consumed       bool
	CreatedAt      time.Time
	ExpiresAt      time.Time
	PaidAt         *time.Time
}

// Cards counts a user's cards for the slot rules.
type Cards interface {
	// Counts returns issued non-cancelled cards and applications in flight.
	Counts(ctx context.Context, q store.Querier, userID int64) (success, pending int, err error)
}

// Users tells the fee about account states.
type Users interface {
	// EnsureWritable refuses writes of a frozen account (ACCOUNT_FROZEN).
	EnsureWritable(ctx context.Context, q store.Querier, userID int64) error
	// Overrides returns the user's operator-set card slots and fee exemption.
	Overrides(ctx context.Context, q store.Querier, userID int64) (account.Overrides, error)
	// WritableOverrides is EnsureWritable and Overrides in one read.
	WritableOverrides(ctx context.Context, q store.Querier, userID int64) (account.Overrides, error)
}

// Coupons discounts fees with the user's coupons.
type Coupons interface {
	Reserve(ctx context.Context, tx *sql.Tx, userID int64, code, cardType string, fee money.Amount, paymentID int64) (UserCoupon, money.Amount, error)
	Release(ctx context.Context, tx *sql.Tx, paymentID int64) error
	Use(ctx context.Context, tx *sql.Tx, paymentID int64) (bool, error)
}

// UserCoupon is what the fee needs to know of a reserved coupon.
type UserCoupon = coupon.UserCoupon

// Deps are the collaborators of the Service.
type Deps struct {
	Coupons Coupons
	DB      *store.DB
	Ledger  *ledger.Ledger
	Wallets *wallet.Service
	Users   Users
	Cards   Cards
	// Settings give max cards, the pending payment lifetime and whether
	// KYC needs a paid fee, read when used.
	Settings *settings.Service
	Now      func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("cardfee", deps.Wired{
		"Coupons": d.Coupons != nil, "DB": d.DB != nil, "Ledger": d.Ledger != nil, "Wallets": d.Wallets != nil,
		"Users": d.Users != nil, "Cards": d.Cards != nil, "Settings": d.Settings != nil, "Now": d.Now != nil,
	})
}

// Service implements the card fee use cases.
type Service struct{ Deps }

// NewService returns a Service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// ValidCardType reports whether t is a card type.
func ValidCardType(t CardType) bool { return t == Virtual || t == Physical }

// Config returns the fee configuration of a card type.
func (s *Service) Config(ctx context.Context, q store.Querier, cardType CardType) (Config, error) {
	var c Config
	err := q.QueryRowContext(ctx, `SELECT id, card_type, fee_type, fee_amount, is_active, description, created_by, created_at, updated_at
		FROM card_fee_config WHERE card_type = $1`, cardType).
		Scan(&c.ID, &c.CardType, &c.FeeType, &c.FeeAmount, &c.IsActive, &c.Description, &c.CreatedBy, store.TimeInto(&c.CreatedAt), store.TimeInto(&c.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return Config{}, ErrNotConfigured.WithDetails("No fee is configured for card type " + string(cardType))
	}
	if err != nil {
		return Config{}, fmt.Errorf("cardfee: config of %s cards: %w", cardType, err)
	}
	return c, nil
}

// Stats is the apply screen's summary (GET /CardFee/GetStats).
type Stats struct {
	NeedsPayment   bool
	CanApply       bool
	MaxCards       int
	SuccessCards   int
	PendingCards   int
	RemainingSlots int
	NextCardIndex  int
}

// Stats computes the slots and whether a payment is needed for cardType.
func (s *Service) Stats(ctx context.Context, userID int64, cardType CardType) (Stats, error) {
	st, err := s.stats(ctx, s.DB.SQL, userID, cardType)
	if err != nil {
		return Stats{}, fmt.Errorf("cardfee: stats of user %d: %w", userID, err)
	}
	return st, nil
}

func (s *Service) stats(ctx context.Context, q store.Querier, userID int64, cardType CardType) (Stats, error) {
	success, pending, err := s.Cards.Counts(ctx, q, userID)
	if err != nil {
		return Stats{}, err
	}
	slots, err := s.SlotsFor(ctx, q, userID)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{MaxCards: slots, SuccessCards: success, PendingCards: pending,
		RemainingSlots: max(0, slots-success-pending), NextCardIndex: success + pending + 1}
	st.CanApply = st.RemainingSlots > 0
	cfg, err := s.Config(ctx, q, cardType)
	if err != nil && !errors.Is(err, ErrNotConfigured) {
		return Stats{}, err
	}
	if err == nil {
		if cfg, err = s.userFee(ctx, q, userID, cfg); err != nil {
			return Stats{}, err
		}
	}
	if err == nil && cfg.Effective() > 0 {
		paid, err := s.hasUnconsumed(ctx, q, userID, cardType)
		if err != nil {
			return Stats{}, err
		}
		st.NeedsPayment = !paid
	}
	return st, nil
}

func (s *Service) hasUnconsumed(ctx context.Context, q store.Querier, userID int64, cardType CardType) (bool, error) {
	var ok bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM card_fee_payments WHERE user_id = $1 AND card_type = $2
		AND status = $3 AND consumed_by_task_id IS NULL)`, userID, cardType, StatusCompleted).Scan(&ok); err != nil {
		return false, fmt.Errorf("unused %s payment: %w", cardType, err)
	}
	return ok, nil
}

func (s *Service) ensureActive(ctx context.Context, tx *sql.Tx, userID int64) error {
	return s.Users.EnsureWritable(ctx, tx, userID)
}
