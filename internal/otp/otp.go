// Package otp issues and checks one-time codes (API.md §1.10): random digits
// stored as keyed hashes, scoped to (purpose, subject), valid 10 minutes,
// single use, a 60 s resend cooldown and 5 wrong tries before the code burns.
// Every method works inside the caller's transaction.
package otp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Error codes of code checks.
var (
	ErrInvalid          = apperr.New("OTP_INVALID")
	ErrExpired          = apperr.New("OTP_EXPIRED")
	ErrAttemptsExceeded = apperr.New("OTP_ATTEMPTS_EXCEEDED")
)

// Purpose names what a code authorises; a subject has at most one live code
// per purpose.
type Purpose string

const (
	Signup          Purpose = "signup"
	Login           Purpose = "login"
	ResetPassword   Purpose = "reset_password"
	TxPassword      Purpose = "tx_password"
	ChangeEmailNew  Purpose = "change_email_new"
	ChangeEmailOld  Purpose = "change_email_old"
	ChangePhoneNew  Purpose = "change_phone_new"
	ChangePhoneMail Purpose = "change_phone_email"
	Deactivate      Purpose = "deactivate"
)

// Policy holds the timing rules; the zero value is not useful, see Default.
type Policy struct {
	TTL         time.Duration
	Cooldown    time.Duration
	MaxAttempts int
	// FlowWindow is how long after its start a flow counts as open for resend.
	FlowWindow time.Duration
}

// DefaultPolicy is API.md §3.3: 10 min validity, 60 s cooldown, 5 tries.
var DefaultPolicy = Policy{TTL: 10 * time.Minute, Cooldown: time.Minute, MaxAttempts: 5, FlowWindow: 30 * time.Minute}

// Service issues and verifies codes.
type Service struct {
	db     *store.DB
	hasher *secret.Hasher
	// box seals the plaintext code so sandbox mode can echo a code that was
	// sent moments ago; nil in production, where plaintext is never kept.
	box    *secret.Box
	policy Policy
	now    func() time.Time
}

// NewService returns a Service. Pass a nil box in production.
func NewService(db *store.DB, hasher *secret.Hasher, box *secret.Box, policy Policy, now func() time.Time) *Service {
	return &Service{db: db, hasher: hasher, box: box, policy: policy, now: now}
}

// Issued is a freshly issued (or, within the cooldown, re-used) code.
type Issued struct {
	Code string
	// Fresh is false when an existing code was re-used and nothing should be sent.
	Fresh bool
}

// Issue creates a new code of length digits for (purpose, subject), replacing
// any previous one and resetting its attempt counter. Within the cooldown it
// fails with RATE_LIMITED.
func (s *Service) Issue(ctx context.Context, tx *sql.Tx, purpose Purpose, subject string, length int) (Issued, error) {
	return s.issue(ctx, tx, purpose, subject, length, false, true)
}

// IssueOrReuse is Issue, except that within the cooldown the still-valid code
// is kept and reported with Fresh=false (login: repeated taps send one mail).
func (s *Service) IssueOrReuse(ctx context.Context, tx *sql.Tx, purpose Purpose, subject string, length int) (Issued, error) {
	return s.issue(ctx, tx, purpose, subject, length, true, true)
}

// Resend issues a new code for an open flow, keeping the flow's start time.
func (s *Service) Resend(ctx context.Context, tx *sql.Tx, purpose Purpose, subject string, length int) (Issued, error) {
	return s.issue(ctx, tx, purpose, subject, length, false, false)
}

func (s *Service) issue(ctx context.Context, tx *sql.Tx, purpose Purpose, subject string, length int, reuse, newFlow bool) (Issued, error) {
	now := s.now()
	var (
		sentAt, expiresAt, flowStart time.Time
		attempts                     int
		consumed                     sql.NullInt64
		sealed                       string
	)
	err := tx.QueryRowContext(ctx, `SELECT sent_at, expires_at, consumed_at, code_sealed, flow_started_at, attempts
		FROM otp_codes WHERE purpose = $1 AND subject = $2`+s.db.ForUpdate(), string(purpose), subject).
		Scan(store.TimeInto(&sentAt), store.TimeInto(&expiresAt), &consumed, &sealed, store.TimeInto(&flowStart), &attempts)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Issued{}, fmt.Errorf("otp: issue: %w", err)
	}
	if exists {
		wait := sentAt.Add(s.policy.Cooldown).Sub(now)
		// A burned code (too many wrong tries) is not live: it is never
		// re-used, and within the cooldown no new one is sent either, so
		// guessing stays at five tries per minute.
		live := !consumed.Valid && now.Before(expiresAt) && attempts < s.policy.MaxAttempts
		// The cooldown guards against mail floods; once a code has been used
		// its flow is over and a new flow may start at once.
		if wait > 0 && !consumed.Valid {
			if reuse && live {
				code := ""
				if s.box != nil && sealed != "" {
					if pt, err := s.box.Open(sealed, []byte(string(purpose)+"|"+subject)); err == nil {
						code = string(pt)
					}
				}
				return Issued{Code: code, Fresh: false}, nil
			}
			return Issued{}, apperr.New(apperr.CodeRateLimited).
				WithDetails("A code was sent moments ago").WithRetryAfter(roundUp(wait))
		}
	}
	if newFlow || !exists {
		flowStart = now
	}
	code := secret.Digits(length)
	sealed = ""
	if s.box != nil {
		sealed = s.box.Seal([]byte(code), []byte(string(purpose)+"|"+subject))
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO otp_codes (purpose, subject, code_hash, code_sealed, attempts, sent_at, expires_at, consumed_at, flow_started_at)
		VALUES ($1, $2, $3, $4, 0, $5, $6, NULL, $7)
		ON CONFLICT (purpose, subject) DO UPDATE SET code_hash = excluded.code_hash, code_sealed = excluded.code_sealed,
			attempts = 0, sent_at = excluded.sent_at, expires_at = excluded.expires_at, consumed_at = NULL,
			flow_started_at = excluded.flow_started_at`,
		string(purpose), subject, s.hash(purpose, subject, code), sealed, store.At(now), store.At(now.Add(s.policy.TTL)), store.At(flowStart))
	if err != nil {
		return Issued{}, fmt.Errorf("otp: issue: %w", err)
	}
	return Issued{Code: code, Fresh: true}, nil
}

// Check verifies code for (purpose, subject). When consume is true a correct
// code is used up. A wrong code counts an attempt: the caller must commit the
// transaction even on failure (store.CommitThenFail), which Check's error
// wrapping does for it.
func (s *Service) Check(ctx context.Context, tx *sql.Tx, purpose Purpose, subject, code string, consume bool) error {
	now := s.now()
	var (
		hash      string
		attempts  int
		expiresAt time.Time
		consumed  sql.NullInt64
	)
	err := tx.QueryRowContext(ctx, `SELECT code_hash, attempts, expires_at, consumed_at
		FROM otp_codes WHERE purpose = $1 AND subject = $2`+s.db.ForUpdate(), string(purpose), subject).
		Scan(&hash, &attempts, store.TimeInto(&expiresAt), &consumed)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrInvalid.WithDetails("No code was issued for this request")
	}
	if err != nil {
		return fmt.Errorf("otp: check: %w", err)
	}
	switch {
	case attempts >= s.policy.MaxAttempts:
		return ErrAttemptsExceeded.WithDetails("Too many wrong codes; request a new one")
	case consumed.Valid:
		return ErrExpired.WithDetails("The code was already used")
	case !now.Before(expiresAt):
		return ErrExpired.WithDetails("The code has expired")
	}
	if !secret.Equal(hash, s.hash(purpose, subject, code)) {
		attempts++
		if _, err := tx.ExecContext(ctx, `UPDATE otp_codes SET attempts = $1 WHERE purpose = $2 AND subject = $3`,
			attempts, string(purpose), subject); err != nil {
			return fmt.Errorf("otp: check: %w", err)
		}
		if attempts >= s.policy.MaxAttempts {
			return store.CommitThenFail(ErrAttemptsExceeded.WithDetails("Too many wrong codes; request a new one"))
		}
		return store.CommitThenFail(ErrInvalid.WithDetails("The code is not correct"))
	}
	if consume {
		if _, err := tx.ExecContext(ctx, `UPDATE otp_codes SET consumed_at = $1, code_sealed = '' WHERE purpose = $2 AND subject = $3`,
			store.At(now), string(purpose), subject); err != nil {
			return fmt.Errorf("otp: check: %w", err)
		}
	}
	return nil
}

// OpenFlow returns the start time of the open (unconsumed, started within
// the flow window) flow of (purpose, subject), or ok=false.
func (s *Service) OpenFlow(ctx context.Context, q store.Querier, purpose Purpose, subject string) (started time.Time, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT flow_started_at FROM otp_codes
		WHERE purpose = $1 AND subject = $2 AND consumed_at IS NULL AND flow_started_at > $3`,
		string(purpose), subject, store.At(s.now().Add(-s.policy.FlowWindow))).Scan(store.TimeInto(&started))
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("otp: open flow: %w", err)
	}
	return started, true, nil
}

// HasCode reports whether a code was ever issued for (purpose, subject) and
// not purged, whatever its state: verify endpoints answer INVALID_STATE when
// there is none, and leave used or expired codes to Check.
func (s *Service) HasCode(ctx context.Context, q store.Querier, purpose Purpose, subject string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM otp_codes WHERE purpose = $1 AND subject = $2`, string(purpose), subject).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("otp: has code: %w", err)
	}
	return n > 0, nil
}

func (s *Service) hash(purpose Purpose, subject, code string) string {
	return s.hasher.Sum("otp", string(purpose), subject, code)
}

func roundUp(d time.Duration) time.Duration {
	return ((d + time.Second - 1) / time.Second) * time.Second
}

// Purge deletes the codes that expired before cutoff, in q (the periodic
// purge's transaction).
func (s *Service) Purge(ctx context.Context, q store.Querier, cutoff time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM otp_codes WHERE expires_at < $1`, store.At(cutoff)); err != nil {
		return fmt.Errorf("otp: purge: %w", err)
	}
	return nil
}
