package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Thresholds of the queue's health as the metrics report it.
const (
	// StuckAfter is how long a job may wait, due and available, before it
	// counts as stuck: with workers polling every second, a due job waits
	// seconds unless the queue is saturated or no worker runs.
	StuckAfter = 5 * time.Minute
	// LongRunningAfter is how long a job may run before it counts as long
	// running: far past the default time-out (DefaultJobTimeout), so only a
	// worker with a longer time-out of its own (the daily reconciliation)
	// or a job whose process died gets there.
	LongRunningAfter = 10 * time.Minute
	// DiscardedWindow is the window of the jobs River gave up on.
	DiscardedWindow = time.Hour
)

// KindBacklog counts the unfinished jobs of one kind by state, and the
// jobs River gave up on recently.
type KindBacklog struct {
	Kind      string
	Available int // due, waiting for a worker
	Running   int
	Retryable int // failed, waiting for their next attempt
	// Stuck are available jobs due for longer than StuckAfter.
	Stuck int
	// LongRunning are running jobs attempted longer than LongRunningAfter ago.
	LongRunning int
	// Discarded are jobs that ran out of attempts within DiscardedWindow.
	Discarded int
}

// Backlog reads the queue's table for the metrics. River's own clock is
// the wall clock (it does not take the services' clock), so this one is too.
type Backlog struct {
	db  *store.DB
	now func() time.Time
}

// NewBacklog returns the backlog reader of the queue on db.
func NewBacklog(db *store.DB) *Backlog { return &Backlog{db: db, now: time.Now} }

// Counts is the backlog by kind; kinds without unfinished or recently
// discarded jobs are left out. Only unfinished jobs are read (through
// River's (state, queue, priority, scheduled_at, id) index) plus the
// discarded ones of the window (through its (state, finalized_at) index),
// never the completed history.
func (b *Backlog) Counts(ctx context.Context) ([]KindBacklog, error) {
	now := b.now()
	found := map[string]*KindBacklog{}
	get := func(kind string) *KindBacklog {
		k := found[kind]
		if k == nil {
			k = &KindBacklog{Kind: kind}
			found[kind] = k
		}
		return k
	}
	rows, err := b.db.SQL.QueryContext(ctx, `SELECT kind,
			SUM(CASE WHEN state = 'available' THEN 1 ELSE 0 END),
			SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END),
			SUM(CASE WHEN state = 'retryable' THEN 1 ELSE 0 END),
			SUM(CASE WHEN state = 'available' AND `+b.column("scheduled_at")+` < $1 THEN 1 ELSE 0 END),
			SUM(CASE WHEN state = 'running' AND `+b.column("attempted_at")+` < $2 THEN 1 ELSE 0 END)
		FROM river_job WHERE state IN ('available', 'running', 'retryable') GROUP BY kind`,
		b.riverTime(now.Add(-StuckAfter)), b.riverTime(now.Add(-LongRunningAfter)))
	if err != nil {
		return nil, fmt.Errorf("jobs: backlog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k KindBacklog
		if err := rows.Scan(&k.Kind, &k.Available, &k.Running, &k.Retryable, &k.Stuck, &k.LongRunning); err != nil {
			return nil, fmt.Errorf("jobs: backlog: %w", err)
		}
		*get(k.Kind) = k
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: backlog: %w", err)
	}
	rows.Close()
	discarded, err := b.db.SQL.QueryContext(ctx, `SELECT kind, COUNT(*) FROM river_job
		WHERE state = 'discarded' AND `+b.column("finalized_at")+` >= $1 GROUP BY kind`, b.riverTime(now.Add(-DiscardedWindow)))
	if err != nil {
		return nil, fmt.Errorf("jobs: discarded: %w", err)
	}
	defer discarded.Close()
	for discarded.Next() {
		var (
			kind string
			n    int
		)
		if err := discarded.Scan(&kind, &n); err != nil {
			return nil, fmt.Errorf("jobs: discarded: %w", err)
		}
		get(kind).Discarded = n
	}
	if err := discarded.Err(); err != nil {
		return nil, fmt.Errorf("jobs: discarded: %w", err)
	}
	out := make([]KindBacklog, 0, len(found))
	for _, k := range found {
		out = append(out, *k)
	}
	slices.SortFunc(out, func(a, b KindBacklog) int { return strings.Compare(a.Kind, b.Kind) })
	return out, nil
}

// column is a time column of river_job as riverTime's values compare with
// it. On SQLite River writes its own layout, except for a time the caller
// gives (InsertOpts.ScheduledAt), which arrives through JSON as RFC 3339
// ("…T…Z") and would compare as text wrongly; datetime() reads both. On the
// discarded rows that forgoes the (state, finalized_at) index for the time
// part, but the state part still narrows the scan to discarded jobs.
func (b *Backlog) column(name string) string {
	if b.db.Engine == store.Postgres {
		return name
	}
	return "datetime(" + name + ", 'subsec')"
}

// riverTime is t as River stores it: a timestamp on PostgreSQL, and on
// SQLite the text layout River writes (UTC, milliseconds), which compares
// correctly with the stored text only in exactly that layout.
func (b *Backlog) riverTime(t time.Time) any {
	if b.db.Engine == store.Postgres {
		return t
	}
	return t.UTC().Round(time.Millisecond).Format("2006-01-02 15:04:05.000")
}
