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
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Deps are the back office's collaborators, grouped by the area of work
// (each group in its own file, with its own wired list).
type Deps struct {
	DB    *store.DB
	Audit *audit.Log
	// Approvals: bound after construction (app.bindCycles), because an
	// approved request executes one of this service's actions.
	Approvals *approval.Service
	Policy    Policy
	Now       func() time.Time
	UserDeps
	MoneyDeps
	CardDeps
	SettingsDeps
	ContentDeps
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	wired := deps.Wired{"DB": d.DB != nil, "Audit": d.Audit != nil, "Approvals": d.Approvals != nil, "Now": d.Now != nil}
	for _, group := range []deps.Wired{d.UserDeps.wired(), d.MoneyDeps.wired(), d.CardDeps.wired(),
		d.SettingsDeps.wired(), d.ContentDeps.wired()} {
		maps.Copy(wired, group)
	}
	return deps.Check("backoffice", wired)
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

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }
