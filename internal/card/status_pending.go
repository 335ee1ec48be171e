package card

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
)

// ErrStatusInProgress refuses a status change while another one of the same
// card is at the issuer.
var ErrStatusInProgress = apperr.New("INVALID_STATE")

// pendingStatusStale is when a claimed change counts as abandoned by a dead
// process; the recovery job finishes it first.
const pendingStatusStale = 2 * time.Minute

// PendingSwaps tells whether a card has swaps whose card leg is unresolved
// (cancelling then would strand their money).
type PendingSwaps interface {
	PendingOnCard(ctx context.Context, q store.Querier, cardID int64) (int, error)
}

// pendingChange is a claimed status change.
type pendingChange struct {
	CardID, UserID int64
	Token          string
	Target         Status
	Ref            string       // issuer reference of the balance withdrawal (cancel)
	Amount         money.Amount // balance taken off the card at the issuer (cancel)
	By             requester
}

// Who changes a card's status (card_status_changes.source).
const (
	sourceUser     = "user"
	sourceOperator = "operator"
	sourceIssuer   = "issuer"
)

// requester is who asked for a status change: the cardholder, or an
// operator (Actor is then the operator's id, 0 for the command line).
type requester struct {
	Source string
	Actor  int64
	Reason string
}

func cardholder(userID int64) requester {
	return requester{Source: sourceUser, Actor: userID, Reason: "cardholder request"}
}

// claimStatus records the change before the issuer is called: it refuses a
// second change of the same card in flight, a cancellation while swaps are
// unresolved, and queues the recovery job that finishes the change if this
// process dies.
func (s *Service) claimStatus(ctx context.Context, userID, cardID int64, target Status, by requester) (pendingChange, error) {
	var p pendingChange
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		c, err := s.ForUpdate(ctx, tx, userID, cardID, "")
		if err != nil {
			return fmt.Errorf("lock card: %w", err)
		}
		var (
			pendingAt     time.Time
			pendingAmount int64
		)
		if err := tx.QueryRowContext(ctx, `SELECT pending_at, pending_amount FROM cards WHERE id = $1`, cardID).
			Scan(store.TimeInto(&pendingAt), &pendingAmount); err != nil {
			return fmt.Errorf("read pending change: %w", err)
		}
		// A claim may be taken over once abandoned — unless money may have
		// left the card for it: that one only the recovery job finishes.
		if c.PendingStatus != "" && (pendingAmount > 0 || s.Now().Sub(pendingAt) < pendingStatusStale) {
			return ErrStatusInProgress.WithDetails("Another change of this card is in progress; try again shortly")
		}
		if c.Status == StatusCancelled {
			return ErrCardCancelled.WithDetails("A cancelled card cannot change state")
		}
		// Re-read under the lock: an operator may have locked the card since
		// the cardholder's request was checked.
		if by.Source == sourceUser && c.LockedByAdmin && target != StatusFrozen {
			return errLockedByAdmin
		}
		p = pendingChange{CardID: c.ID, UserID: userID, Token: c.PublicToken, Target: target, By: by,
			Ref: "status-" + strconv.FormatInt(c.ID, 10) + "-" + secret.Hex(8)}
		if target == StatusCancelled {
			n, err := s.Swaps.PendingOnCard(ctx, tx, c.ID)
			if err != nil {
				return fmt.Errorf("pending swaps: %w", err)
			}
			if n > 0 {
				return ErrStatusInProgress.WithDetails("A top-up or withdrawal of this card is still being settled; try again shortly")
			}
			if p.Amount, err = s.Balance(ctx, tx, c); err != nil {
				return fmt.Errorf("balance: %w", err)
			}
			p.Ref = "cancel-" + strconv.FormatInt(c.ID, 10) + "-" + secret.Hex(8)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cards SET pending_status = $1, pending_ref = $2, pending_amount = $3, pending_actor = $4,
			pending_at = $5, pending_source = $6, pending_reason = $7 WHERE id = $8`, target, p.Ref, int64(p.Amount), by.Actor,
			store.At(s.Now()), by.Source, text.Truncate(by.Reason, 200), c.ID); err != nil {
			return fmt.Errorf("record claim %s: %w", p.Ref, err)
		}
		if _, err := s.Jobs.InsertTx(ctx, tx, StatusRecoverArgs{CardID: c.ID},
			&river.InsertOpts{ScheduledAt: time.Now().Add(pendingStatusStale)}); err != nil {
			return fmt.Errorf("queue recovery of claim %s: %w", p.Ref, err)
		}
		return nil
	})
	if err != nil {
		return pendingChange{}, fmt.Errorf("claim: %w", err)
	}
	return p, nil
}

// issuerCallTimeout bounds each issuer call of a status change, well inside
// the time after which a claim counts as abandoned.
const issuerCallTimeout = 30 * time.Second

// errStatusUnresolved answers a change whose outcome at the issuer is not
// known yet; the claim stays and the recovery job finishes it.
var errStatusUnresolved = ErrIssuerUnavailable.WithDetails("The card issuer did not confirm the change; it will be completed automatically").
	AsInterim()

// issuerStatus tells the issuer: a cancellation first takes the balance
// off the card (once per reference) and only once the issuer confirmed the
// withdrawal sends the close, because the close (99) zeroes whatever is
// still on the card at the processor and cannot be undone. The confirmed
// withdrawal is recorded on the claim, so from then on only the close is
// retried. A close the issuer refuses puts the balance back; a close that
// got no answer keeps the claim for the recovery job (restoring then could
// load money onto a card the issuer did close). release reports that
// nothing is left outstanding at the issuer, so the claim may be dropped;
// otherwise the claim stays for the recovery job.
func (s *Service) issuerStatus(ctx context.Context, p pendingChange) (release bool, err error) {
	call := func(fn func(ctx context.Context) error) error {
		cctx, cancel := context.WithTimeout(ctx, issuerCallTimeout)
		defer cancel()
		return fn(cctx)
	}
	withdraws := p.Target == StatusCancelled && p.Amount > 0
	if withdraws {
		if err := call(func(c context.Context) error { return s.StatusIssuer.Withdraw(c, p.Token, p.Amount, p.Ref) }); err != nil {
			if errors.Is(err, ErrIssuerDown) {
				return true, err // the first call under a fresh reference never left
			}
			// The withdrawal may have happened: the issuer says, and cancels
			// the reference if it did not.
			var applied bool
			if verr := call(func(c context.Context) (e error) { applied, e = s.StatusIssuer.Void(c, p.Ref); return }); verr != nil {
				return false, errStatusUnresolved
			}
			if !applied {
				// Refused for good: say why when the issuer holds part of
				// the balance (an authorisation arrived since the check).
				if err := s.ensureReleasable(ctx, p.Token, p.Amount); err != nil {
					return true, err
				}
				return true, ErrIssuerUnavailable.WithDetails("The card issuer did not return the balance; nothing changed")
			}
		}
		if err := s.markWithdrawn(ctx, p); err != nil {
			return false, err
		}
	}
	if err := call(func(c context.Context) error { return s.StatusIssuer.SetStatus(c, p.Token, StatusCode(p.Target)) }); err != nil {
		if !refused(ctx, err) && (withdraws || errors.Is(err, ErrIssuerNoAnswer)) {
			// The issuer may have made the change: releasing the claim
			// would leave it and us disagreeing. The recovery job makes the
			// change again (it is idempotent) and records it.
			return false, errStatusUnresolved
		}
		if withdraws {
			if rerr := s.restoreBalance(ctx, p); rerr != nil {
				return false, errStatusUnresolved
			}
		}
		return true, IssuerFailure(err, ErrIssuerUnavailable.WithDetails("The card issuer did not accept the change; nothing changed"))
	}
	return false, nil
}

// markWithdrawn records on the claim that the issuer confirmed its
// balance withdrawal.
func (s *Service) markWithdrawn(ctx context.Context, p pendingChange) error {
	if _, err := s.DB.SQL.ExecContext(ctx, `UPDATE cards SET pending_withdrawn = TRUE WHERE id = $1 AND pending_ref = $2`,
		p.CardID, p.Ref); err != nil {
		return fmt.Errorf("record withdrawal %s: %w", p.Ref, err)
	}
	return nil
}

// restoreBalance puts a withdrawn balance back on a card whose close the
// issuer refused, once per claim.
func (s *Service) restoreBalance(ctx context.Context, p pendingChange) error {
	cctx, cancel := context.WithTimeout(ctx, issuerCallTimeout)
	defer cancel()
	return s.StatusIssuer.Recharge(cctx, p.Token, p.Amount, p.Ref+"-restore")
}

// releaseStatus drops this claim (and no other).
func (s *Service) releaseStatus(ctx context.Context, p pendingChange) error {
	if _, err := s.DB.SQL.ExecContext(ctx, `UPDATE cards SET pending_status = '', pending_ref = '', pending_amount = 0, pending_at = 0,
		pending_source = '', pending_reason = '', pending_withdrawn = FALSE WHERE id = $1 AND pending_ref = $2`, p.CardID, p.Ref); err != nil {
		return fmt.Errorf("release claim %s: %w", p.Ref, err)
	}
	return nil
}

// finishStatus records a change the issuer made and, for a cancellation,
// returns the card's balance to the wallet. An operator's change is audited
// in the same transaction: as the operator on ctx when their request
// finishes it, as the system when the recovery job does (recovered).
func (s *Service) finishStatus(ctx context.Context, p pendingChange, recovered bool) error {
	var rate money.Rate
	if p.Target == StatusCancelled {
		var err error
		if rate, err = s.Refunds.HKDPerDollar(ctx, true); err != nil {
			return errRefundRateMissing
		}
	}
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.ForUpdate(ctx, tx, p.UserID, p.CardID, "")
		if err != nil {
			return fmt.Errorf("lock card: %w", err)
		}
		var ref string
		if err := tx.QueryRowContext(ctx, `SELECT pending_ref FROM cards WHERE id = $1`, p.CardID).Scan(&ref); err != nil {
			return fmt.Errorf("read claim: %w", err)
		}
		if ref != p.Ref {
			return nil // finished already (by the request or the recovery job)
		}
		if cur.Status != p.Target && cur.Status != StatusCancelled {
			if err := s.changeStatus(ctx, tx, cur, p.Target, p.By.Source, p.By.Actor, p.By.Reason); err != nil {
				return err
			}
		}
		if p.Target == StatusCancelled || cur.Status == StatusCancelled {
			if err := s.refundBalance(ctx, tx, cur, rate); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cards SET pending_status = '', pending_ref = '', pending_amount = 0, pending_at = 0,
			pending_source = '', pending_reason = '', pending_withdrawn = FALSE WHERE id = $1 AND pending_ref = $2`, p.CardID, p.Ref); err != nil {
			return fmt.Errorf("clear claim: %w", err)
		}
		if p.By.Source != sourceOperator {
			return nil
		}
		return s.auditOperatorChange(ctx, tx, p, cur, recovered)
	})
	if err != nil {
		return fmt.Errorf("finish claim %s: %w", p.Ref, err)
	}
	return nil
}

// StatusRecoverArgs is the job that finishes a status change a dead process
// left claimed.
type StatusRecoverArgs struct {
	CardID int64 `json:"card_id"`
}

// Kind implements river.JobArgs.
func (StatusRecoverArgs) Kind() string { return "card.status.recover" }

// InsertOpts retries an unreachable issuer with River's backoff.
func (StatusRecoverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

// StatusRecoverWorker repeats the issuer steps of an abandoned change (the
// withdrawal is idempotent by reference, the status change by nature) and
// records it.
type StatusRecoverWorker struct {
	river.WorkerDefaults[StatusRecoverArgs]
	s *Service
}

// NewStatusRecoverWorker returns the worker for StatusRecoverArgs.
func NewStatusRecoverWorker(s *Service) *StatusRecoverWorker { return &StatusRecoverWorker{s: s} }

// Work implements river.Worker.
func (w *StatusRecoverWorker) Work(ctx context.Context, job *river.Job[StatusRecoverArgs]) error {
	var (
		p         pendingChange
		amount    int64
		pendingAt time.Time
		withdrawn bool
		status    Status
	)
	err := w.s.DB.SQL.QueryRowContext(ctx, `SELECT id, user_id, public_token, status, pending_status, pending_ref, pending_amount, pending_at,
		pending_source, pending_actor, pending_reason, pending_withdrawn FROM cards WHERE id = $1`, job.Args.CardID).Scan(&p.CardID, &p.UserID,
		&p.Token, &status, &p.Target, &p.Ref, &amount, store.TimeInto(&pendingAt), &p.By.Source, &p.By.Actor, &p.By.Reason, &withdrawn)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && p.Target == "") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("card: recover status change of card %d: read claim: %w", job.Args.CardID, err)
	}
	if p.By.Source == "" { // claimed before claims named their requester
		p.By = cardholder(p.UserID)
	}
	if age := w.s.Now().Sub(pendingAt); age < pendingStatusStale {
		return river.JobSnooze(pendingStatusStale - age)
	}
	p.Amount = money.Amount(amount)
	fail := func(step string, err error) error {
		return fmt.Errorf("card: recover status change of card %d: %s: %w", p.CardID, step, err)
	}
	if status == StatusCancelled {
		// The issuer closed the card meanwhile and we recorded it (its
		// balance swept to the wallet): only the claim is left to clear.
		if err := w.s.finishStatus(ctx, p, true); err != nil {
			return fail("finish", err)
		}
		return nil
	}
	code := StatusCode(p.Target)
	withdraws := p.Target == StatusCancelled && p.Amount > 0
	if withdraws && !withdrawn {
		if err := w.s.StatusIssuer.Withdraw(ctx, p.Token, p.Amount, p.Ref); err != nil {
			if !refused(ctx, err) {
				return WaitIfDown(fail("withdraw "+p.Ref, err))
			}
			// A refusal may follow an earlier attempt that did apply: the
			// issuer says, and cancels the reference if not.
			applied, verr := w.s.StatusIssuer.Void(ctx, p.Ref)
			if verr != nil {
				return WaitIfDown(fail("void "+p.Ref, verr))
			}
			if !applied {
				// Nothing left the card and nothing was closed: the card
				// keeps its state (the requester saw a 502 already).
				w.s.Log.WarnContext(ctx, "card cancellation's withdrawal refused by the issuer; claim released", "card_id", p.CardID,
					"source", p.By.Source, "error", err.Error())
				if rerr := w.s.releaseStatus(ctx, p); rerr != nil {
					return fail("release", rerr)
				}
				return nil
			}
		}
		if err := w.s.markWithdrawn(ctx, p); err != nil {
			return fail("withdrawn", err)
		}
	}
	if err := w.s.StatusIssuer.SetStatus(ctx, p.Token, code); err != nil {
		// The money is off the card: this change must end, so it is never
		// given up after a number of attempts (the open item of the 20
		// attempts). Snoozing keeps the attempts; the wait grows with the
		// claim's age, up to an hour, and each try is logged for operators.
		keepTrying := func(step string, err error) error {
			w.s.Log.ErrorContext(ctx, "card cancellation with its balance withdrawn not finished; retrying", "card_id", p.CardID,
				"step", step, "error", err.Error())
			return river.JobSnooze(min(max(w.s.Now().Sub(pendingAt)/4, 30*time.Second), time.Hour))
		}
		if !refused(ctx, err) {
			if withdraws {
				return keepTrying("close", err)
			}
			return WaitIfDown(fail("set status "+string(code), err))
		}
		// The issuer answered no: retrying cannot change that. A
		// cancellation's balance goes back on the card first; then the
		// claim is dropped and the card keeps its state.
		if withdraws {
			if rerr := w.s.restoreBalance(ctx, p); rerr != nil {
				return keepTrying("restore", rerr)
			}
		}
		w.s.Log.WarnContext(ctx, "card status change refused by the issuer; claim released", "card_id", p.CardID,
			"target", p.Target, "source", p.By.Source, "error", err.Error())
		if rerr := w.s.releaseStatus(ctx, p); rerr != nil {
			return fail("release", rerr)
		}
		return nil
	}
	if err := w.s.finishStatus(ctx, p, true); err != nil {
		return fail("finish", err)
	}
	return nil
}

// refused tells an issuer's answer "no" from an outage or our own shutdown.
func refused(ctx context.Context, err error) bool {
	return ctx.Err() == nil && !errors.Is(err, ErrIssuerNoAnswer) && !errors.Is(err, ErrIssuerDown)
}
