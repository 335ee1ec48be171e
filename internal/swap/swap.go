// Package swap converts between the wallet's stablecoins and a card's HKD
// (API.md §2.3 swap): crypto → HKD recharges the card through the issuer,
// HKD → crypto withdraws from it. Quotes fix a rate for five minutes and are
// single use. Each swap moves the user's side into a clearing account before
// the issuer is called, so a failed or interrupted card leg can always be
// settled or undone.
package swap

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Direction says which way a swap converts, named like the issuer
// operation it needs; the referral programme prices commissions by it.
type Direction string

// Directions of a swap.
const (
	Recharge Direction = "recharge" // crypto → HKD
	Withdraw Direction = "withdraw" // HKD → crypto
)

// Status is the state of a swap (API.md §2.3).
type Status string

// Swap statuses.
const (
	StatusPending   Status = "pending"
	StatusCompleted Status = "completed"
	StatusFailed    Status = "failed"
)

// Errors (API.md §1.6).
var (
	ErrQuoteNotFound    = apperr.New("QUOTE_NOT_FOUND")
	ErrQuoteExpired     = apperr.New("QUOTE_EXPIRED")
	ErrQuoteUsed        = apperr.New("QUOTE_ALREADY_USED")
	ErrQuoteMismatch    = apperr.New("QUOTE_MISMATCH")
	ErrCardRequired     = apperr.New("CARD_REQUIRED")
	ErrCardNotActive    = apperr.New("CARD_NOT_ACTIVE")
	ErrRechargeFailed   = apperr.New("CARD_RECHARGE_FAILED")
	ErrWithdrawFailed   = apperr.New("CARD_WITHDRAW_FAILED")
	ErrUnsupportedPair  = wallet.ErrUnsupportedPair
	ErrSameCurrency     = wallet.ErrSameCurrency
	ErrUnsupportedCoin  = wallet.ErrUnsupportedCurrency
	ErrInsufficientFund = ledger.ErrInsufficientBalance
)

// ErrCardDeclined is the issuer refusing a balance operation (closed card,
// not enough balance); retrying cannot fix it.
var ErrCardDeclined = errors.New("issuer declined the card balance operation")

// CardIssuer is the issuer port: card balance operations, idempotent per
// reference. An operation refused for good returns ErrCardDeclined; any
// other error is ambiguous (it may have been applied), and Void settles it:
// it reports whether the reference was applied and otherwise cancels it so
// it never will be.
type CardIssuer interface {
	Recharge(ctx context.Context, publicToken string, amount money.Amount, reference string) error
	Withdraw(ctx context.Context, publicToken string, amount money.Amount, reference string) error
	Void(ctx context.Context, reference string) (applied bool, err error)
}

// Cards finds and locks the caller's card, reads its balance and writes its
// transaction history.
type Cards interface {
	Get(ctx context.Context, userID, id int64, publicToken string) (card.Card, error)
	ForUpdate(ctx context.Context, tx *sql.Tx, userID, id int64, publicToken string) (card.Card, error)
	Balance(ctx context.Context, q store.Querier, c card.Card) (money.Amount, error)
	RecordHistory(ctx context.Context, tx *sql.Tx, h card.HistoryEntry) error
	// SweepCancelled returns to the wallet what is booked to a cancelled card.
	SweepCancelled(ctx context.Context, tx *sql.Tx, c card.Card) error
	// EnsureReleasable refuses (CARD_BALANCE_PENDING) an amount the issuer
	// still holds for an authorisation.
	EnsureReleasable(ctx context.Context, c card.Card, amount money.Amount) error
}

// Users refuses writes of frozen accounts.
type Users interface {
	EnsureWritable(ctx context.Context, q store.Querier, userID int64) error
}

// Inserter inserts jobs in a caller's transaction.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Policy holds the swap rules that are not operator settings (the fee
// rate, quote lifetime and amount limits are: package settings).
type Policy struct {
	// ResolveAfter is when the recovery job looks at a swap still pending
	// (a crash between the issuer call and its bookkeeping).
	ResolveAfter time.Duration
}

// DefaultPolicy looks at a stuck swap after two minutes.
var DefaultPolicy = Policy{ResolveAfter: 2 * time.Minute}

// Deps are the collaborators of the Service.
type Deps struct {
	DB      *store.DB
	Ledger  *ledger.Ledger
	Wallets *wallet.Service
	Cards   Cards
	Users   Users
	Issuer  CardIssuer
	Jobs    Inserter
	Policy  Policy
	// Settings give the fee rate, the quote lifetime and the amount limits
	// (API.md §3.3), read when a swap is priced.
	Settings *settings.Service
	Now      func() time.Time
	// Commissions queues the referral commissions of a swap.
	Commissions Commissions
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("swap", deps.Wired{
		"DB": d.DB != nil, "Ledger": d.Ledger != nil, "Wallets": d.Wallets != nil, "Cards": d.Cards != nil,
		"Users": d.Users != nil, "Issuer": d.Issuer != nil, "Jobs": d.Jobs != nil, "Now": d.Now != nil,
		"Commissions": d.Commissions != nil, "Settings": d.Settings != nil,
	})
}

// Commissions is the port to the referral programme: a completed swap pays
// transaction commissions on its fee (API.md §2.3), queued in the
// transaction that settles it. rate is the swap's (HKD per unit for a
// recharge, units per HKD for a withdrawal) and direction says which.
type Commissions interface {
	QueueTransaction(ctx context.Context, tx *sql.Tx, userID, swapID int64, feeHKD money.Amount, rate money.Rate, direction Direction) error
}

// Service implements swaps.
type Service struct{ Deps }

// NewService returns a Service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// Pair is a validated swap direction.
type Pair struct {
	From, To  wallet.Currency
	Direction Direction
	// Crypto is the stablecoin side.
	Crypto wallet.Currency
}

// ParsePair validates the currencies of a swap: one enabled stablecoin and
// HKD, in either order.
func (s *Service) ParsePair(from, to string) (Pair, error) {
	f, okF := s.Wallets.Currencies.Get(from)
	t, okT := s.Wallets.Currencies.Get(to)
	switch {
	case !okF || !okT:
		return Pair{}, ErrUnsupportedCoin.WithDetails("Swaps use an enabled stablecoin such as USDT-TRC20 and HKD")
	case f.Name == t.Name:
		return Pair{}, ErrSameCurrency
	case f.Crypto() && t.Name == wallet.HKD:
		return Pair{From: f, To: t, Direction: Recharge, Crypto: f}, nil
	case f.Name == wallet.HKD && t.Crypto():
		return Pair{From: f, To: t, Direction: Withdraw, Crypto: t}, nil
	default:
		return Pair{}, ErrUnsupportedPair.WithDetails("Swaps are between a stablecoin and HKD (the card)")
	}
}
