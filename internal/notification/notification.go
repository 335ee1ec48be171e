// Package notification is the in-app notification store (API.md §2.8):
// domains create notifications inside their own transaction, so a
// notification exists exactly when the event that caused it was committed.
// Listing and reading them is served elsewhere.
package notification

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Status is a notification's read state (API.md §3.4.8).
type Status string

// Statuses.
const (
	StatusUnread Status = "unread"
	StatusRead   Status = "read"
)

// Type is the kind of a notification (API.md §3.6): the app routes on it,
// and the push data carries it. Every domain that notifies names its types
// here, so the list of what users can receive is in one place.
type Type string

// Types (API.md §3.6).
const (
	TypeDepositCredited    Type = "deposit_credited"
	TypeWithdrawalStatus   Type = "withdrawal_status"
	TypeTransferReceived   Type = "transfer_received"
	TypeCardIssued         Type = "card_issued"
	TypeCardIssueFailed    Type = "card_issue_failed"
	TypeCardStatus         Type = "card_status"
	TypeCardTransaction    Type = "card_transaction"
	TypeKYCResult          Type = "kyc_result"
	TypePhysicalCardStatus Type = "physical_card_status"
	Type3DSOTP             Type = "3ds_otp"
	Type3DSBIOConfirmation Type = "3ds_bio_confirmation"
	TypeCommissionCredited Type = "commission_credited"
	TypeCouponAssigned     Type = "coupon_assigned"
	TypeSecurityAlert      Type = "security_alert"
	TypeOperatorMessage    Type = "" // free-form operator messages
)

// New is a notification to create. Title and Body are canonical English
// texts of the i18n catalogue; Body is a format whose verbs Args fill. Both
// are rendered in the recipient's language when the notification is
// created (API.md §2.8). Data is any JSON-encodable payload (a struct keeps
// its field order); it is stored and served as a JSON string.
type New struct {
	UserID int64
	Type   Type // TypeOperatorMessage for free-form operator messages
	Title  string
	Body   string
	Args   []any
	Data   any // nil → "{}"
	// Lang is the recipient's language when the caller has read it in
	// this transaction already (nil: Create looks it up).
	Lang *i18n.Lang
}

// Languages tells the language a user reads notifications in.
type Languages interface {
	Language(ctx context.Context, q store.Querier, userID int64) (i18n.Lang, error)
}

// Inserter inserts jobs in a caller's transaction.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// PushArgs is the job that pushes one notification to the user's devices
// (API.md §3.6: every notification is also pushed).
type PushArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind implements river.JobArgs.
func (PushArgs) Kind() string { return "notification.push" }

// InsertOpts retries an unreachable push provider for about a day.
func (PushArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

// Deps are the collaborators of the Store.
type Deps struct {
	// Jobs queues the push of each notification in its transaction.
	Jobs Inserter
	// Languages picks the language texts are written in.
	Languages Languages
	Now       func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("notification", deps.Wired{"Jobs": d.Jobs != nil, "Languages": d.Languages != nil, "Now": d.Now != nil})
}

// Store creates notifications.
type Store struct{ Deps }

// NewService returns the Store the app wires: every notification is
// written in its recipient's language and pushed.
func NewService(d Deps) *Store { return &Store{Deps: d} }

// NewStore returns a Store outside the app's wiring (tools and tests that
// seed notifications): texts in English and no push, said here rather than
// left to missing collaborators.
func NewStore(now func() time.Time) *Store {
	return NewService(Deps{Jobs: noPush{}, Languages: english{}, Now: now})
}

// noPush queues nothing.
type noPush struct{}

func (noPush) InsertTx(context.Context, *sql.Tx, river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return &rivertype.JobInsertResult{}, nil
}

// english writes every text in English.
type english struct{}

func (english) Language(context.Context, store.Querier, int64) (i18n.Lang, error) {
	return i18n.EN, nil
}

// Create inserts an unread notification in the caller's transaction and
// returns its id.
func (s *Store) Create(ctx context.Context, tx *sql.Tx, n New) (int64, error) {
	if n.UserID <= 0 {
		return 0, errors.New("notification: user id is required")
	}
	data, err := EncodeData(n.Data)
	if err != nil {
		return 0, err
	}
	lang, err := s.language(ctx, tx, n)
	if err != nil {
		return 0, fmt.Errorf("notification: create %q for user %d: language: %w", n.Type, n.UserID, err)
	}
	n.Title = i18n.Text(lang, n.Title)
	n.Body = i18n.Text(lang, n.Body)
	if len(n.Args) > 0 {
		n.Body = fmt.Sprintf(n.Body, n.Args...)
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO notifications (user_id, type, title, body, data, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, n.UserID, n.Type, n.Title, n.Body, data, StatusUnread,
		store.At(s.Now())).Scan(&id)
	if err != nil {
		return id, fmt.Errorf("notification: create %q for user %d: %w", n.Type, n.UserID, err)
	}
	if _, err := s.Jobs.InsertTx(ctx, tx, PushArgs{NotificationID: id}, nil); err != nil {
		return id, fmt.Errorf("notification: queue push of %d: %w", id, err)
	}
	return id, nil
}

func (s *Store) language(ctx context.Context, tx *sql.Tx, n New) (i18n.Lang, error) {
	if n.Lang != nil {
		return *n.Lang, nil
	}
	return s.Languages.Language(ctx, tx, n.UserID)
}

// EncodeData renders a payload as the JSON text of the `data` field: "{}"
// when there is none. HTML characters are kept as they are, because the
// client parses the string as JSON, not as HTML.
func EncodeData(v any) (string, error) {
	if v == nil {
		return "{}", nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		if !json.Valid(raw) {
			return "", errors.New("notification: data is not valid JSON")
		}
		return string(raw), nil
	}
	b, err := marshal(v)
	if err != nil {
		return "", fmt.Errorf("notification: encode data: %w", err)
	}
	return string(b), nil
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
