package backoffice

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// The webhook inbox: stored provider events and their replay.

type eventState struct {
	Provider  string `json:"provider"`
	EventKey  string `json:"event_key"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error,omitempty"`
}

func eventOf(e webhook.Event) eventState {
	return eventState{Provider: e.Provider, EventKey: e.EventKey, State: e.State, Attempts: e.Attempts, LastError: e.LastError}
}

// WebhookEvents lists stored events, newest first.
func (s *Service) WebhookEvents(ctx context.Context, f webhook.Filter, limit, offset int) ([]webhook.Event, int, error) {
	return s.ContentDeps.Inbox.List(ctx, f, limit, offset)
}

// Replay is what a replay did.
type Replay struct {
	Event webhook.Event
	// Failed: the processor failed; its effects were rolled back and the
	// failure is recorded on the event (LastError).
	Failed bool
}

// ReplayWebhookEvent runs a stored event through its processor again
// (processors are idempotent: a processed event changes nothing, an
// unmatched one is applied if it now matches). A processor failure rolls
// its effects back; the attempt and its error are then recorded on the
// event in a transaction of their own, audited like a success, so every
// replay leaves one audit row and the operator reads the error.
func (s *Service) ReplayWebhookEvent(ctx context.Context, id int64) (Replay, error) {
	e := audit.Entry{Action: "webhook.replay", TargetType: "webhook_event", TargetID: fmt.Sprint(id)}
	var out Replay
	err := s.audited(ctx, e, func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.ContentDeps.Inbox.ReplayTx(ctx, tx, id)
		out.Event = after
		return eventOf(before), eventOf(after), err
	})
	if err == nil || errors.Is(err, webhook.ErrEventNotFound) || isAudit(err) {
		return out, err
	}
	cause := err
	e.Reason = "the processor failed; its effects were rolled back"
	err = s.audited(ctx, e, func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.ContentDeps.Inbox.RecordFailureTx(ctx, tx, id, unwrapCause(cause))
		out = Replay{Event: after, Failed: true}
		return eventOf(before), eventOf(after), err
	})
	return out, err
}

// isAudit: a refused audit row (no actor) is the caller's mistake, not the
// processor's.
func isAudit(err error) bool { return errors.Is(err, audit.ErrNoActor) }

// unwrapCause is the processor's error without the back office's own
// wrapping, for the event's last_error.
func unwrapCause(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}
