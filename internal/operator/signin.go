package operator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/platform/passhash"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Credentials are what an operator signs in with.
type Credentials struct {
	Email    string
	Password string
	TOTPCode string
}

// SignInResult is a new session, or, for an operator who has not yet
// confirmed TOTP and sent no code, the enrolment to scan first.
type SignInResult struct {
	Session   IssuedSession
	Operator  Operator
	Enrolment string // otpauth:// URI; set only when no session was opened
}

type signInRow struct {
	op         Operator
	hash       string
	sealedTOTP string
	lastStep   int64
	failures   int
}

// SignIn checks password and TOTP and opens a session. Every outcome is
// audited: success, failure (wrong password, wrong or replayed code, unknown
// e-mail, disabled operator) and the lock that repeated failures cause.
// Failures all answer INVALID_CREDENTIALS so the answer tells nothing about
// which factor was wrong. client carries the caller's IP, user agent and
// request id.
func (s *Service) SignIn(ctx context.Context, c Credentials, client audit.Actor) (SignInResult, error) {
	email, _ := NormalizeEmail(c.Email)
	now := s.Now()
	var res SignInResult
	var failure error
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		failure = nil
		row, err := s.signInRow(ctx, tx, email)
		if errors.Is(err, ErrNotFound) {
			passhash.Verify(s.dummyHash, c.Password)
			failure = ErrInvalidCredentials
			client.Type, client.Label = audit.ActorOperator, "unknown"
			return s.Audit.RecordAs(ctx, tx, client, audit.Entry{Action: "operator.sign_in_failed",
				TargetType: "operator", Reason: "unknown e-mail"})
		}
		if err != nil {
			return err
		}
		actor := client
		actor.Type, actor.ID, actor.Label, actor.Role = audit.ActorOperator, row.op.ID, row.op.Email, string(row.op.Role)
		target := fmt.Sprint(row.op.ID)
		if now.Before(row.op.LockedUntil) {
			failure = ErrLocked.WithRetryAfter(row.op.LockedUntil.Sub(now))
			return s.Audit.RecordAs(ctx, tx, actor, audit.Entry{Action: "operator.sign_in_failed",
				TargetType: "operator", TargetID: target, Reason: "locked"})
		}
		passwordOK := passhash.Verify(row.hash, c.Password)
		if passwordOK && row.op.Status == Active && !row.op.TOTPEnrolled && c.TOTPCode == "" {
			key, err := s.openKey(row.sealedTOTP)
			if err != nil {
				return err
			}
			res.Enrolment = key.URL()
			return s.Audit.RecordAs(ctx, tx, actor, audit.Entry{Action: "operator.totp_enrolment_shown",
				TargetType: "operator", TargetID: target})
		}
		step, why := int64(0), ""
		switch {
		case !passwordOK:
			why = "wrong password"
		case row.op.Status != Active:
			why = "operator disabled"
		default:
			key, err := s.openKey(row.sealedTOTP)
			if err != nil {
				return err
			}
			step = totpStep(key.Secret(), c.TOTPCode, now)
			if step == 0 {
				why = "wrong TOTP code"
			} else if step <= row.lastStep {
				why = "TOTP code already used"
			}
		}
		if why != "" {
			failure = ErrInvalidCredentials
			return s.recordFailure(ctx, tx, row, actor, why, now)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE operators SET totp_last_step = $1, failed_sign_ins = 0, locked_until = 0,
			totp_confirmed_at = CASE WHEN totp_confirmed_at = 0 THEN $2 ELSE totp_confirmed_at END WHERE id = $3`,
			step, store.At(now), row.op.ID); err != nil {
			return err
		}
		row.op.TOTPEnrolled, row.op.LockedUntil = true, time.Time{}
		res.Operator = row.op
		if res.Session, err = s.openSession(ctx, tx, row.op.ID, client, now); err != nil {
			return err
		}
		return s.Audit.RecordAs(ctx, tx, actor, audit.Entry{Action: "operator.sign_in", TargetType: "operator_session",
			TargetID: res.Session.ID})
	})
	if err != nil {
		return SignInResult{}, fmt.Errorf("operator: sign in: %w", err)
	}
	if failure != nil {
		return SignInResult{}, failure
	}
	return res, nil
}

func (s *Service) signInRow(ctx context.Context, tx *sql.Tx, email string) (signInRow, error) {
	var r signInRow
	var role, status string
	var confirmed time.Time
	err := tx.QueryRowContext(ctx, `SELECT id, email, display_name, role, status, totp_confirmed_at, locked_until,
		created_at, updated_at, password_hash, totp_secret, totp_last_step, failed_sign_ins
		FROM operators WHERE email = $1`+s.DB.ForUpdate(), email).
		Scan(&r.op.ID, &r.op.Email, &r.op.DisplayName, &role, &status, store.TimeInto(&confirmed),
			store.TimeInto(&r.op.LockedUntil), store.TimeInto(&r.op.CreatedAt), store.TimeInto(&r.op.UpdatedAt),
			&r.hash, &r.sealedTOTP, &r.lastStep, &r.failures)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	r.op.Role, r.op.Status, r.op.TOTPEnrolled = Role(role), Status(status), !confirmed.IsZero()
	return r, err
}

// recordFailure counts a failed sign-in and locks the operator after
// Policy.MaxFailures in a row.
func (s *Service) recordFailure(ctx context.Context, tx *sql.Tx, row signInRow, actor audit.Actor, why string, now time.Time) error {
	failures, lockedUntil := row.failures+1, time.Time{}
	if failures >= s.Policy.MaxFailures {
		failures, lockedUntil = 0, now.Add(s.Policy.LockFor)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE operators SET failed_sign_ins = $1, locked_until = $2 WHERE id = $3`,
		failures, store.At(lockedUntil), row.op.ID); err != nil {
		return err
	}
	target := fmt.Sprint(row.op.ID)
	if err := s.Audit.RecordAs(ctx, tx, actor, audit.Entry{Action: "operator.sign_in_failed", TargetType: "operator",
		TargetID: target, Reason: why}); err != nil {
		return err
	}
	if lockedUntil.IsZero() {
		return nil
	}
	return s.Audit.RecordAs(ctx, tx, actor, audit.Entry{Action: "operator.locked", TargetType: "operator", TargetID: target,
		After: map[string]any{"locked_until": lockedUntil.UTC()}, Reason: fmt.Sprintf("%d failed sign-ins", s.Policy.MaxFailures)})
}
