// Package threeds handles card authentication challenges (3DS, API.md §2.7):
// the issuer raises a challenge by webhook, the cardholder gets the OTP by
// e-mail or approves a BIO challenge in the app, and the decision is
// forwarded to the issuer. It also keeps the card's 3DS plan in step with
// the issuer.
package threeds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Method is how a challenge is answered.
type Method string

// Authentication methods.
const (
	MethodOTP Method = "OTP" // a passcode e-mailed to the cardholder, typed at checkout
	MethodBIO Method = "BIO" // approved or rejected in the app
)

// Status is the state of a challenge (API.md §3.4.7).
type Status string

// Challenge statuses.
const (
	StatusOTPSent       Status = "OTP_SENT"
	StatusUnconfirmed   Status = "UNCONFIRMED"
	StatusProcessing    Status = "PROCESSING"
	StatusSuccess       Status = "SUCCESS"
	StatusFailure       Status = "FAILURE"
	StatusConfirmFailed Status = "CONFIRM_FAILED"
	StatusExpired       Status = "EXPIRED"
)

// Decision is what a cardholder sends for a BIO challenge
// (confirmation_status).
type Decision string

// Decisions.
const (
	DecisionApprove Decision = "SUCCESS"
	DecisionReject  Decision = "FAILURE"
)

// outcome is the challenge status the issuer's acceptance of d leads to.
func (d Decision) outcome() Status {
	if d == DecisionApprove {
		return StatusSuccess
	}
	return StatusFailure
}

// Plan is a card's 3DS authentication plan.
type Plan string

// Card 3DS plans.
const (
	PlanOTP Plan = "OTP"
	PlanBIO Plan = "BIO"
	PlanALL Plan = "ALL"
)

// ValidPlan reports whether plan is one of OTP, BIO, ALL.
func ValidPlan(plan Plan) bool { return plan == PlanOTP || plan == PlanBIO || plan == PlanALL }

// Errors (API.md §1.6).
var (
	ErrNotFound          = apperr.New("CHALLENGE_NOT_FOUND")
	ErrNotConfirmable    = apperr.New("CHALLENGE_NOT_CONFIRMABLE")
	ErrExpired           = apperr.New("CHALLENGE_EXPIRED")
	ErrAlreadyConfirmed  = apperr.New("CHALLENGE_ALREADY_CONFIRMED")
	ErrIssuerUnavailable = card.ErrIssuerUnavailable
	ErrCardCancelled     = card.ErrCardCancelled
)

// Issuer is the part of the card issuer that 3DS needs. Both calls must be
// idempotent: a repeated call with the same arguments has one effect.
type Issuer interface {
	// SetPlan sets the 3DS authentication plan of a card.
	SetPlan(ctx context.Context, publicToken string, plan Plan) error
	// Confirm forwards the cardholder's decision on a BIO challenge.
	Confirm(ctx context.Context, notificationID string, approve bool) error
}

// Cards gives the card records 3DS works on.
type Cards interface {
	// Get returns one of the user's cards (CARD_NOT_FOUND otherwise).
	Get(ctx context.Context, userID, id int64, publicToken string) (card.Card, error)
	// ByPublicToken returns the card with an issuer handle, in q.
	ByPublicToken(ctx context.Context, q store.Querier, publicToken string) (card.Card, error)
	// SetThreeDSPlan records the plan the issuer accepted (a Plan; the card
	// records keep it as text).
	SetThreeDSPlan(ctx context.Context, cardID int64, plan string) error
}

// Users gives account facts.
type Users interface {
	// EnsureWritable refuses writes of a frozen account (ACCOUNT_FROZEN).
	EnsureWritable(ctx context.Context, q store.Querier, userID int64) error
	// Email returns the account's e-mail address, read in q.
	Email(ctx context.Context, q store.Querier, userID int64) (string, error)
}

// Mailer queues e-mails in a transaction.
type Mailer interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, m mail.Message) error
}

// Notifications creates in-app notifications in a transaction.
type Notifications interface {
	Create(ctx context.Context, tx *sql.Tx, n notification.New) (int64, error)
}

// Deps are the collaborators of the Service.
type Deps struct {
	DB            *store.DB
	Box           *secret.Box
	Issuer        Issuer
	Cards         Cards
	Users         Users
	Mailer        Mailer
	Notifications Notifications
	Now           func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("threeds", deps.Wired{
		"DB": d.DB != nil, "Box": d.Box != nil, "Issuer": d.Issuer != nil, "Cards": d.Cards != nil,
		"Users": d.Users != nil, "Mailer": d.Mailer != nil, "Notifications": d.Notifications != nil, "Now": d.Now != nil,
	})
}

// Service implements the 3DS use cases.
type Service struct{ Deps }

// NewService returns a Service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// Record is a 3DS challenge as the app sees it.
type Record struct {
	ID                 int64
	NotificationID     string
	UserID             int64
	CardID             int64
	PublicToken        string
	AuthMethod         Method
	ChallengeStatus    Status
	MerchantName       string
	MerchantID         string
	Amount             string // formatted with the currency exponent
	Currency           string
	Passcode           string // only while an OTP challenge is live
	ExpiresAfter       int64  // seconds
	ChallengeExpiresAt time.Time
	ReceivedAt         time.Time
	ConfirmationStatus Decision
	ConfirmedAt        *time.Time
	DelegateStatus     string
	DelegateMethod     string
	DSTransactionID    string
	TransactionToken   string
}

const recordColumns = `id, notification_id, user_id, card_id, public_token, auth_method, challenge_status, merchant_name, merchant_id,
	amount, currency, passcode_sealed, expires_after, challenge_expires_at, received_at, confirmation_status, confirmed_at,
	delegate_status, delegate_method, ds_transaction_id, transaction_token`

// scanRecord reads a row; the sealed passcode is returned apart, opened
// only by the caller that may show it.
func scanRecord(row interface{ Scan(...any) error }) (Record, string, error) {
	var (
		r         Record
		sealed    string
		confirmed time.Time
	)
	if err := row.Scan(&r.ID, &r.NotificationID, &r.UserID, &r.CardID, &r.PublicToken, &r.AuthMethod, &r.ChallengeStatus,
		&r.MerchantName, &r.MerchantID, &r.Amount, &r.Currency, &sealed, &r.ExpiresAfter, store.TimeInto(&r.ChallengeExpiresAt),
		store.TimeInto(&r.ReceivedAt), &r.ConfirmationStatus, store.TimeInto(&confirmed), &r.DelegateStatus, &r.DelegateMethod, &r.DSTransactionID, &r.TransactionToken); err != nil {
		return Record{}, "", store.NotFound(err)
	}
	if !confirmed.IsZero() {
		r.ConfirmedAt = &confirmed
	}
	return r, sealed, nil
}

// reveal fills in the passcode while the OTP challenge is live: the code is
// useless afterwards and is not shown.
func (s *Service) reveal(r *Record, sealed string) error {
	if r.AuthMethod != MethodOTP || r.ChallengeStatus != StatusOTPSent || sealed == "" || !s.Now().Before(r.ChallengeExpiresAt) {
		return nil
	}
	pt, err := s.Box.Open(sealed, passcodeAD(r.NotificationID))
	if err != nil {
		return fmt.Errorf("open passcode of challenge %s: %w", r.NotificationID, err)
	}
	r.Passcode = string(pt)
	return nil
}

func passcodeAD(notificationID string) []byte { return []byte("3ds-passcode|" + notificationID) }

// List returns a page of the user's challenges, newest first, and the total.
func (s *Service) List(ctx context.Context, userID int64, page, size int) ([]Record, int, error) {
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM threeds_challenges WHERE user_id = $1`, userID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("threeds: count challenges of user %d: %w", userID, err)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+recordColumns+` FROM threeds_challenges WHERE user_id = $1
		ORDER BY received_at DESC, id DESC LIMIT $2 OFFSET $3`, userID, size, (page-1)*size)
	if err != nil {
		return nil, 0, fmt.Errorf("threeds: challenges of user %d: %w", userID, err)
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		r, sealed, err := scanRecord(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("threeds: challenges of user %d: %w", userID, err)
		}
		if err := s.reveal(&r, sealed); err != nil {
			return nil, 0, fmt.Errorf("threeds: challenges of user %d: %w", userID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("threeds: challenges of user %d: %w", userID, err)
	}
	return out, total, nil
}

// ByNotificationID returns the user's challenge with an issuer notification id.
func (s *Service) ByNotificationID(ctx context.Context, userID int64, notificationID string) (Record, error) {
	r, sealed, err := scanRecord(s.DB.SQL.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM threeds_challenges
		WHERE notification_id = $1`, notificationID))
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.UserID != userID) {
		return Record{}, ErrNotFound.WithDetails("No such 3DS challenge")
	}
	if err != nil {
		return Record{}, fmt.Errorf("threeds: challenge %s: %w", notificationID, err)
	}
	if err := s.reveal(&r, sealed); err != nil {
		return Record{}, fmt.Errorf("threeds: %w", err)
	}
	return r, nil
}
