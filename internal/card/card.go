// Package card is the card programme on our side: applications (issuance
// tasks) that consume a card fee payment, issuance through the issuer port
// as a durable job, and the card records the app lists. PAN, CVV and PIN
// stay at the issuer.
package card

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// TaskStatus is the state of a card application (API.md §3.4.4).
type TaskStatus string

// Task statuses.
const (
	TaskPending    TaskStatus = "pending"
	TaskProcessing TaskStatus = "processing"
	TaskCompleted  TaskStatus = "completed"
	TaskFailed     TaskStatus = "failed"
)

// Status is the state of a card on our side (API.md §3.4.3); the issuer
// names the same states with an IssuerCode.
type Status string

// Card statuses.
const (
	StatusNormal    Status = "normal"
	StatusFrozen    Status = "frozen"
	StatusCancelled Status = "cancelled"
)

// Errors (API.md §1.6).
var (
	ErrKYCNotApproved = apperr.New("KYC_NOT_APPROVED")
	ErrCardLimit      = apperr.New("CARD_LIMIT_REACHED")
	ErrTaskNotFound   = apperr.New("TASK_NOT_FOUND")
	ErrCardNotFound   = apperr.New("CARD_NOT_FOUND")
)

// Postal is the mailing data of a physical card application.
type Postal struct {
	NameOnCard string `json:"name_on_card"`
	Recipient  string `json:"recipient"`
	AreaCode   string `json:"area_code"`
	Phone      string `json:"phone"`
	Address    string `json:"postal_address"`
	City       string `json:"postal_city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"postal_country"`
}

// IssueRequest is what the issuer needs to issue one card.
type IssueRequest struct {
	Reference  string // our task id: the issuer's idempotency key
	MemberName string
	Physical   bool
	Postal     Postal
}

// IssuedCard is the issuer's answer: a handle and a masked number only.
type IssuedCard struct {
	PublicToken string
	MaskedPAN   string
	Expiry      time.Time
}

// Issuer is the card issuer port.
type Issuer interface {
	// IssueCard issues one card; a repeated reference returns the same card.
	IssueCard(ctx context.Context, req IssueRequest) (IssuedCard, error)
}

// ErrIssueRejected marks an issuer refusal that retrying cannot fix.
var ErrIssueRejected = errors.New("issuer rejected the card application")

// Users gives account facts.
type Users interface {
	// EnsureWritable refuses writes of a frozen account (ACCOUNT_FROZEN).
	EnsureWritable(ctx context.Context, q store.Querier, userID int64) error
	// AccountStatus is the account's state (an operator's retry must not
	// issue a card to a closed account, whose holder cannot sign in).
	AccountStatus(ctx context.Context, q store.Querier, userID int64) (account.Status, error)
	// LockUser takes the row lock that serialises a user's applications.
	LockUser(ctx context.Context, tx *sql.Tx, userID int64) error
}

// Inserter inserts jobs in a caller's transaction.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Deps are the collaborators of the Service.
type Deps struct {
	DB     *store.DB
	Fees   *cardfee.Service
	KYC    *kyc.Service
	Users  Users
	Issuer Issuer
	// StatusIssuer changes card states at the issuer.
	StatusIssuer StatusIssuer
	Ledger       *ledger.Ledger
	Refunds      Refunds
	// RefundCurrencies: the currency a cancelled card's balance goes to is
	// a setting (API.md §3.3: USDT-TRC20), looked up here.
	RefundCurrencies *wallet.Currencies
	Box              *secret.Box
	// Notifier creates the cardholder's in-app notifications.
	Notifier Notifier
	// TradeSource answers trade queries at the issuer.
	TradeSource TradeSource
	// Swaps tells whether a card has swaps still being settled.
	Swaps PendingSwaps
	// Jobs queues the recovery of status changes.
	Jobs Inserter
	// HoldTTL is when an uncleared authorisation is released (0 = DefaultHoldTTL).
	HoldTTL time.Duration
	// Balances reads card balances at the issuer (reconciliation).
	Balances BalanceSource
	// Log receives what background work skips.
	Log *slog.Logger
	// Settings give max cards, the refund currency of a cancellation and
	// the issuance timeout, read when used.
	Settings *settings.Service
	// Quotas counts each user's applications (AppliesPerHour, AppliesPerDay).
	Quotas *ratelimit.Counter
	Now    func() time.Time
	// PhysicalOrders opens the order of a physical card at issuance.
	PhysicalOrders PhysicalOrders
	// Commissions queues the referral commissions of an issued card.
	Commissions Commissions
	// Audit records operators' changes of cards.
	Audit Auditor
}

// Check names the collaborators left unwired: the composition root refuses
// to start without them (a missing Swaps would let a card be cancelled under
// a swap still settling, a missing Jobs would strand a cancellation).
func (d Deps) Check() error {
	return deps.Check("card", deps.Wired{
		"DB": d.DB != nil, "Fees": d.Fees != nil, "KYC": d.KYC != nil, "Users": d.Users != nil,
		"Issuer": d.Issuer != nil, "StatusIssuer": d.StatusIssuer != nil, "Ledger": d.Ledger != nil,
		"Refunds": d.Refunds != nil, "RefundCurrencies": d.RefundCurrencies != nil, "Settings": d.Settings != nil,
		"Box": d.Box != nil, "Notifier": d.Notifier != nil, "TradeSource": d.TradeSource != nil, "Swaps": d.Swaps != nil,
		"Jobs": d.Jobs != nil, "Balances": d.Balances != nil, "Log": d.Log != nil, "Quotas": d.Quotas != nil,
		"Now": d.Now != nil, "PhysicalOrders": d.PhysicalOrders != nil, "Commissions": d.Commissions != nil,
		"Audit": d.Audit != nil,
	})
}

// Commissions is the port to the referral programme: a completed issuance
// pays card-opening commissions on the consumed fee payment (API.md §3.2
// step 7), queued in the transaction that completes the task.
type Commissions interface {
	QueueCardOpening(ctx context.Context, tx *sql.Tx, userID, taskID int64, paidUSD money.Amount) error
}

// Service implements the card use cases.
type Service struct{ Deps }

// NewService returns a Service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// Counts implements cardfee.Cards: issued non-cancelled cards and
// applications in flight.
func (s *Service) Counts(ctx context.Context, q store.Querier, userID int64) (int, int, error) {
	var success, pending int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM cards WHERE user_id = $1 AND status <> $2`, userID, StatusCancelled).Scan(&success); err != nil {
		return 0, 0, fmt.Errorf("card: count cards of user %d: %w", userID, err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM card_tasks WHERE user_id = $1 AND status IN ($2, $3)`,
		userID, TaskPending, TaskProcessing).Scan(&pending); err != nil {
		return 0, 0, fmt.Errorf("card: count applications of user %d: %w", userID, err)
	}
	return success, pending, nil
}

// ApplyInput is a parsed POST /card/apply.
type ApplyInput struct {
	UserID   int64
	Physical bool
	Postal   Postal
}

// Applied is the answer of Apply.
type Applied struct {
	TaskID   int64
	KYCID    int64
	Physical bool
}

// Apply records a card application in the caller's transaction (API.md
// §3.2): with the user row locked it checks the slots, consumes exactly one
// completed fee payment of the card type, creates the issuance task and
// queues the issuance job.
func (s *Service) Apply(ctx context.Context, tx *sql.Tx, jobs Inserter, in ApplyInput) (Applied, error) {
	fail := func(err error) (Applied, error) {
		return Applied{}, fmt.Errorf("card: apply for user %d: %w", in.UserID, err)
	}
	if err := s.Users.EnsureWritable(ctx, tx, in.UserID); err != nil {
		return fail(err)
	}
	rec, ok, err := s.KYC.ApprovedRecord(ctx, tx, in.UserID)
	if err != nil {
		return fail(err)
	}
	if !ok {
		return Applied{}, ErrKYCNotApproved.WithDetails("Complete identity verification before applying for a card")
	}
	if err := s.takeSlot(ctx, tx, in.UserID); err != nil {
		return fail(err)
	}
	if err := s.Quotas.Take(ctx, tx, "card applications", in.UserID,
		ratelimit.Rule{Max: AppliesPerHour, Window: time.Hour}, ratelimit.Rule{Max: AppliesPerDay, Window: 24 * time.Hour}); err != nil {
		return fail(err)
	}
	cardType := cardfee.Virtual
	if in.Physical {
		cardType = cardfee.Physical
	}
	postal := ""
	if in.Physical {
		b, _ := json.Marshal(in.Postal)
		postal = s.Box.Seal(b, postalAD(in.UserID))
	}
	var taskID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO card_tasks (user_id, kyc_id, physical, postal_sealed, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, in.UserID, rec.ID, in.Physical, postal, TaskPending, store.At(s.Now())).Scan(&taskID); err != nil {
		return fail(fmt.Errorf("insert task: %w", err))
	}
	due, err := s.Fees.FeeDue(ctx, tx, in.UserID, cardType)
	if err != nil {
		return fail(err)
	}
	if due > 0 {
		p, err := s.Fees.Consume(ctx, tx, in.UserID, cardType, taskID)
		if err != nil {
			return fail(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE card_tasks SET fee_payment_id = $1 WHERE id = $2`, p.ID, taskID); err != nil {
			return fail(fmt.Errorf("link fee payment %d to task %d: %w", p.ID, taskID, err))
		}
	}
	if _, err := jobs.InsertTx(ctx, tx, IssueArgs{TaskID: taskID}, nil); err != nil {
		return fail(fmt.Errorf("queue issuance of task %d: %w", taskID, err))
	}
	return Applied{TaskID: taskID, KYCID: rec.ID, Physical: in.Physical}, nil
}

// takeSlot locks the user row, which serialises the user's applications,
// and refuses when issued and in-flight cards fill every slot.
func (s *Service) takeSlot(ctx context.Context, tx *sql.Tx, userID int64) error {
	if err := s.Users.LockUser(ctx, tx, userID); err != nil {
		return err
	}
	success, pending, err := s.Counts(ctx, tx, userID)
	if err != nil {
		return err
	}
	slots, err := s.Fees.SlotsFor(ctx, tx, userID)
	if err != nil {
		return err
	}
	if success+pending >= slots {
		return ErrCardLimit.WithDetails("All " + strconv.Itoa(slots) + " card slots are used")
	}
	return nil
}

func postalAD(userID int64) []byte { return []byte("card-postal|" + strconv.FormatInt(userID, 10)) }

// feePaid returns the fee recorded for a task's card (cents).
func (s *Service) feePaid(ctx context.Context, q store.Querier, paymentID sql.NullInt64) (money.Amount, error) {
	if !paymentID.Valid {
		return 0, nil
	}
	return s.Fees.PaidAmount(ctx, q, paymentID.Int64) // cardfee names the payment
}

// Per-user quota of card applications: a failed issuance frees its slot and
// fee, so without it a script could re-apply at the issuer without end
// (docs/decisions-hardening.md).
const (
	AppliesPerHour = 10
	AppliesPerDay  = 20
)
