// Package kyc is identity verification: a record per submission holding the
// applicant's identity (sealed at rest), a hosted session at the KYC provider,
// the provider's decision, then the card issuer's own review (API.md §2.5,
// §3.4.1). The user-level status other domains read is derived here.
package kyc

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/store"
)

// RecordStatus is the state of one KYC submission (API.md §3.4.1).
type RecordStatus string

// Record statuses.
const (
	StatusPendingSubmit RecordStatus = "pending_submit"
	StatusPending       RecordStatus = "pending"
	StatusProcessing    RecordStatus = "processing"
	StatusApproved      RecordStatus = "approved"
	StatusRejected      RecordStatus = "rejected"
	StatusFailed        RecordStatus = "failed"
	StatusNotCompleted  RecordStatus = "not_completed"
	StatusCancelled     RecordStatus = "cancelled"
)

// UserStatus is a user's KYC status, derived from their records (API.md
// §3.4.1: kyc_status, user_kyc_status); other domains gate on it.
type UserStatus string

// User-level statuses.
const (
	UserNone     UserStatus = "none"
	UserPending  UserStatus = "pending"
	UserVerified UserStatus = "verified"
	UserRejected UserStatus = "rejected"
)

// sessionLifetime is how long a provider session may be resumed.
const sessionLifetime = 24 * time.Hour

// Errors (API.md §1.6).
var (
	ErrAlreadyApproved     = apperr.New("KYC_ALREADY_APPROVED")
	ErrInProgress          = apperr.New("KYC_IN_PROGRESS")
	ErrFeeUnpaid           = apperr.New("CARD_FEE_UNPAID")
	ErrProviderUnavailable = apperr.New("KYC_PROVIDER_UNAVAILABLE")
)

// Identity is what the applicant submits.
type Identity struct {
	FirstName   string `json:"first_en_name"`
	LastName    string `json:"last_en_name"`
	BillCountry string `json:"bill_country_code"`
	AreaCode    string `json:"area_code"`
	Phone       string `json:"phone"`
	Address     string `json:"address"`
	City        string `json:"city"`
	State       string `json:"state"`
	PostCode    string `json:"post_code"`
}

// Record is one KYC submission.
type Record struct {
	ID             int64
	UserID         int64
	AgentUID       string
	Status         RecordStatus
	PokepayStatus  int
	FailReason     string
	SessionID      string
	SessionURL     string
	SessionCreated time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Session is a hosted verification session at the provider.
type Session struct {
	ID  string
	URL string
}

// Applicant is what the provider is told about the person, to prefill its
// page and compare with the documents. It is identity data: it formats as
// a placeholder so that it cannot reach a log by accident.
type Applicant struct {
	FirstName string
	LastName  string
	Email     string
	Phone     string // E.164 ("+85291234567"); "" when the form's parts do not make one
	Country   string // ISO 3166-1 alpha-2, as the form has it; adapters convert
	Address   string // one line: street, city, state, post code
	Language  string // the page's language ("en", "zh", "ar")
}

// String implements fmt.Stringer without the identity.
func (Applicant) String() string { return "kyc.Applicant{…}" }

// GoString implements fmt.GoStringer without the identity.
func (a Applicant) GoString() string { return a.String() }

// Provider is the KYC provider port. It is kept to what any hosted
// verification needs, so that an adapter for the card issuer's own KYC
// (pokepay_status 1–6) fits as well as Didit's (docs/providers-didit.md).
type Provider interface {
	// CreateSession opens a hosted session; reference is our record id.
	// A provider that still has an unfinished session for the reference
	// returns it again.
	CreateSession(ctx context.Context, reference int64, a Applicant) (Session, error)
	// Result reads a session's current status at the provider, translated,
	// for when a webhook was missed or its order is in doubt.
	Result(ctx context.Context, sessionID string) (Outcome, error)
}

// Provider failures. Adapters wrap one of them, so callers decide without
// knowing the provider; none of them carries identity data.
var (
	// ErrProviderRateLimited: slow down; RetryAfter tells how long.
	ErrProviderRateLimited = errors.New("kyc provider: rate limited")
	// ErrProviderCredentials: the provider refused our key (configuration).
	ErrProviderCredentials = errors.New("kyc provider: credentials refused")
	// ErrProviderUnknownSession: the provider has no such session.
	ErrProviderUnknownSession = errors.New("kyc provider: unknown session")
	// ErrProviderRequest: the provider refused the request as malformed.
	ErrProviderRequest = errors.New("kyc provider: request refused")
	// ErrProviderDown: a 5xx, a timeout or a network failure.
	ErrProviderDown = errors.New("kyc provider: unavailable")
	// ErrNoProviderResult: this provider cannot be asked for a result.
	ErrNoProviderResult = errors.New("kyc provider: results are not pulled from this provider")
)

// RetryAfter reports the delay a provider asked for before the next call.
func RetryAfter(err error) (time.Duration, bool) {
	var r interface{ RetryAfter() time.Duration }
	if errors.As(err, &r) && r.RetryAfter() > 0 {
		return r.RetryAfter(), true
	}
	return 0, false
}

// FeeGate tells whether the card fee allows starting KYC.
type FeeGate interface {
	KYCFeePaid(ctx context.Context, userID int64) (bool, error)
}

// Users gives account facts and receives the KYC form's profile fields.
type Users interface {
	// EnsureWritable refuses writes of a frozen account (ACCOUNT_FROZEN).
	EnsureWritable(ctx context.Context, q store.Querier, userID int64) error
	// CopyKYCProfile copies the address fields (and empty names) to the profile.
	CopyKYCProfile(ctx context.Context, tx *sql.Tx, userID int64, firstName, lastName, address, city, state, postCode,
		areaCode, billCountry string) error
}

// Deps are the collaborators of the Service.
type Deps struct {
	DB       *store.DB
	Box      *secret.Box
	Provider Provider
	Fees     FeeGate
	Users    Users
	Notifier Notifier
	// Quotas counts each user's initialisations (InitsPerHour, InitsPerDay).
	Quotas *ratelimit.Counter
	Now    func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("kyc", deps.Wired{
		"DB": d.DB != nil, "Box": d.Box != nil, "Provider": d.Provider != nil, "Fees": d.Fees != nil,
		"Users": d.Users != nil, "Notifier": d.Notifier != nil, "Quotas": d.Quotas != nil, "Now": d.Now != nil,
	})
}

// Service implements KYC.
type Service struct{ Deps }

// NewService returns a Service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

const recordColumns = `id, user_id, agent_uid, status, pokepay_status, fail_reason, session_id, session_url,
	session_created_at, created_at, updated_at`

// scanRecord reads one record; a session not opened yet (0) scans as the
// zero time.
func scanRecord(row interface{ Scan(...any) error }) (Record, error) {
	var r Record
	if err := row.Scan(&r.ID, &r.UserID, &r.AgentUID, &r.Status, &r.PokepayStatus, &r.FailReason, &r.SessionID, &r.SessionURL,
		store.TimeInto(&r.SessionCreated), store.TimeInto(&r.CreatedAt), store.TimeInto(&r.UpdatedAt)); err != nil {
		return Record{}, store.NotFound(err)
	}
	return r, nil
}

// Latest returns the user's most recent record.
func (s *Service) Latest(ctx context.Context, q store.Querier, userID int64) (Record, bool, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE user_id = $1 ORDER BY id DESC LIMIT 1`, userID))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Record{}, false, nil
	case err != nil:
		return Record{}, false, fmt.Errorf("kyc: latest record of user %d: %w", userID, err)
	}
	return r, true, nil
}

// ApprovedRecord returns the user's latest approved record (the one card
// applications use).
func (s *Service) ApprovedRecord(ctx context.Context, q store.Querier, userID int64) (Record, bool, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE user_id = $1 AND status = $2
		ORDER BY id DESC LIMIT 1`, userID, StatusApproved))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Record{}, false, nil
	case err != nil:
		return Record{}, false, fmt.Errorf("kyc: approved record of user %d: %w", userID, err)
	}
	return r, true, nil
}

// UserKYC derives the user-level status (§3.4.1): any approved record →
// verified; else the latest record decides. It implements account.KYCStatuses.
// One statement: it runs on every profile read.
func (s *Service) UserKYC(ctx context.Context, q store.Querier, userID int64) (UserStatus, int, error) {
	var (
		approved bool
		latest   sql.NullString
	)
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM kyc_records WHERE user_id = $1 AND status = $2),
		(SELECT status FROM kyc_records WHERE user_id = $1 ORDER BY id DESC LIMIT 1)`, userID, StatusApproved).Scan(&approved, &latest)
	switch {
	case err != nil:
		return "", 0, fmt.Errorf("kyc: status of user %d: %w", userID, err)
	case approved:
		return UserVerified, 1, nil
	case !latest.Valid:
		return UserNone, 0, nil
	}
	return userStatusOf(RecordStatus(latest.String)), 0, nil
}

func userStatusOf(recordStatus RecordStatus) UserStatus {
	switch recordStatus {
	case StatusApproved:
		return UserVerified
	case StatusPending, StatusProcessing:
		return UserPending
	case StatusRejected, StatusFailed:
		return UserRejected
	}
	return UserNone
}

// Identity opens the sealed identity of a record.
func (s *Service) Identity(ctx context.Context, q store.Querier, recordID int64) (Identity, error) {
	var sealed string
	var userID int64
	if err := q.QueryRowContext(ctx, `SELECT user_id, identity_sealed FROM kyc_records WHERE id = $1`, recordID).Scan(&userID, &sealed); err != nil {
		return Identity{}, fmt.Errorf("kyc: identity of record %d: %w", recordID, store.NotFound(err))
	}
	pt, err := s.Box.Open(sealed, identityAD(userID))
	if err != nil {
		return Identity{}, fmt.Errorf("kyc: open identity of record %d: %w", recordID, err)
	}
	var id Identity
	if err := json.Unmarshal(pt, &id); err != nil {
		// The decoder's message is left out: it may quote the identity.
		return Identity{}, fmt.Errorf("kyc: identity of record %d does not decode", recordID)
	}
	return id, nil
}

func identityAD(userID int64) []byte { return []byte("kyc-identity|" + strconv.FormatInt(userID, 10)) }

func (s *Service) seal(userID int64, id Identity) string {
	b, _ := json.Marshal(id)
	return s.Box.Seal(b, identityAD(userID))
}

// RecordBySession returns the record of a provider session.
func (s *Service) RecordBySession(ctx context.Context, sessionID string) (Record, error) {
	r, err := scanRecord(s.DB.SQL.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE session_id = $1`, sessionID))
	if err != nil {
		return Record{}, fmt.Errorf("kyc: record of session %s: %w", sessionID, err)
	}
	return r, nil
}
