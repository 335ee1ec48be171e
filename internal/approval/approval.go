// Package approval is four-eyes control: a money-affecting operator action
// above the configured amount becomes a request that a second, different
// operator approves — executing the action once, in the approving
// transaction — or rejects. The requester can never approve their own
// request.
package approval

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Kind names the action a request executes; it is also the audit action
// written when it executes ("withdrawal.approve", "ledger.adjust", …).
type Kind string

// Status is where a request stands.
type Status string

const (
	Pending  Status = "pending"
	Executed Status = "executed"
	Rejected Status = "rejected"
)

// Errors.
var (
	ErrNotFound     = apperr.New("APPROVAL_NOT_FOUND")
	ErrSelfApproval = apperr.New("FOUR_EYES_REQUIRED").WithDetails("a second operator must approve this request")
	ErrNotPending   = apperr.New(apperr.CodeInvalidState).WithDetails("the request is no longer pending")
	ErrOpen         = apperr.New("APPROVAL_PENDING").WithDetails("a request for this action on this record is already waiting for approval")
	errUnknownKind  = errors.New("approval: no executor for the request's kind")
)

// Request is one four-eyes request.
type Request struct {
	ID             int64
	Kind           Kind
	TargetType     string
	TargetID       string
	Amount         money.Amount
	Currency       string
	Payload        json.RawMessage
	Reason         string
	Status         Status
	RequestedBy    int64
	RequestedAt    time.Time
	DecidedBy      int64
	DecidedAt      time.Time
	DecisionReason string
}

// Executor performs a request's action inside the approving transaction and
// returns the target's state before and after, for the audit row.
type Executor func(ctx context.Context, tx *sql.Tx, r Request) (before, after any, err error)

// Deps are the service's collaborators.
type Deps struct {
	DB    *store.DB
	Audit *audit.Log
	// Executors maps every kind that may be requested to what executes it.
	Executors map[Kind]Executor
	Now       func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("approval", deps.Wired{"DB": d.DB != nil, "Audit": d.Audit != nil,
		"Executors": d.Executors != nil, "Now": d.Now != nil})
}

// Service runs four-eyes requests.
type Service struct{ Deps }

// NewService returns a Service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// New is a request to be made.
type New struct {
	Kind       Kind
	TargetType string
	TargetID   string
	Amount     money.Amount
	Currency   string
	Payload    any // the action's parameters, replayed to the executor
	Reason     string
}

func operatorActor(ctx context.Context) (audit.Actor, error) {
	a, ok := audit.ActorFrom(ctx)
	if !ok || a.Type != audit.ActorOperator || a.ID == 0 {
		// Four-eyes needs two identifiable operators; the CLI is not one.
		return audit.Actor{}, apperr.New(apperr.CodeForbidden).WithDetails("four-eyes requests are made and decided by signed-in operators")
	}
	return a, nil
}

// Submit records a pending request, audited as "approval.request".
func (s *Service) Submit(ctx context.Context, n New) (Request, error) {
	actor, err := operatorActor(ctx)
	if err != nil {
		return Request{}, err
	}
	if _, ok := s.Executors[n.Kind]; !ok {
		return Request{}, fmt.Errorf("approval: submit %s: %w", n.Kind, errUnknownKind)
	}
	payload, err := json.Marshal(n.Payload)
	if err != nil {
		return Request{}, fmt.Errorf("approval: submit %s: %w", n.Kind, err)
	}
	r := Request{Kind: n.Kind, TargetType: n.TargetType, TargetID: n.TargetID, Amount: n.Amount, Currency: n.Currency,
		Payload: payload, Reason: n.Reason, Status: Pending, RequestedBy: actor.ID, RequestedAt: s.Now().UTC()}
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO approval_requests (kind, target_type, target_id, amount, currency,
			payload, reason, status, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			string(r.Kind), r.TargetType, r.TargetID, int64(r.Amount), r.Currency, string(payload), r.Reason,
			string(Pending), r.RequestedBy, store.At(r.RequestedAt)).Scan(&r.ID)
		if store.IsUniqueViolation(err) {
			return ErrOpen
		}
		if err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, audit.Entry{Action: "approval.request", TargetType: r.TargetType, TargetID: r.TargetID,
			After: r.auditState(), Reason: r.Reason})
	})
	if err != nil {
		return Request{}, fmt.Errorf("approval: submit %s: %w", n.Kind, err)
	}
	return r, nil
}

func (r Request) auditState() map[string]any {
	return map[string]any{"approval_request_id": r.ID, "kind": r.Kind, "amount": int64(r.Amount), "currency": r.Currency,
		"status": r.Status, "requested_by": r.RequestedBy, "decided_by": r.DecidedBy}
}

// Approve executes a pending request on behalf of a second operator. The
// request row is locked and re-read, so of many concurrent approvals exactly
// one executes; the others find it no longer pending. If the action fails
// the whole transaction rolls back and the request stays pending. The one
// audit row written is the action itself, by the approver, naming the
// request and its requester.
func (s *Service) Approve(ctx context.Context, id int64, note string) (Request, error) {
	actor, err := operatorActor(ctx)
	if err != nil {
		return Request{}, err
	}
	var r Request
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if r, err = s.lockPending(ctx, tx, id, actor); err != nil {
			return err
		}
		execute, ok := s.Executors[r.Kind]
		if !ok {
			return errUnknownKind
		}
		before, after, err := execute(ctx, tx, r)
		if err != nil {
			return err
		}
		r.Status, r.DecidedBy, r.DecidedAt, r.DecisionReason = Executed, actor.ID, s.Now().UTC(), note
		if err := s.decide(ctx, tx, r); err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, audit.Entry{Action: string(r.Kind), TargetType: r.TargetType, TargetID: r.TargetID,
			Before: before, After: after,
			Reason: fmt.Sprintf("%s (four-eyes request %d by operator %d; approved: %s)", r.Reason, r.ID, r.RequestedBy, note)})
	})
	if err != nil {
		return Request{}, fmt.Errorf("approval: approve %d: %w", id, err)
	}
	return r, nil
}

// Reject closes a pending request without executing it. The requester may
// withdraw their own request this way.
func (s *Service) Reject(ctx context.Context, id int64, reason string) (Request, error) {
	actor, err := operatorActor(ctx)
	if err != nil {
		return Request{}, err
	}
	var r Request
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if r, err = s.lockPending(ctx, tx, id, audit.Actor{}); err != nil {
			return err
		}
		before := r.auditState()
		r.Status, r.DecidedBy, r.DecidedAt, r.DecisionReason = Rejected, actor.ID, s.Now().UTC(), reason
		if err := s.decide(ctx, tx, r); err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, audit.Entry{Action: "approval.reject", TargetType: r.TargetType, TargetID: r.TargetID,
			Before: before, After: r.auditState(), Reason: reason})
	})
	if err != nil {
		return Request{}, fmt.Errorf("approval: reject %d: %w", id, err)
	}
	return r, nil
}

// lockPending returns the request locked for the decision; approver, when
// set, must not be its requester.
func (s *Service) lockPending(ctx context.Context, tx *sql.Tx, id int64, approver audit.Actor) (Request, error) {
	r, err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM approval_requests WHERE id = $1`+s.DB.ForUpdate(), id))
	if err != nil {
		return Request{}, err
	}
	if r.Status != Pending {
		return Request{}, ErrNotPending
	}
	if approver.ID != 0 && approver.ID == r.RequestedBy {
		return Request{}, ErrSelfApproval
	}
	return r, nil
}

func (s *Service) decide(ctx context.Context, tx *sql.Tx, r Request) error {
	res, err := tx.ExecContext(ctx, `UPDATE approval_requests SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4
		WHERE id = $5 AND status = $6`, string(r.Status), r.DecidedBy, store.At(r.DecidedAt), r.DecisionReason, r.ID, string(Pending))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotPending
	}
	return nil
}
