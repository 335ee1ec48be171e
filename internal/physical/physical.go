// Package physical is the physical card order (API.md §2.6, §3.4.5): the
// upgrade of a virtual card (e-mail code → verify token → fee paid 1:1 in a
// stablecoin → submitted to the issuer → shipped → delivered) and the order
// of a card applied for as physical, which starts at SUBMITTED. Orders only
// move forward; a failure after payment refunds the fee.
package physical

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Status is the state of an order (API.md §3.4.5).
type Status string

// Order statuses.
const (
	StatusInit          Status = "INIT"
	StatusEmailVerified Status = "EMAIL_VERIFIED"
	StatusFeePaid       Status = "FEE_PAID"
	StatusSubmitted     Status = "SUBMITTED"
	StatusProcessing    Status = "PROCESSING"
	StatusShipped       Status = "SHIPPED"
	StatusDelivered     Status = "DELIVERED"
	StatusFailed        Status = "FAILED"
	StatusCancelled     Status = "CANCELLED"
)

// Source says who moved an order, on its timeline.
type Source string

// Timeline sources.
const (
	SourceUser     Source = "user"
	SourceSystem   Source = "system"
	SourceCallback Source = "callback"
	SourcePolling  Source = "polling"
	SourceAdmin    Source = "admin"
)

// RefundStatus is the state of a failed order's fee refund ("" = none).
type RefundStatus string

// Refund statuses.
const (
	RefundCompleted RefundStatus = "COMPLETED"
	RefundFailed    RefundStatus = "FAILED"
)

// Kind says how an order started.
type Kind string

// Order kinds.
const (
	KindUpgrade     Kind = "upgrade"     // a virtual card made physical
	KindApplication Kind = "application" // a card applied for as physical
)

// Scene is the only e-mail code scene of the upgrade.
const Scene = "physical_upgrade"

// Flow timings and sizes (API.md §1.9, §1.10, §3.4.5).
const (
	codeLength     = 6
	tokenTTL       = 10 * time.Minute
	draftLifetime  = 30 * time.Minute
	tokenRandChars = 40
	usdDecimals    = 2
)

// purposeUpgrade scopes the e-mail codes; the subject is (user, card).
const purposeUpgrade otp.Purpose = "physical_upgrade"

// Errors (API.md §1.6).
var (
	ErrCardNotOwned        = card.ErrCardNotOwned
	ErrCardCancelled       = card.ErrCardCancelled
	ErrAlreadyPhysical     = apperr.New("ALREADY_PHYSICAL")
	ErrUpgradeInProgress   = apperr.New("UPGRADE_IN_PROGRESS")
	ErrVerifyTokenInvalid  = apperr.New("VERIFY_TOKEN_INVALID")
	ErrOrderNotFound       = apperr.New("ORDER_NOT_FOUND")
	ErrApplicationNotFound = apperr.New("APPLICATION_NOT_FOUND")
	ErrNotShipped          = apperr.New("APPLICATION_NOT_SHIPPED")
	ErrIssuerUnavailable   = card.ErrIssuerUnavailable
)

// rank orders the forward path; FAILED and CANCELLED are terminal exits.
var rank = map[Status]int{StatusInit: 0, StatusEmailVerified: 1, StatusFeePaid: 2, StatusSubmitted: 3,
	StatusProcessing: 4, StatusShipped: 5, StatusDelivered: 6}

// Rank returns the position of a status on the forward path (-1 for the
// terminal exits and unknown statuses).
func Rank(status Status) int {
	if r, ok := rank[status]; ok {
		return r
	}
	return -1
}

// Shipping is the mailing data of an order; stored sealed.
type Shipping struct {
	Recipient  string `json:"recipient"`
	NameOnCard string `json:"name_on_card"`
	AreaCode   string `json:"area_code"`
	Phone      string `json:"phone"`
	Country    string `json:"postal_country"`
	State      string `json:"postal_state"`
	City       string `json:"postal_city"`
	Address    string `json:"postal_address"`
	PostalCode string `json:"postal_code"`
}

// ConvertRequest is what the issuer needs to make a card physical.
type ConvertRequest struct {
	// Reference is our order_no: the issuer's idempotency key, so a retry
	// (or the recovery job) never produces a second conversion.
	Reference   string
	PublicToken string
	Shipping    Shipping
}

// Issuer is the card issuer port of this domain.
type Issuer interface {
	// ConvertToPhysical submits the order; a repeated reference returns the
	// request id of the first submission.
	ConvertToPhysical(ctx context.Context, req ConvertRequest) (externalReqID string, err error)
	// VoidConversion settles a submission whose answer was lost: it reports
	// whether the issuer took the order (and its request id) and otherwise
	// makes sure the reference never will be.
	VoidConversion(ctx context.Context, reference string) (applied bool, externalReqID string, err error)
}

// Cards is what this domain needs of the card records.
type Cards interface {
	Get(ctx context.Context, userID, id int64, publicToken string) (card.Card, error)
	SetPhysical(ctx context.Context, tx *sql.Tx, cardID int64, physical bool) error
}

// Users gives account facts.
type Users interface {
	// EnsureWritable refuses writes of a frozen account (ACCOUNT_FROZEN).
	EnsureWritable(ctx context.Context, q store.Querier, userID int64) error
	// Profile gives the account e-mail the codes go to.
	Profile(ctx context.Context, userID int64) (account.Profile, error)
}

// Mailer queues e-mails in a transaction.
type Mailer interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, m mail.Message) error
}

// Inserter inserts jobs in a caller's transaction.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Deps are the collaborators of the Service.
type Deps struct {
	DB      *store.DB
	Cards   Cards
	Users   Users
	Ledger  *ledger.Ledger
	Wallets *wallet.Service
	OTP     *otp.Service
	Mailer  Mailer
	Issuer  Issuer
	Jobs    Inserter
	Hasher  *secret.Hasher
	Box     *secret.Box
	Log     *slog.Logger
	// Notifier creates the cardholder's in-app notifications.
	Notifier Notifier
	// Settings give the upgrade fee (API.md §3.3 upgrade_amount), read
	// when it is charged.
	Settings *settings.Service
	// EchoOTP returns codes in responses (sandbox mode only, API.md §1.11).
	EchoOTP bool
	Now     func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("physical", deps.Wired{
		"DB": d.DB != nil, "Cards": d.Cards != nil, "Users": d.Users != nil, "Ledger": d.Ledger != nil,
		"Wallets": d.Wallets != nil, "OTP": d.OTP != nil, "Mailer": d.Mailer != nil, "Issuer": d.Issuer != nil,
		"Jobs": d.Jobs != nil, "Hasher": d.Hasher != nil, "Box": d.Box != nil, "Log": d.Log != nil,
		"Notifier": d.Notifier != nil, "Settings": d.Settings != nil, "Now": d.Now != nil,
	})
}

// Notifier creates in-app notifications in the caller's transaction.
type Notifier interface {
	Create(ctx context.Context, tx *sql.Tx, n notification.New) (int64, error)
}

// Service implements the physical card use cases.
type Service struct{ Deps }

// NewService returns a Service.
func NewService(d Deps) *Service {
	return &Service{Deps: d}
}

// Order is a physical card order.
type Order struct {
	ID              int64
	OrderNo         string
	UserID          int64
	CardID          int64
	PublicToken     string
	Kind            Kind
	Status          Status
	FeeUSD          money.Amount // cents
	FeeAmount       money.Amount // minor units of PaymentCurrency
	PaymentCurrency string
	TrackingNo      string
	FailReason      string
	RefundStatus    RefundStatus
	ExternalReqID   string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ShippedAt       *time.Time
	DeliveredAt     *time.Time
}

// Event is one timeline entry.
type Event struct {
	At             time.Time
	Status         Status
	PreviousStatus Status
	Source         Source
	Operator       string
	Remark         string
	ExternalReqID  string
}

const orderColumns = `id, order_no, user_id, card_id, public_token, kind, status, fee_usd, fee_amount, payment_currency,
	tracking_no, fail_reason, refund_status, external_req_id, created_at, updated_at, shipped_at, delivered_at`

func scanOrder(row interface{ Scan(...any) error }) (Order, error) {
	var (
		o                  Order
		shipped, delivered time.Time
	)
	if err := row.Scan(&o.ID, &o.OrderNo, &o.UserID, &o.CardID, &o.PublicToken, &o.Kind, &o.Status, &o.FeeUSD, &o.FeeAmount,
		&o.PaymentCurrency, &o.TrackingNo, &o.FailReason, &o.RefundStatus, &o.ExternalReqID, store.TimeInto(&o.CreatedAt),
		store.TimeInto(&o.UpdatedAt), store.TimeInto(&shipped), store.TimeInto(&delivered)); err != nil {
		return Order{}, store.NotFound(err)
	}
	o.ShippedAt, o.DeliveredAt = optTime(shipped), optTime(delivered)
	return o, nil
}

// optTime is t as an optional moment: nil for the zero time (a NULL column).
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// paidStatuses are the statuses of an order that reached FEE_PAID; a
// FAILED order always did (drafts are cancelled, never failed).
var paidStatuses = sqlList(StatusFeePaid, StatusSubmitted, StatusProcessing, StatusShipped, StatusDelivered, StatusFailed)

// liveStatuses are paid orders that are neither failed nor cancelled.
var liveStatuses = sqlList(StatusFeePaid, StatusSubmitted, StatusProcessing, StatusShipped, StatusDelivered)

// sqlList renders statuses as an SQL list of literals, for IN: built from
// the constants, so a misspelt status cannot hide in query text.
func sqlList(statuses ...Status) string {
	quoted := make([]string, len(statuses))
	for i, st := range statuses {
		quoted[i] = "'" + string(st) + "'"
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

func (s *Service) order(ctx context.Context, q store.Querier, id int64, lock bool) (Order, error) {
	suffix := ""
	if lock {
		suffix = s.DB.ForUpdate()
	}
	o, err := scanOrder(q.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM physical_orders WHERE id = $1`+suffix, id))
	if err != nil {
		return Order{}, fmt.Errorf("read order %d: %w", id, err)
	}
	return o, nil
}

// latestPaid returns the card's latest order that reached FEE_PAID.
func (s *Service) latestPaid(ctx context.Context, q store.Querier, cardID int64) (Order, error) {
	o, err := scanOrder(q.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM physical_orders
		WHERE card_id = $1 AND status IN `+paidStatuses+` ORDER BY id DESC LIMIT 1`, cardID))
	if err != nil {
		return Order{}, fmt.Errorf("latest paid order of card %d: %w", cardID, err)
	}
	return o, nil
}

// card returns the caller's card, or CARD_NOT_OWNED (family-C endpoints say
// 403 for unknown and foreign cards alike).
func (s *Service) card(ctx context.Context, userID, id int64, publicToken string) (card.Card, error) {
	c, err := s.Cards.Get(ctx, userID, id, publicToken)
	if errors.Is(err, card.ErrCardNotFound) {
		return card.Card{}, ErrCardNotOwned.WithDetails("No such card")
	}
	return c, err
}

// ensureUpgradable refuses cards that are physical or being made physical.
func (s *Service) ensureUpgradable(ctx context.Context, q store.Querier, c card.Card) error {
	if c.Status == card.StatusCancelled {
		return ErrCardCancelled.WithDetails("The card is cancelled")
	}
	live, err := scanOrder(q.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM physical_orders
		WHERE card_id = $1 AND status IN `+liveStatuses+` ORDER BY id DESC LIMIT 1`, c.ID))
	switch {
	case err == nil && (live.Kind == KindApplication || live.Status == StatusDelivered):
		return ErrAlreadyPhysical.WithDetails("The card is already a physical card")
	case err == nil:
		return ErrUpgradeInProgress.WithDetails("A physical card order of this card is in progress (" + string(live.Status) + ")")
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("live order of card %d: %w", c.ID, err)
	case c.IsPhysical:
		return ErrAlreadyPhysical.WithDetails("The card is already a physical card")
	}
	return nil
}

// Summary is what GET /card/account-details shows of a card's orders.
type Summary struct {
	// UpdatePhysical: an order was submitted to the issuer and is not
	// failed or cancelled.
	UpdatePhysical bool
	// ApplicationID is the latest order that reached FEE_PAID (0 = none).
	ApplicationID int64
}

// CardSummary summarises the orders of a card.
func (s *Service) CardSummary(ctx context.Context, cardID int64) (Summary, error) {
	var sum Summary
	o, err := s.latestPaid(ctx, s.DB.SQL, cardID)
	if errors.Is(err, store.ErrNotFound) {
		return sum, nil
	}
	if err != nil {
		return sum, fmt.Errorf("physical: summary: %w", err)
	}
	sum.ApplicationID = o.ID
	sum.UpdatePhysical = Rank(o.Status) >= rank[StatusSubmitted]
	return sum, nil
}

// FeeInfo returns the upgrade fee (US cents) and the currencies that pay it.
func (s *Service) FeeInfo(ctx context.Context) (money.Amount, []wallet.Currency, error) {
	v, err := s.Settings.Get(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("physical: fee info: %w", err)
	}
	var out []wallet.Currency
	for _, c := range s.Wallets.Currencies.All() {
		if c.Crypto() {
			out = append(out, c)
		}
	}
	return v.UpgradeAmount, out, nil
}

// Check adds to f a reason for each field that breaks the mailing rules:
// those of a card applied for as physical, plus the optional state.
func (s Shipping) Check(f apperr.Fields) {
	card.Postal{NameOnCard: s.NameOnCard, Recipient: s.Recipient, AreaCode: s.AreaCode, Phone: s.Phone, Address: s.Address,
		City: s.City, PostalCode: s.PostalCode, Country: s.Country}.Check(f)
	if len([]rune(s.State)) > 64 {
		f.Add("postal_state", "must be at most 64 characters")
	}
}

// ShownTrackingNo is the tracking number the user may see: only once the
// card is on its way (API.md §2.6).
func (o Order) ShownTrackingNo() string {
	if o.Status == StatusShipped || o.Status == StatusDelivered {
		return o.TrackingNo
	}
	return ""
}
