// Package webhook is the inbox of inbound provider events (API.md §2.11):
// every verified delivery is stored once per (provider, event key) and
// processed by a job, so a provider gets its 2xx as soon as the event is
// durable and a duplicate delivery is acknowledged without a second effect.
package webhook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Event states.
const (
	StateReceived  = "received"
	StateProcessed = "processed"
	StateUnmatched = "unmatched"
	StateIgnored   = "ignored"
)

// Processor applies one provider's events inside the caller's transaction
// and returns the final state (processed, unmatched or ignored). It must be
// idempotent and only move records forward.
type Processor interface {
	Process(ctx context.Context, tx *sql.Tx, payload []byte) (state string, err error)
}

// Inserter inserts jobs in a caller's transaction.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Inbox stores and processes events.
type Inbox struct {
	db         *store.DB
	processors map[string]Processor
	log        *slog.Logger
	now        func() time.Time
}

// NewInbox returns an inbox dispatching to processors by provider name.
func NewInbox(db *store.DB, processors map[string]Processor, log *slog.Logger, now func() time.Time) *Inbox {
	return &Inbox{db: db, processors: processors, log: log, now: now}
}

// ProcessArgs is the job that processes one stored event.
type ProcessArgs struct {
	EventID int64 `json:"event_id"`
}

// Kind implements river.JobArgs.
func (ProcessArgs) Kind() string { return "webhook.process" }

// Receive stores a verified event and queues its processing in the same
// transaction. duplicate reports that the event key was already stored.
func (i *Inbox) Receive(ctx context.Context, jobs Inserter, provider, key string, payload []byte) (id int64, duplicate bool, err error) {
	err = i.db.InTx(ctx, func(tx *sql.Tx) error {
		duplicate = false
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_events (provider, event_key, payload, state, received_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider, event_key) DO NOTHING`,
			provider, key, string(payload), StateReceived, store.At(i.now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			duplicate = true
			return tx.QueryRowContext(ctx, `SELECT id FROM webhook_events WHERE provider = $1 AND event_key = $2`, provider, key).Scan(&id)
		}
		if err := tx.QueryRowContext(ctx, `SELECT id FROM webhook_events WHERE provider = $1 AND event_key = $2`, provider, key).Scan(&id); err != nil {
			return err
		}
		_, err = jobs.InsertTx(ctx, tx, ProcessArgs{EventID: id}, nil)
		return err
	})
	if err != nil {
		return id, duplicate, fmt.Errorf("webhook: receive: %w", err)
	}
	return id, duplicate, nil
}

// Process applies a stored event once. Processing an event that is no longer
// in state received is a no-op, so the job and a synchronous caller (the
// sandbox helpers) may both call it.
func (i *Inbox) Process(ctx context.Context, eventID int64) error {
	err := i.db.InTx(ctx, func(tx *sql.Tx) error {
		var provider, payload, state string
		err := tx.QueryRowContext(ctx, `SELECT provider, payload, state FROM webhook_events WHERE id = $1`+i.db.ForUpdate(), eventID).
			Scan(&provider, &payload, &state)
		if err != nil {
			return store.NotFound(err)
		}
		if state != StateReceived {
			return nil
		}
		p, ok := i.processors[provider]
		if !ok {
			return fmt.Errorf("webhook: no processor for provider %q", provider)
		}
		final, err := p.Process(ctx, tx, []byte(payload))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE webhook_events SET state = $1, processed_at = $2, attempts = attempts + 1, last_error = ''
			WHERE id = $3`, final, store.At(i.now()), eventID)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		// Record the failure for operators; the job retries.
		_, _ = i.db.SQL.ExecContext(ctx, `UPDATE webhook_events SET attempts = attempts + 1, last_error = $1 WHERE id = $2`,
			text.Truncate(err.Error(), 500), eventID)
		i.log.WarnContext(ctx, "webhook processing failed", "event_id", eventID, "error", err)
	}
	if err != nil {
		return fmt.Errorf("webhook: process: %w", err)
	}
	return nil
}

// Worker runs Process for queued events.
type Worker struct {
	river.WorkerDefaults[ProcessArgs]
	inbox *Inbox
}

// NewWorker returns the worker for ProcessArgs.
func NewWorker(inbox *Inbox) *Worker { return &Worker{inbox: inbox} }

// Work implements river.Worker.
func (w *Worker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	if err := w.inbox.Process(ctx, job.Args.EventID); err != nil {
		return fmt.Errorf("webhook: work: %w", err)
	}
	return nil
}
