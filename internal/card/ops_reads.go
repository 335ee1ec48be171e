package card

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Reads for the operations dashboards (internal/metrics): each touches only
// open tasks, a recent window or the latest run, through an index, so it
// costs the same with a million cards as with ten.

// ReconcileIssuerCards is the kind of the reconciliation of card balances
// at the issuer against the ledger.
const ReconcileIssuerCards = "issuer_cards"

// TaskBacklog is how many issuance tasks wait in one open status and since
// when the oldest of them waits (zero when none).
type TaskBacklog struct {
	Status TaskStatus
	Count  int
	Oldest time.Time
}

// OpenTasks is the issuance backlog (pending and processing), each status
// reported even when empty.
func (s *Service) OpenTasks(ctx context.Context) ([]TaskBacklog, error) {
	// Literal statuses: the planner sees them and takes the (status, id) index.
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT status, COUNT(*), MIN(created_at) FROM card_tasks
		WHERE status IN ('pending', 'processing') GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("card: open tasks: %w", err)
	}
	defer rows.Close()
	found := map[TaskStatus]TaskBacklog{}
	for rows.Next() {
		var b TaskBacklog
		if err := rows.Scan(&b.Status, &b.Count, store.TimeInto(&b.Oldest)); err != nil {
			return nil, fmt.Errorf("card: open tasks: %w", err)
		}
		found[b.Status] = b
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("card: open tasks: %w", err)
	}
	out := []TaskBacklog{{Status: TaskPending}, {Status: TaskProcessing}}
	for i, b := range out {
		if f, ok := found[b.Status]; ok {
			out[i] = f
		}
	}
	return out, nil
}

// FinishedTasks summarises the issuance tasks of one kind (physical or
// virtual) that ended in one status within a window.
type FinishedTasks struct {
	Physical bool
	Status   TaskStatus // completed or failed
	Count    int
	// Total is the summed time from application to the end of each task.
	Total time.Duration
	// Within[i] counts the tasks that ended within bounds[i] of their
	// application (cumulative, as a histogram's buckets are).
	Within []int
}

// FinishedSince summarises the tasks that completed or failed at or after
// since, by kind and status, with their durations counted against bounds.
// A task retried by an operator counts from its first application.
func (s *Service) FinishedSince(ctx context.Context, since time.Time, bounds []time.Duration) ([]FinishedTasks, error) {
	var cols strings.Builder
	for _, b := range bounds {
		// Our own integers, as literals: one SQL text per bucket layout.
		fmt.Fprintf(&cols, `, SUM(CASE WHEN completed_at - created_at <= %s THEN 1 ELSE 0 END)`, strconv.FormatInt(b.Microseconds(), 10))
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT physical, status, COUNT(*), CAST(SUM(completed_at - created_at) AS BIGINT)`+
		cols.String()+` FROM card_tasks WHERE completed_at >= $1 GROUP BY physical, status`, store.At(since))
	if err != nil {
		return nil, fmt.Errorf("card: finished tasks: %w", err)
	}
	defer rows.Close()
	var out []FinishedTasks
	for rows.Next() {
		f := FinishedTasks{Within: make([]int, len(bounds))}
		var totalMicros int64
		dest := []any{&f.Physical, &f.Status, &f.Count, &totalMicros}
		for i := range f.Within {
			dest = append(dest, &f.Within[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("card: finished tasks: %w", err)
		}
		f.Total = time.Duration(totalMicros) * time.Microsecond
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("card: finished tasks: %w", err)
	}
	return out, nil
}

// ReconciliationSummary is the latest run of one kind of reconciliation;
// RunAt is zero when there has been none.
type ReconciliationSummary struct {
	Kind       string
	RunAt      time.Time
	Checked    int
	Mismatches int
}

// LatestReconciliations is the latest run of each kind of reconciliation,
// reported even when none has run yet.
func (s *Service) LatestReconciliations(ctx context.Context) ([]ReconciliationSummary, error) {
	out := []ReconciliationSummary{{Kind: ReconcileIssuerCards}}
	for i := range out {
		r := &out[i]
		err := s.DB.SQL.QueryRowContext(ctx, `SELECT checked, mismatches, run_at FROM reconciliation_runs
			WHERE kind = $1 ORDER BY id DESC LIMIT 1`, r.Kind).Scan(&r.Checked, &r.Mismatches, store.TimeInto(&r.RunAt))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("card: latest %s reconciliation: %w", r.Kind, err)
		}
	}
	return out, nil
}
