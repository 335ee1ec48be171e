package webhook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
)

// The inbox as operators see it: stored events with their processing
// state, and a replay that runs a stored event through its processor again.

// StateFailed is no stored state: it names received events whose last
// processing attempt failed (the list's filter and the views use it).
const StateFailed = "failed"

// ErrEventNotFound is an unknown event id.
var ErrEventNotFound = apperr.New(apperr.CodeNotFound).WithDetails("No webhook event has this id")

// Event is a stored delivery without its payload: payloads carry what the
// providers send (3DS passcodes, KYC identity data, addresses), which the
// inbox keeps for its processors and shows to nobody.
type Event struct {
	ID            int64
	Provider      string
	EventKey      string
	State         string
	Attempts      int
	LastError     string
	PayloadLength int // characters
	ReceivedAt    time.Time
	ProcessedAt   *time.Time
}

// Status is the state an operator reads: failed for a received event
// whose last attempt failed, else the stored state.
func (e Event) Status() string {
	if e.State == StateReceived && e.LastError != "" {
		return StateFailed
	}
	return e.State
}

// Filter narrows the list; "" matches all.
type Filter struct {
	Provider string
	Status   string // a stored state, or StateFailed
}

// Statuses are the values Filter.Status accepts.
func Statuses() []string {
	return []string{StateReceived, StateProcessed, StateUnmatched, StateIgnored, StateFailed}
}

const eventColumns = `id, provider, event_key, state, attempts, last_error, LENGTH(payload), received_at, processed_at`

func scanEvent(row interface{ Scan(...any) error }) (Event, error) {
	var (
		e         Event
		processed time.Time
	)
	if err := row.Scan(&e.ID, &e.Provider, &e.EventKey, &e.State, &e.Attempts, &e.LastError, &e.PayloadLength,
		store.TimeInto(&e.ReceivedAt), store.TimeInto(&processed)); err != nil {
		return Event{}, store.NotFound(err)
	}
	if !processed.IsZero() {
		e.ProcessedAt = &processed
	}
	return e, nil
}

// List is one page of stored events, newest first, and how many match.
func (i *Inbox) List(ctx context.Context, f Filter, limit, offset int) ([]Event, int, error) {
	where, args := `1 = 1`, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where += fmt.Sprintf(` AND `+cond, len(args))
	}
	if f.Provider != "" {
		add(`provider = $%d`, f.Provider)
	}
	switch f.Status {
	case "":
	case StateFailed:
		add(`state = $%d AND last_error <> ''`, StateReceived)
	case StateReceived:
		add(`state = $%d AND last_error = ''`, StateReceived)
	default:
		add(`state = $%d`, f.Status)
	}
	var total int
	if err := i.db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_events WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("webhook: count events: %w", err)
	}
	rows, err := i.db.SQL.QueryContext(ctx, fmt.Sprintf(`SELECT `+eventColumns+` FROM webhook_events WHERE `+where+
		` ORDER BY id DESC LIMIT $%d OFFSET $%d`, len(args)+1, len(args)+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("webhook: list events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("webhook: list events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("webhook: list events: %w", err)
	}
	return out, total, nil
}

func (i *Inbox) event(ctx context.Context, q store.Querier, id int64, lock bool) (Event, string, error) {
	suffix := ""
	if lock {
		suffix = i.db.ForUpdate()
	}
	var payload string
	var e Event
	var processed time.Time
	err := q.QueryRowContext(ctx, `SELECT `+eventColumns+`, payload FROM webhook_events WHERE id = $1`+suffix, id).Scan(
		&e.ID, &e.Provider, &e.EventKey, &e.State, &e.Attempts, &e.LastError, &e.PayloadLength,
		store.TimeInto(&e.ReceivedAt), store.TimeInto(&processed), &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, "", ErrEventNotFound
	}
	if err != nil {
		return Event{}, "", fmt.Errorf("webhook: read event %d: %w", id, err)
	}
	if !processed.IsZero() {
		e.ProcessedAt = &processed
	}
	return e, payload, nil
}

// ReplayTx runs a stored event through its provider's processor again, in
// the caller's transaction, whatever its state: processors are idempotent
// and only move records forward, so replaying a processed event changes
// nothing, and replaying an unmatched one applies it if what it needed now
// exists (a deposit address assigned since). It returns the event before
// and after. A processor failure is returned as it is and the caller's
// transaction must roll back (RecordFailureTx then notes it).
func (i *Inbox) ReplayTx(ctx context.Context, tx *sql.Tx, id int64) (before, after Event, err error) {
	before, payload, err := i.event(ctx, tx, id, true)
	if err != nil {
		return Event{}, Event{}, err
	}
	p, ok := i.processors[before.Provider]
	if !ok {
		return Event{}, Event{}, fmt.Errorf("webhook: no processor for provider %q", before.Provider)
	}
	final, err := p.Process(ctx, tx, []byte(payload))
	if err != nil {
		return Event{}, Event{}, fmt.Errorf("webhook: replay event %d: %w", id, err)
	}
	now := i.now()
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_events SET state = $1, processed_at = $2, attempts = attempts + 1, last_error = ''
		WHERE id = $3`, final, store.At(now), id); err != nil {
		return Event{}, Event{}, fmt.Errorf("webhook: replay event %d: %w", id, err)
	}
	after = before
	after.State, after.Attempts, after.LastError, after.ProcessedAt = final, before.Attempts+1, "", &now
	return before, after, nil
}

// RecordFailureTx notes a failed replay on the event (one more attempt,
// its error) in the caller's transaction, after the replay's own
// transaction rolled back; the state stays as it was.
func (i *Inbox) RecordFailureTx(ctx context.Context, tx *sql.Tx, id int64, cause error) (before, after Event, err error) {
	before, _, err = i.event(ctx, tx, id, true)
	if err != nil {
		return Event{}, Event{}, err
	}
	msg := text.Truncate(cause.Error(), 500)
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_events SET attempts = attempts + 1, last_error = $1 WHERE id = $2`, msg, id); err != nil {
		return Event{}, Event{}, fmt.Errorf("webhook: record failure of event %d: %w", id, err)
	}
	after = before
	after.Attempts, after.LastError = before.Attempts+1, msg
	return before, after, nil
}
