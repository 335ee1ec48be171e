package card

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// ReconciliationRun is one stored reconciliation, as operators read it.
type ReconciliationRun struct {
	ID         int64
	Kind       string // "issuer_cards": card balances at the issuer against the ledger
	Checked    int
	Mismatches []Mismatch
	RunAt      time.Time
}

const runColumns = `id, kind, checked, report, run_at`

// ReconciliationRuns returns stored runs, newest first, and how many there
// are. A zero from or to leaves that side open (from inclusive, to exclusive).
func (s *Service) ReconciliationRuns(ctx context.Context, from, to time.Time, limit, offset int) ([]ReconciliationRun, int, error) {
	var lower, upper any // NULL: unbounded
	if !from.IsZero() {
		lower = store.At(from)
	}
	if !to.IsZero() {
		upper = store.At(to)
	}
	// The casts let PostgreSQL type a parameter that is only tested for NULL.
	const cond = ` WHERE (CAST($1 AS BIGINT) IS NULL OR run_at >= $1) AND (CAST($2 AS BIGINT) IS NULL OR run_at < $2)`
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM reconciliation_runs`+cond, lower, upper).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("card: count reconciliation runs: %w", err)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+runColumns+` FROM reconciliation_runs`+cond+` ORDER BY id DESC LIMIT $3 OFFSET $4`,
		lower, upper, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("card: reconciliation runs: %w", err)
	}
	defer rows.Close()
	var out []ReconciliationRun
	for rows.Next() {
		var (
			r      ReconciliationRun
			report string
		)
		if err := rows.Scan(&r.ID, &r.Kind, &r.Checked, &report, store.TimeInto(&r.RunAt)); err != nil {
			return nil, 0, fmt.Errorf("card: reconciliation runs: %w", err)
		}
		if err := json.Unmarshal([]byte(report), &r.Mismatches); err != nil {
			return nil, 0, fmt.Errorf("card: reconciliation run %d: report: %w", r.ID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("card: reconciliation runs: %w", err)
	}
	return out, total, nil
}
