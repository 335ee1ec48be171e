package kyc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/store"
)

// InitInput is a parsed POST /didit/initialize-token.
type InitInput struct {
	UserID   int64
	Email    string
	Identity Identity
	AgentUID string // "" = generated
	Language string // the provider page's language
}

// Initialize starts (or resumes) a KYC submission and returns its record
// with the provider session. The provider is called outside any database
// transaction; a failure leaves the record failed and answers 502.
func (s *Service) Initialize(ctx context.Context, in InitInput) (Record, error) {
	if err := s.Users.EnsureWritable(ctx, s.DB.SQL, in.UserID); err != nil {
		return Record{}, fmt.Errorf("kyc: initialize for user %d: %w", in.UserID, err)
	}
	if paid, err := s.Fees.KYCFeePaid(ctx, in.UserID); err != nil || !paid {
		if err != nil {
			return Record{}, fmt.Errorf("kyc: initialize for user %d: fee check: %w", in.UserID, err)
		}
		return Record{}, ErrFeeUnpaid.WithDetails("A completed card fee payment is required before KYC")
	}
	now := s.Now()
	if in.AgentUID == "" {
		in.AgentUID = fmt.Sprintf("%s_%s_%d", strings.ReplaceAll(in.Identity.FirstName, " ", "_"),
			strings.ReplaceAll(in.Identity.LastName, " ", "_"), now.UnixMilli())
	}
	var (
		rec    Record
		resume bool
	)
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		latest, ok, err := s.Latest(ctx, tx, in.UserID)
		if err != nil {
			return err
		}
		if _, approved, err := s.ApprovedRecord(ctx, tx, in.UserID); err != nil || approved {
			if err != nil {
				return err
			}
			return ErrAlreadyApproved
		}
		if ok && (latest.Status == StatusPending || latest.Status == StatusProcessing) {
			return ErrInProgress.WithDetails("The last submission is under review")
		}
		// Each initialisation may open a paid session at the provider.
		if err := s.Quotas.Take(ctx, tx, "KYC initialisations", in.UserID,
			ratelimit.Rule{Max: InitsPerHour, Window: time.Hour}, ratelimit.Rule{Max: InitsPerDay, Window: 24 * time.Hour}); err != nil {
			return err
		}
		sealed := s.seal(in.UserID, in.Identity)
		if ok && latest.Status == StatusPendingSubmit && latest.SessionID != "" && now.Sub(latest.SessionCreated) < sessionLifetime {
			resume = true
			if _, err := tx.ExecContext(ctx, `UPDATE kyc_records SET identity_sealed = $1, agent_uid = $2, updated_at = $3 WHERE id = $4`,
				sealed, in.AgentUID, store.At(now), latest.ID); err != nil {
				return fmt.Errorf("resume record %d: %w", latest.ID, err)
			}
			rec = latest
			rec.AgentUID = in.AgentUID
		} else {
			if err := tx.QueryRowContext(ctx, `INSERT INTO kyc_records (user_id, agent_uid, status, identity_sealed, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, in.UserID, in.AgentUID, StatusPendingSubmit, sealed, store.At(now)).Scan(&rec.ID); err != nil {
				return fmt.Errorf("insert record: %w", err)
			}
			rec = Record{ID: rec.ID, UserID: in.UserID, AgentUID: in.AgentUID, Status: StatusPendingSubmit, CreatedAt: now, UpdatedAt: now}
		}
		id := in.Identity
		return s.Users.CopyKYCProfile(ctx, tx, in.UserID, id.FirstName, id.LastName, id.Address, id.City, id.State, id.PostCode,
			id.AreaCode, id.BillCountry)
	})
	if err != nil {
		return rec, fmt.Errorf("kyc: initialize for user %d: %w", in.UserID, err)
	}
	if resume {
		return rec, nil
	}
	sess, err := s.Provider.CreateSession(ctx, rec.ID, applicantOf(in))
	if err != nil {
		_, _ = s.DB.SQL.ExecContext(context.WithoutCancel(ctx), `UPDATE kyc_records SET status = $1, fail_reason = $2, updated_at = $3 WHERE id = $4`,
			StatusFailed, "KYC provider unavailable", store.At(s.Now()), rec.ID)
		// The answer is the domain error; the provider's own stays in the
		// chain for the log.
		return Record{}, fmt.Errorf("kyc: open provider session for record %d: %w (%w)", rec.ID,
			ErrProviderUnavailable.WithDetails("The verification provider could not open a session; try again"), err)
	}
	if _, err := s.DB.SQL.ExecContext(ctx, `UPDATE kyc_records SET session_id = $1, session_url = $2, session_created_at = $3, updated_at = $3
		WHERE id = $4`, sess.ID, sess.URL, store.At(s.Now()), rec.ID); err != nil {
		return Record{}, fmt.Errorf("kyc: store session of record %d: %w", rec.ID, err)
	}
	rec.SessionID, rec.SessionURL, rec.SessionCreated = sess.ID, sess.URL, s.Now()
	return rec, nil
}

// applicantOf is what the provider is told: the form's identity, the
// account's email, the phone in E.164 (at most 15 digits, else left out).
func applicantOf(in InitInput) Applicant {
	id := in.Identity
	phone := ""
	if digits := id.AreaCode + id.Phone; digits != "" && len(digits) <= 15 {
		phone = "+" + digits
	}
	var address []string
	for _, part := range []string{id.Address, id.City, id.State, id.PostCode} {
		if part = strings.TrimSpace(part); part != "" {
			address = append(address, part)
		}
	}
	return Applicant{FirstName: id.FirstName, LastName: id.LastName, Email: in.Email, Phone: phone, Country: id.BillCountry,
		Address: strings.Join(address, ", "), Language: in.Language}
}

// StatusView is GET /didit/status.
type StatusView struct {
	UserStatus   UserStatus
	CanSubmit    bool
	Latest       *Record
	RejectReason string
}

// Status reports the user-level status and the latest record.
func (s *Service) Status(ctx context.Context, userID int64) (StatusView, error) {
	userStatus, _, err := s.UserKYC(ctx, s.DB.SQL, userID)
	if err != nil {
		return StatusView{}, err
	}
	v := StatusView{UserStatus: userStatus}
	latest, ok, err := s.Latest(ctx, s.DB.SQL, userID)
	if err != nil {
		return StatusView{}, err
	}
	inReview := false
	if ok {
		v.Latest = &latest
		inReview = latest.Status == StatusPending || latest.Status == StatusProcessing
		v.RejectReason = latest.FailReason
	}
	v.CanSubmit = (userStatus == UserNone || userStatus == UserRejected) && !inReview
	return v, nil
}

// rank orders statuses so a decision never moves a record backwards.
var rank = map[RecordStatus]int{StatusPendingSubmit: 0, StatusPending: 1, StatusProcessing: 2, StatusNotCompleted: 3,
	StatusCancelled: 3, StatusRejected: 4, StatusFailed: 4, StatusApproved: 4}

// ApplyProviderOutcome applies a provider outcome for a session in tx. It
// reports the record and whether it just entered processing (the caller
// then queues the issuer review). An unknown session, or one whose record
// is not vendorData (our record id, when the provider sent one), is
// reported as unmatched (ok=false).
func (s *Service) ApplyProviderOutcome(ctx context.Context, tx *sql.Tx, sessionID, vendorData string, o Outcome) (Record, bool, bool, error) {
	rec, err := scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE session_id = $1`+s.DB.ForUpdate(), sessionID))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Record{}, false, false, nil
	case err != nil:
		return Record{}, false, false, fmt.Errorf("kyc: apply provider status to session %s: %w", sessionID, err)
	case vendorData != "" && vendorData != strconv.FormatInt(rec.ID, 10):
		return Record{}, false, false, nil
	}
	if !advances(rec, o) {
		return rec, false, true, nil // a repeat, or a step backwards
	}
	return s.moveToOutcome(ctx, tx, rec, o)
}

func (s *Service) moveToOutcome(ctx context.Context, tx *sql.Tx, rec Record, o Outcome) (Record, bool, bool, error) {
	failReason := ""
	if o.Status == StatusRejected {
		failReason = o.FailReason
		if failReason == "" {
			failReason = ReasonDeclined
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE kyc_records SET status = $1, fail_reason = $2, updated_at = $3 WHERE id = $4`,
		o.Status, failReason, store.At(s.Now()), rec.ID); err != nil {
		return Record{}, false, false, fmt.Errorf("kyc: record %d to %s: %w", rec.ID, o.Status, err)
	}
	rec.Status, rec.FailReason, rec.UpdatedAt = o.Status, failReason, s.Now()
	if err := s.notifyResult(ctx, tx, rec); err != nil {
		return Record{}, false, false, fmt.Errorf("kyc: record %d to %s: %w", rec.ID, o.Status, err)
	}
	return rec, o.Status == StatusProcessing, true, nil
}

// issuerStatuses maps the issuer review code (pokepay_status) onto records.
func issuerOutcome(code int) (status RecordStatus, reason string) {
	switch code {
	case 2:
		return StatusApproved, ""
	case 3:
		return StatusRejected, "Rejected by the card issuer's review"
	case 4:
		return StatusRejected, "The submitted information does not match the documents"
	case 6:
		return StatusRejected, "This identity is already registered"
	}
	return StatusProcessing, "" // 0, 1, 5: still under review
}

// RecordIssuerReview stores the issuer's review code on a record in
// processing and moves it to its outcome.
func (s *Service) RecordIssuerReview(ctx context.Context, tx *sql.Tx, recordID int64, code int) (Record, error) {
	rec, err := scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE id = $1`+s.DB.ForUpdate(), recordID))
	if err != nil {
		return Record{}, fmt.Errorf("kyc: issuer review of record %d: %w", recordID, err)
	}
	if rec.Status != StatusProcessing {
		return rec, nil
	}
	status, reason := issuerOutcome(code)
	if _, err := tx.ExecContext(ctx, `UPDATE kyc_records SET status = $1, pokepay_status = $2, fail_reason = $3, updated_at = $4 WHERE id = $5`,
		status, code, reason, store.At(s.Now()), recordID); err != nil {
		return Record{}, fmt.Errorf("kyc: issuer review of record %d: %w", recordID, err)
	}
	rec.Status, rec.PokepayStatus, rec.FailReason, rec.UpdatedAt = status, code, reason, s.Now()
	if err := s.notifyResult(ctx, tx, rec); err != nil {
		return rec, fmt.Errorf("kyc: issuer review of record %d: %w", recordID, err)
	}
	return rec, nil
}

// Per-user quota of KYC initialisations: far above a person's retries, far
// below what a script opening provider sessions needs
// (docs/decisions-hardening.md).
const (
	InitsPerHour = 10
	InitsPerDay  = 20
)
