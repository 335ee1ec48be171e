package card

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Operators' changes of a card's status (API.md §5): a lock is a freeze
// the cardholder cannot lift, made at the issuer first like the
// cardholder's own; an unlock lifts it; a cancellation closes the card at
// the issuer and returns its balance to the wallet as the cardholder's own
// cancellation does. Each is audited in the transaction that records it.

// Auditor writes the audit log (package audit) in a caller's transaction.
type Auditor interface {
	Record(ctx context.Context, tx *sql.Tx, e audit.Entry) error
	RecordAs(ctx context.Context, tx *sql.Tx, a audit.Actor, e audit.Entry) error
}

// OperatorAction is an operator's change of a card's status.
type OperatorAction string

// Operator actions on cards.
const (
	OperatorLock   OperatorAction = "lock"
	OperatorUnlock OperatorAction = "unlock"
	OperatorCancel OperatorAction = "cancel"
)

var actionByTarget = map[Status]OperatorAction{StatusFrozen: OperatorLock, StatusNormal: OperatorUnlock, StatusCancelled: OperatorCancel}

// OperatorState is what the audit log keeps of a card around an
// operator's change: its states and balance, never its number.
type OperatorState struct {
	Status        Status `json:"status"`
	LockedByAdmin bool   `json:"locked_by_admin"`
	BalanceHKD    string `json:"balance_hkd"`
}

func operatorState(c Card) OperatorState {
	return OperatorState{Status: c.Status, LockedByAdmin: c.LockedByAdmin, BalanceHKD: fixed2(c.Balance)}
}

var (
	errChangedMeanwhile = apperr.New(apperr.CodeInvalidState).WithDetails("The card changed meanwhile; read it again and retry")
	errActionUnknown    = errors.New("unknown operator action")
)

// OperatorSetStatus locks, unlocks or cancels card cardID for the operator
// on ctx (audit.WithActor) and returns the card after the change.
//
//   - lock: a normal card is frozen at the issuer first; a card its holder
//     (or the issuer) already froze only gets the lock. Locking a locked
//     card changes nothing.
//   - unlock: a card the lock froze is made active at the issuer; a card
//     that was frozen before the lock stays frozen, the cardholder's to
//     unfreeze. Unlocking a card that is not locked changes nothing.
//   - cancel: the balance is taken off the card and the card closed at the
//     issuer, then the balance is credited to the wallet (API.md §2.6).
//     Cancelling a cancelled card changes nothing, so a retry never refunds
//     twice.
//
// A change that needs nothing of the issuer is recorded at once; the
// others take the same claim as the cardholder's changes, so they never
// overlap one, and an issuer that does not answer leaves the change to the
// recovery job (ISSUER_UNAVAILABLE, "will be completed"), which audits it as
// the system when it finishes it.
func (s *Service) OperatorSetStatus(ctx context.Context, cardID int64, action OperatorAction, reason string) (Card, error) {
	actor, ok := audit.ActorFrom(ctx)
	if !ok {
		return Card{}, fmt.Errorf("card: %s card %d: %w", action, cardID, audit.ErrNoActor)
	}
	c, err := s.byID(ctx, s.DB.SQL, cardID, "")
	if err != nil {
		return Card{}, err // byID names the card
	}
	fail := func(err error) (Card, error) { return Card{}, fmt.Errorf("card: %s card %d: %w", action, cardID, err) }
	by := requester{Source: sourceOperator, Actor: actor.ID, Reason: reason}
	var target Status
	switch {
	case c.Status == StatusCancelled && action == OperatorCancel:
		return s.operatorFlag(ctx, c, action, false, by)
	case c.Status == StatusCancelled:
		return Card{}, ErrCardCancelled.WithDetails("A cancelled card cannot change state")
	case action == OperatorLock && c.Status == StatusFrozen:
		return s.operatorFlag(ctx, c, action, true, by)
	case action == OperatorLock:
		target = StatusFrozen
	case action == OperatorUnlock && (!c.LockedByAdmin || c.StatusUpdatedBy != sourceOperator):
		return s.operatorFlag(ctx, c, action, false, by)
	case action == OperatorUnlock:
		target = StatusNormal
	case action == OperatorCancel:
		target = StatusCancelled
		if _, err := s.Refunds.HKDPerDollar(ctx, true); err != nil {
			return Card{}, errRefundRateMissing
		}
	default:
		return fail(errActionUnknown)
	}
	// From here on the operator may go away: the steps must run to the end.
	ctx = context.WithoutCancel(ctx)
	p, err := s.claimStatus(ctx, c.UserID, c.ID, target, by)
	if err != nil {
		return fail(err)
	}
	if target == StatusCancelled {
		if err := s.ensureReleasable(ctx, p.Token, p.Amount); err != nil {
			if rerr := s.releaseStatus(ctx, p); rerr != nil {
				return fail(rerr)
			}
			return fail(err)
		}
	}
	if release, err := s.issuerStatus(ctx, p); err != nil {
		if release {
			if rerr := s.releaseStatus(ctx, p); rerr != nil {
				return fail(rerr)
			}
		}
		return fail(err)
	}
	if err := s.finishStatus(ctx, p, false); err != nil {
		return fail(err)
	}
	return s.byID(ctx, s.DB.SQL, c.ID, "")
}

// operatorFlag records an operator's action that needs nothing of the
// issuer: the lock flag set or cleared (locked), or nothing at all when the
// card is already as asked. It is audited all the same: the operator acted.
func (s *Service) operatorFlag(ctx context.Context, seen Card, action OperatorAction, locked bool, by requester) (Card, error) {
	var after Card
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		c, err := s.byID(ctx, tx, seen.ID, s.DB.ForUpdate())
		if err != nil {
			return err
		}
		switch {
		case c.PendingStatus != "":
			return ErrStatusInProgress.WithDetails("Another change of this card is in progress; try again shortly")
		case c.Status != seen.Status || c.LockedByAdmin != seen.LockedByAdmin:
			return errChangedMeanwhile
		}
		if action != OperatorCancel && c.LockedByAdmin != locked {
			if _, err := tx.ExecContext(ctx, `UPDATE cards SET locked_by_admin = $1, updated_at = $2 WHERE id = $3`,
				locked, store.At(s.Now()), c.ID); err != nil {
				return fmt.Errorf("set lock of card %d: %w", c.ID, err)
			}
		}
		if after, err = s.byID(ctx, tx, c.ID, ""); err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, operatorEntry(action, c, after, by.Reason))
	})
	if err != nil {
		return Card{}, fmt.Errorf("card: %s card %d: %w", action, seen.ID, err)
	}
	return after, nil
}

func operatorEntry(action OperatorAction, before, after Card, reason string) audit.Entry {
	return audit.Entry{Action: "card." + string(action), TargetType: "card", TargetID: strconv.FormatInt(before.ID, 10),
		Before: operatorState(before), After: operatorState(after), Reason: reason}
}

// recoveryActor is who finishes an operator's change that the recovery job
// completed: the system, acting on the operator's earlier decision.
var recoveryActor = audit.Actor{Type: audit.ActorSystem, Label: "card.status.recover", Role: "system"}

// auditOperatorChange writes the audit row of an operator's change that
// finishStatus recorded in tx; before is the card as it was locked.
func (s *Service) auditOperatorChange(ctx context.Context, tx *sql.Tx, p pendingChange, before Card, recovered bool) error {
	if p.Target == StatusFrozen {
		// The cardholder may have frozen the card while the lock was at the
		// issuer: the lock holds all the same.
		if _, err := tx.ExecContext(ctx, `UPDATE cards SET locked_by_admin = TRUE WHERE id = $1 AND status = $2`,
			p.CardID, StatusFrozen); err != nil {
			return fmt.Errorf("lock card %d: %w", p.CardID, err)
		}
	}
	after, err := s.byID(ctx, tx, p.CardID, "")
	if err != nil {
		return err
	}
	e := operatorEntry(actionByTarget[p.Target], before, after, p.By.Reason)
	if !recovered {
		return s.Audit.Record(ctx, tx, e)
	}
	e.Reason = fmt.Sprintf("%s (requested by operator %d; completed by the recovery job once the issuer confirmed it)", p.By.Reason, p.By.Actor)
	return s.Audit.RecordAs(ctx, tx, recoveryActor, e)
}

// byID returns any user's card by record id (operators' view).
func (s *Service) byID(ctx context.Context, q store.Querier, id int64, suffix string) (Card, error) {
	c, err := scanCard(q.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE id = $1`+suffix, id))
	if errors.Is(err, store.ErrNotFound) {
		return Card{}, ErrCardNotFound.WithDetails("No such card")
	}
	if err != nil {
		return Card{}, fmt.Errorf("card: card #%d: %w", id, err)
	}
	return c, nil
}

// CardFilter narrows the operators' card list; zero values match all.
type CardFilter struct {
	UserID int64
	Status Status
}

// AdminCards lists cards of every user, newest first.
func (s *Service) AdminCards(ctx context.Context, f CardFilter, limit, offset int) ([]Card, int, error) {
	var c store.Conds
	c.Eq("user_id", f.UserID, f.UserID != 0)
	c.Eq("status", f.Status, f.Status != "")
	where, args := c.Where()
	out, total, err := store.Page(ctx, s.DB.SQL, cardColumns, `FROM cards`+where, args, `id DESC`, limit, offset, scanCard)
	if err != nil {
		return nil, 0, fmt.Errorf("card: list cards: %w", err)
	}
	return out, total, nil
}
