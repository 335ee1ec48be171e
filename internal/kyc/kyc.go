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
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Record statuses (API.md §3.4.1).
const (
	StatusPendingSubmit = "pending_submit"
	StatusPending       = "pending"
	StatusProcessing    = "processing"
	StatusApproved      = "approved"
	StatusRejected      = "rejected"
	StatusFailed        = "failed"
	StatusNotCompleted  = "not_completed"
	StatusCancelled     = "cancelled"
)

// User-level statuses.
const (
	UserNone     = "none"
	UserPending  = "pending"
	UserVerified = "verified"
	UserRejected = "rejected"
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
	Status         string
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

// Applicant is what the provider's page shows.
type Applicant struct {
	Name  string
	Email string
}

// Provider is the KYC provider port.
type Provider interface {
	// CreateSession opens a hosted session; reference is our record id.
	CreateSession(ctx context.Context, reference int64, a Applicant) (Session, error)
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

func scanRecord(row interface{ Scan(...any) error }) (Record, error) {
	var (
		r                         Record
		session, created, updated int64
	)
	if err := row.Scan(&r.ID, &r.UserID, &r.AgentUID, &r.Status, &r.PokepayStatus, &r.FailReason, &r.SessionID, &r.SessionURL,
		&session, &created, &updated); err != nil {
		return Record{}, store.NotFound(err)
	}
	if session > 0 {
		r.SessionCreated = time.UnixMicro(session).UTC()
	}
	r.CreatedAt, r.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return r, nil
}

// Latest returns the user's most recent record.
func (s *Service) Latest(ctx context.Context, q store.Querier, userID int64) (Record, bool, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE user_id = $1 ORDER BY id DESC LIMIT 1`, userID))
	if errors.Is(err, store.ErrNotFound) {
		return Record{}, false, nil
	}
	return r, err == nil, err
}

// ApprovedRecord returns the user's latest approved record (the one card
// applications use).
func (s *Service) ApprovedRecord(ctx context.Context, q store.Querier, userID int64) (Record, bool, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE user_id = $1 AND status = $2
		ORDER BY id DESC LIMIT 1`, userID, StatusApproved))
	if errors.Is(err, store.ErrNotFound) {
		return Record{}, false, nil
	}
	return r, err == nil, err
}

// UserKYC derives the user-level status (§3.4.1): any approved record →
// verified; else the latest record decides. It implements account.KYCStatuses.
func (s *Service) UserKYC(ctx context.Context, q store.Querier, userID int64) (string, int, error) {
	if _, ok, err := s.ApprovedRecord(ctx, q, userID); err != nil || ok {
		if err != nil {
			return "", 0, err
		}
		return UserVerified, 1, nil
	}
	latest, ok, err := s.Latest(ctx, q, userID)
	if err != nil || !ok {
		return UserNone, 0, err
	}
	return userStatusOf(latest.Status), 0, nil
}

func userStatusOf(recordStatus string) string {
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
		return Identity{}, store.NotFound(err)
	}
	pt, err := s.Box.Open(sealed, identityAD(userID))
	if err != nil {
		return Identity{}, err
	}
	var id Identity
	return id, json.Unmarshal(pt, &id)
}

func identityAD(userID int64) []byte { return []byte("kyc-identity|" + strconv.FormatInt(userID, 10)) }

func (s *Service) seal(userID int64, id Identity) string {
	b, _ := json.Marshal(id)
	return s.Box.Seal(b, identityAD(userID))
}

// RecordBySession returns the record of a provider session.
func (s *Service) RecordBySession(ctx context.Context, sessionID string) (Record, error) {
	return scanRecord(s.DB.SQL.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE session_id = $1`, sessionID))
}
