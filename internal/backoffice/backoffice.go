// Package backoffice is what operators do to the programme: each action
// composes the owning domains' transactional methods, writes its audit row
// in the same transaction, and sends money-affecting actions above the
// four-eyes threshold to approval instead of executing them. The admin API
// and the console both call it, so an action is the same audited action
// whichever surface it came through. It owns no tables.
package backoffice

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Deps are the back office's collaborators.
type Deps struct {
	DB        *store.DB
	Audit     *audit.Log
	Approvals *approval.Service
	Accounts  *account.Service
	Now       func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("backoffice", deps.Wired{"DB": d.DB != nil, "Audit": d.Audit != nil,
		"Approvals": d.Approvals != nil, "Accounts": d.Accounts != nil, "Now": d.Now != nil})
}

// Service performs operator actions.
type Service struct{ Deps }

// New returns the back office.
func New(d Deps) *Service { return &Service{Deps: d} }

// change is one audited action's work inside its transaction: it returns
// the target's state before and after.
type change func(tx *sql.Tx) (before, after any, err error)

// audited runs fn and writes e, with fn's states, in one transaction.
func (s *Service) audited(ctx context.Context, e audit.Entry, fn change) error {
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		before, after, err := fn(tx)
		if err != nil {
			return err
		}
		e.Before, e.After = before, after
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return fmt.Errorf("backoffice: %s %s %s: %w", e.Action, e.TargetType, e.TargetID, err)
	}
	return nil
}
