// Package audit is the operators' audit log: who did what to which record,
// with the state before and after, written in the same transaction as the
// change so that a committed change always has its row and a rolled-back one
// never does. Rows are never updated or deleted (the migrations' triggers
// refuse it); personal data in the states is masked before it is stored.
package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
)

// ActorType says what kind of principal acted.
type ActorType string

const (
	// ActorOperator is a signed-in operator (admin API or console).
	ActorOperator ActorType = "operator"
	// ActorCLI is someone running the comecomepay command on a server.
	ActorCLI ActorType = "cli"
	// ActorSystem is the service itself acting on an operator's earlier
	// decision (a four-eyes request executed on approval names the approver).
	ActorSystem ActorType = "system"
)

// Actor is who is acting and from where. The edge (admin API middleware,
// CLI) puts it on the context; domain code that writes audited changes reads
// it from there, so an operator action cannot be recorded without one.
type Actor struct {
	Type      ActorType
	ID        int64  // operator id; 0 for the CLI and the system
	Label     string // operator e-mail, "cli", …: staff identity, not user data
	Role      string
	IP        string
	UserAgent string
	RequestID string
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor on ctx.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

type reasonKey struct{}

// WithReason returns ctx carrying the operator's reason for an action whose
// back-office method takes none (the console asks one before a destructive
// action); Record uses it when the entry names no reason of its own.
func WithReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, reasonKey{}, reason)
}

// CLI is the actor of commands run on a server.
func CLI() Actor { return Actor{Type: ActorCLI, Label: "cli", Role: "cli"} }

// ErrNoActor means an audited change was attempted without an actor on the
// context: a programming error, refused rather than recorded anonymously.
var ErrNoActor = errors.New("audit: no actor on the context")

// Entry is one audited action. Before and After are any JSON-encodable
// values (nil when there is no state on that side); keys that carry personal
// data or secrets are masked before storing (mask.go).
type Entry struct {
	Action     string // "withdrawal.approve", "operator.sign_in_failed", …
	TargetType string
	TargetID   string
	Before     any
	After      any
	Reason     string
}

// Deps are the log's collaborators.
type Deps struct {
	DB  *store.DB
	Now func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("audit", deps.Wired{"DB": d.DB != nil, "Now": d.Now != nil})
}

// Log writes and reads the audit log.
type Log struct{ Deps }

// NewLog returns a Log.
func NewLog(d Deps) *Log { return &Log{Deps: d} }

// Record writes e for the actor on ctx inside tx.
func (l *Log) Record(ctx context.Context, tx *sql.Tx, e Entry) error {
	a, ok := ActorFrom(ctx)
	if !ok {
		return fmt.Errorf("audit: record %s: %w", e.Action, ErrNoActor)
	}
	if r, _ := ctx.Value(reasonKey{}).(string); e.Reason == "" && r != "" {
		e.Reason = r
	}
	return l.RecordAs(ctx, tx, a, e)
}

// RecordAs writes e for a, for the few actions whose actor is not yet on the
// context (a failed sign-in names the operator it was tried on).
func (l *Log) RecordAs(ctx context.Context, tx *sql.Tx, a Actor, e Entry) error {
	before, err := maskedJSON(e.Before)
	if err != nil {
		return fmt.Errorf("audit: record %s: before: %w", e.Action, err)
	}
	after, err := maskedJSON(e.After)
	if err != nil {
		return fmt.Errorf("audit: record %s: after: %w", e.Action, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_type, actor_id, actor_label, actor_role, action,
		target_type, target_id, before_state, after_state, reason, ip, user_agent, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		store.At(l.Now()), string(a.Type), a.ID, a.Label, a.Role, e.Action, e.TargetType, e.TargetID,
		before, after, e.Reason, a.IP, text.Truncate(a.UserAgent, 512), a.RequestID)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}
