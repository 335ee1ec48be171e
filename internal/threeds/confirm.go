package threeds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Confirm applies the cardholder's decision on a BIO challenge (API.md
// §2.7). PROCESSING is committed before the issuer is called, so a crash
// mid-call leaves a visible, non-live record rather than a lost decision;
// the outcome is then SUCCESS/FAILURE, or CONFIRM_FAILED with
// ISSUER_UNAVAILABLE. A repeat of the same decision replays the record; a
// repeat after CONFIRM_FAILED forwards the decision again while the
// challenge is live, because the issuer never received it.
func (s *Service) Confirm(ctx context.Context, userID int64, notificationID string, decision Decision) (Record, error) {
	forward := false
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		forward = false
		r, _, err := scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM threeds_challenges
			WHERE notification_id = $1`+s.DB.ForUpdate(), notificationID))
		if errors.Is(err, store.ErrNotFound) || (err == nil && r.UserID != userID) {
			return ErrNotFound.WithDetails("No such 3DS challenge")
		}
		if err != nil {
			return fmt.Errorf("read challenge: %w", err)
		}
		if r.AuthMethod != MethodBIO {
			return ErrNotConfirmable.WithDetails("Only BIO challenges are confirmed in the app; OTP challenges are answered at checkout")
		}
		if r.ConfirmationStatus != "" {
			if r.ConfirmationStatus != decision {
				return ErrAlreadyConfirmed.WithDetails("The challenge was already answered with " + string(r.ConfirmationStatus))
			}
			stuck, err := s.stuckProcessing(ctx, tx, r)
			if err != nil {
				return fmt.Errorf("stuck check: %w", err)
			}
			if r.ChallengeStatus != StatusConfirmFailed && !stuck {
				return nil // replay
			}
		}
		now := s.Now()
		if r.ChallengeStatus == StatusExpired || !now.Before(r.ChallengeExpiresAt) {
			if r.ChallengeStatus == StatusUnconfirmed {
				if _, err := tx.ExecContext(ctx, `UPDATE threeds_challenges SET challenge_status = $1, updated_at = $2
					WHERE id = $3`, StatusExpired, store.At(now), r.ID); err != nil {
					return fmt.Errorf("expire: %w", err)
				}
				return store.CommitThenFail(ErrExpired.WithDetails("The challenge expired at " + r.ChallengeExpiresAt.Format(time.RFC3339)))
			}
			return ErrExpired.WithDetails("The challenge expired at " + r.ChallengeExpiresAt.Format(time.RFC3339))
		}
		if r.ChallengeStatus != StatusUnconfirmed && r.ChallengeStatus != StatusConfirmFailed && r.ChallengeStatus != StatusProcessing {
			return ErrAlreadyConfirmed.WithDetails("The challenge is " + string(r.ChallengeStatus))
		}
		_, err = tx.ExecContext(ctx, `UPDATE threeds_challenges SET challenge_status = $1, confirmation_status = $2, confirmed_at = $3,
			confirmed_by = $4, issuer_error = '', updated_at = $3 WHERE id = $5`, StatusProcessing, decision, store.At(now), userID, r.ID)
		if err != nil {
			return fmt.Errorf("record decision: %w", err)
		}
		forward = true
		return nil
	})
	if err != nil {
		return Record{}, fmt.Errorf("threeds: confirm challenge %s: %w", notificationID, err)
	}
	if forward {
		// The decision is committed: finish even if the client goes away.
		ctx = context.WithoutCancel(ctx)
		if err := s.forward(ctx, notificationID, decision); err != nil {
			return Record{}, fmt.Errorf("threeds: confirm challenge %s: %w", notificationID, err)
		}
	}
	return s.ByNotificationID(ctx, userID, notificationID)
}

// processingStuckAfter is how long a decision may sit in PROCESSING before
// a repeated confirmation forwards it again (its process died after
// committing it; the issuer takes a decision once per challenge).
const processingStuckAfter = 30 * time.Second

// stuckProcessing reports a decision left in PROCESSING by a dead process.
func (s *Service) stuckProcessing(ctx context.Context, tx *sql.Tx, r Record) (bool, error) {
	if r.ChallengeStatus != StatusProcessing {
		return false, nil
	}
	var updated time.Time
	if err := tx.QueryRowContext(ctx, `SELECT updated_at FROM threeds_challenges WHERE id = $1`, r.ID).Scan(store.TimeInto(&updated)); err != nil {
		return false, err
	}
	return s.Now().Sub(updated) >= processingStuckAfter, nil
}

// forward sends a committed decision to the issuer and records the outcome.
func (s *Service) forward(ctx context.Context, notificationID string, decision Decision) error {
	final, issuerErr := decision.outcome(), ""
	callErr := s.Issuer.Confirm(ctx, notificationID, decision == DecisionApprove)
	if callErr != nil {
		final, issuerErr = StatusConfirmFailed, text.Truncate(callErr.Error(), 300)
	}
	if _, err := s.DB.SQL.ExecContext(ctx, `UPDATE threeds_challenges SET challenge_status = $1, issuer_error = $2, updated_at = $3
		WHERE notification_id = $4 AND challenge_status = $5`, final, issuerErr, store.At(s.Now()), notificationID, StatusProcessing); err != nil {
		return fmt.Errorf("record issuer outcome: %w", err)
	}
	if callErr != nil {
		return card.IssuerFailure(callErr, ErrIssuerUnavailable.WithDetails("The card issuer did not take the decision; try again"))
	}
	return nil
}

// SetPlan changes a card's 3DS plan: the issuer first, our copy only once
// it accepted, so the two never disagree in our favour.
func (s *Service) SetPlan(ctx context.Context, userID int64, publicToken string, plan Plan) (card.Card, error) {
	if err := s.Users.EnsureWritable(ctx, s.DB.SQL, userID); err != nil {
		return card.Card{}, fmt.Errorf("threeds: set plan %s of card %s: %w", plan, publicToken, err)
	}
	c, err := s.Cards.Get(ctx, userID, 0, publicToken)
	if err != nil {
		return card.Card{}, fmt.Errorf("threeds: set plan %s: %w", plan, err)
	}
	if c.Status == card.StatusCancelled {
		return card.Card{}, ErrCardCancelled.WithDetails("The card is cancelled")
	}
	if err := s.Issuer.SetPlan(ctx, c.PublicToken, plan); err != nil {
		return card.Card{}, card.IssuerFailure(err, ErrIssuerUnavailable.WithDetails("The card issuer did not accept the 3DS plan"))
	}
	if err := s.Cards.SetThreeDSPlan(ctx, c.ID, string(plan)); err != nil {
		return card.Card{}, fmt.Errorf("threeds: set plan %s: %w", plan, err)
	}
	c.ThreeDSPlan = string(plan)
	return c, nil
}

// Expire ends live challenges past their expiry and forgets their
// passcodes; it returns how many it ended.
func (s *Service) Expire(ctx context.Context) (int64, error) {
	now := store.At(s.Now())
	res, err := s.DB.SQL.ExecContext(ctx, `UPDATE threeds_challenges SET challenge_status = $1, passcode_sealed = '', updated_at = $2
		WHERE challenge_status IN ($3, $4) AND challenge_expires_at <= $2`, StatusExpired, now, StatusOTPSent, StatusUnconfirmed)
	if err != nil {
		return 0, fmt.Errorf("threeds: expire challenges: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("threeds: expire challenges: %w", err)
	}
	return n, nil
}

// ExpireArgs is the periodic job that expires challenges.
type ExpireArgs struct{}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "threeds.expire" }

// ExpireWorker runs Expire.
type ExpireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	s *Service
}

// NewExpireWorker returns the worker for ExpireArgs.
func NewExpireWorker(s *Service) *ExpireWorker { return &ExpireWorker{s: s} }

// Work implements river.Worker.
func (w *ExpireWorker) Work(ctx context.Context, _ *river.Job[ExpireArgs]) error {
	_, err := w.s.Expire(ctx)
	return err
}
