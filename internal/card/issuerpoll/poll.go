package issuerpoll

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// Provider is the inbox provider the events are stored under: the pushed
// issuer events' own, so one processor applies both.
const Provider = "issuer"

// Limits of one poll, so a run stays well inside the job time-out; what is
// left is read by the next run from the stored cursors.
const (
	DefaultInterval = 30 * time.Second
	tradePageSize   = 100
	tradePages      = 10
	taskBatch       = 100
	cardBatch       = 100
	// callTimeout bounds each Source call (the adapter sits outside the
	// issuer guard's per-call limit).
	callTimeout = 15 * time.Second
)

// Cursor names.
const (
	cursorTrades = "trades"
	cursorCards  = "cards" // the last card id compared; wraps to the start
)

// Cards is what the poller reads of our side (card.Service).
type Cards interface {
	TasksAtIssuer(ctx context.Context, limit int) ([]string, error)
	CardsAtIssuer(ctx context.Context, afterID int64, limit int) ([]card.CardAtIssuer, error)
}

// Inbox stores and processes events (webhook.Inbox).
type Inbox interface {
	Receive(ctx context.Context, jobs webhook.Inserter, provider, key string, payload []byte) (id int64, duplicate bool, err error)
	Process(ctx context.Context, eventID int64) error
}

// Deps are the poller's dependencies, all required.
type Deps struct {
	DB     *store.DB
	Source Source
	Cards  Cards
	Inbox  Inbox
	// Jobs queues the inbox's processing job with each stored event.
	Jobs webhook.Inserter
	Log  *slog.Logger
	Now  func() time.Time
}

// Poller reads a Source into the webhook inbox.
type Poller struct{ d Deps }

// New returns a poller; every dependency is required.
func New(d Deps) (*Poller, error) {
	if d.DB == nil || d.Source == nil || d.Cards == nil || d.Inbox == nil || d.Jobs == nil || d.Log == nil || d.Now == nil {
		return nil, errors.New("issuerpoll: every dependency is required")
	}
	return &Poller{d: d}, nil
}

// Poll reads each stream once: issuance tasks, trades from their cursor,
// then the next batch of card states. A stream that fails does not stop the
// others; its cursor stays where it was, so the next run reads it again.
func (p *Poller) Poll(ctx context.Context) error {
	return errors.Join(p.pollTasks(ctx), p.pollTrades(ctx), p.pollCards(ctx))
}

// deliver stores one event in the inbox and applies it at once, so events
// are applied in the order they were read; the queued processing job then
// finds it done. A failure to apply is the inbox's to retry (the job), not
// the poll's: the event is durable. A failure to store stops the stream.
func (p *Poller) deliver(ctx context.Context, ev card.IssuerEvent) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", ev.ID, err)
	}
	id, _, err := p.d.Inbox.Receive(ctx, p.d.Jobs, Provider, ev.ID, body)
	if err != nil {
		return fmt.Errorf("store event %s: %w", ev.ID, err)
	}
	if err := p.d.Inbox.Process(ctx, id); err != nil {
		p.d.Log.WarnContext(ctx, "issuer poll: event stored, processing left to its job", "event_key", ev.ID, "error", err.Error())
	}
	return nil
}

func (p *Poller) deliverAll(ctx context.Context, evs []card.IssuerEvent) error {
	for _, ev := range evs {
		if err := p.deliver(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

func call[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return fn(cctx)
}

// pollTasks asks about every task at the issuer; one unanswered task does
// not hold up the others.
func (p *Poller) pollTasks(ctx context.Context) error {
	refs, err := p.d.Cards.TasksAtIssuer(ctx, taskBatch)
	if err != nil {
		return fmt.Errorf("issuerpoll: tasks: %w", err)
	}
	var errs []error
	for _, ref := range refs {
		t, err := call(ctx, func(c context.Context) (IssuanceTask, error) { return p.d.Source.IssuanceTask(c, ref) })
		if errors.Is(err, ErrUnknownTask) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("issuerpoll: task %s: %w", ref, err))
			continue
		}
		if err := p.deliverAll(ctx, issuanceEvents(ref, t, p.d.Now())); err != nil {
			errs = append(errs, fmt.Errorf("issuerpoll: task %s: %w", ref, err))
		}
	}
	return errors.Join(errs...)
}

// pollTrades reads pages from the stored cursor. The cursor is saved after
// a page's events are stored, not in their transactions: the inbox opens
// its own, and the keys make that safe. A crash in between re-reads the
// page next time, and every event of it is then a duplicate.
func (p *Poller) pollTrades(ctx context.Context) error {
	cursor, err := p.cursor(ctx, cursorTrades)
	if err != nil {
		return err
	}
	for range tradePages {
		page, err := call(ctx, func(c context.Context) (TradePage, error) { return p.d.Source.Trades(c, cursor, tradePageSize) })
		if err != nil {
			return fmt.Errorf("issuerpoll: trades after %q: %w", cursor, err)
		}
		for _, t := range page.Trades {
			if err := p.deliverAll(ctx, tradeEvents(t, p.d.Now())); err != nil {
				return fmt.Errorf("issuerpoll: trade %d: %w", t.TradeID, err)
			}
		}
		if page.Next != "" && page.Next != cursor {
			if err := p.saveCursor(ctx, cursorTrades, page.Next); err != nil {
				return err
			}
			cursor = page.Next
		}
		if !page.More {
			return nil
		}
	}
	return nil
}

// pollCards compares the next batch of open cards with the issuer's view;
// over successive runs it walks every card, then starts again.
func (p *Poller) pollCards(ctx context.Context) error {
	raw, err := p.cursor(ctx, cursorCards)
	if err != nil {
		return err
	}
	after, _ := strconv.ParseInt(raw, 10, 64)
	cards, err := p.d.Cards.CardsAtIssuer(ctx, after, cardBatch)
	if err != nil {
		return fmt.Errorf("issuerpoll: cards: %w", err)
	}
	next := int64(0) // a short batch is the end of the list
	if len(cards) == cardBatch {
		next = cards[len(cards)-1].ID
	}
	if len(cards) > 0 {
		tokens := make([]string, len(cards))
		for i, c := range cards {
			tokens[i] = c.PublicToken
		}
		states, err := call(ctx, func(c context.Context) ([]CardState, error) { return p.d.Source.CardStates(c, tokens) })
		if err != nil {
			return fmt.Errorf("issuerpoll: card states: %w", err)
		}
		byToken := make(map[string]CardState, len(states))
		for _, st := range states {
			byToken[st.PublicToken] = st
		}
		for _, c := range cards {
			st, ok := byToken[c.PublicToken]
			if !ok {
				continue
			}
			if ev, changed := statusEvent(c, st, p.d.Now()); changed {
				if err := p.deliver(ctx, ev); err != nil {
					return fmt.Errorf("issuerpoll: card %d: %w", c.ID, err)
				}
			}
		}
	}
	return p.saveCursor(ctx, cursorCards, strconv.FormatInt(next, 10))
}

// cursor returns a stream's stored cursor ("" before the first save).
func (p *Poller) cursor(ctx context.Context, name string) (string, error) {
	var c string
	err := p.d.DB.SQL.QueryRowContext(ctx, `SELECT cursor FROM issuer_poll_cursors WHERE name = $1`, name).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("issuerpoll: read cursor %s: %w", name, err)
	}
	return c, nil
}

func (p *Poller) saveCursor(ctx context.Context, name, cursor string) error {
	if _, err := p.d.DB.SQL.ExecContext(ctx, `INSERT INTO issuer_poll_cursors (name, cursor, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
		name, cursor, store.At(p.d.Now())); err != nil {
		return fmt.Errorf("issuerpoll: save cursor %s: %w", name, err)
	}
	return nil
}

// Args is the periodic poll job.
type Args struct{}

// Kind implements river.JobArgs.
func (Args) Kind() string { return "card.issuer_poll" }

// InsertOpts keeps one poll at a time across replicas: a run not finished
// when the next period comes makes that insert a no-op (unique while
// available, pending, running, retryable or scheduled). A failed run is not
// retried: the next period reads from the same cursors.
func (Args) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// PeriodicJob is the job to register with the queue (every interval;
// DefaultInterval when zero).
func PeriodicJob(interval time.Duration) *river.PeriodicJob {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return Args{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// Worker runs one poll.
type Worker struct {
	river.WorkerDefaults[Args]
	p *Poller
}

// NewWorker returns the worker for Args.
func NewWorker(p *Poller) *Worker { return &Worker{p: p} }

// Timeout leaves room for a full poll (tasks, ten trade pages, a card
// batch), each call bounded by callTimeout.
func (*Worker) Timeout(*river.Job[Args]) time.Duration { return 5 * time.Minute }

// Work implements river.Worker.
func (w *Worker) Work(ctx context.Context, _ *river.Job[Args]) error {
	if err := w.p.Poll(ctx); err != nil {
		return fmt.Errorf("issuerpoll: %w", err)
	}
	return nil
}
