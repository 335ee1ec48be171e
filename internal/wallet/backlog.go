package wallet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Backlog is how many records wait in one non-final status and since when
// the oldest of them waits (zero when none).
type Backlog struct {
	Status string
	Count  int
	Oldest time.Time
}

// OpenWithdrawals is the withdrawal backlog: pending (waiting for an
// operator) and approved (sent to custody, not yet settled), each status
// reported even when empty. It reads only those statuses through the
// (status, id) index, so its cost follows the backlog, not the history.
func (s *Service) OpenWithdrawals(ctx context.Context) ([]Backlog, error) {
	out, err := backlog(ctx, s.DB, `SELECT status, COUNT(*), MIN(created_at) FROM withdrawals WHERE status IN (%s) GROUP BY status`,
		string(WithdrawalPending), string(WithdrawalApproved))
	if err != nil {
		return nil, fmt.Errorf("wallet: open withdrawals: %w", err)
	}
	return out, nil
}

// OpenDeposits is the deposit backlog: pending (custody has not confirmed)
// and unmatched (to no known address, waiting for an operator), each status
// reported even when empty.
func (s *Service) OpenDeposits(ctx context.Context) ([]Backlog, error) {
	out, err := backlog(ctx, s.DB, `SELECT status, COUNT(*), MIN(created_at) FROM deposits WHERE status IN (%s) GROUP BY status`,
		string(DepositPending), string(DepositUnmatched))
	if err != nil {
		return nil, fmt.Errorf("wallet: open deposits: %w", err)
	}
	return out, nil
}

// backlog runs query (status, count, oldest) with the statuses in its IN
// list and fills in the statuses it did not return. The statuses (our own
// constants) go into the SQL as literals so that the planner sees them, as
// it would not see the parameters of a generic plan.
func backlog(ctx context.Context, db *store.DB, query string, statuses ...string) ([]Backlog, error) {
	quoted := make([]string, len(statuses))
	for i, status := range statuses {
		quoted[i] = "'" + status + "'"
	}
	rows, err := db.SQL.QueryContext(ctx, fmt.Sprintf(query, strings.Join(quoted, ", ")))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string]Backlog{}
	for rows.Next() {
		var b Backlog
		if err := rows.Scan(&b.Status, &b.Count, store.TimeInto(&b.Oldest)); err != nil {
			return nil, err
		}
		found[b.Status] = b
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Backlog, 0, len(statuses))
	for _, status := range statuses {
		b, ok := found[status]
		if !ok {
			b = Backlog{Status: status}
		}
		out = append(out, b)
	}
	return out, nil
}

// LastCustodyReconciliation is the latest run of the custody reconciliation
// (balances at custody against the ledger); RunAt is zero when none ran.
type LastCustodyReconciliation struct {
	RunAt      time.Time
	Checked    int
	Mismatches int
}

// LatestCustodyReconciliation reads the latest run through the run_at index.
func (s *Service) LatestCustodyReconciliation(ctx context.Context) (LastCustodyReconciliation, error) {
	var r LastCustodyReconciliation
	err := s.DB.SQL.QueryRowContext(ctx, `SELECT checked, mismatches, run_at FROM custody_reconciliation_runs ORDER BY run_at DESC LIMIT 1`).
		Scan(&r.Checked, &r.Mismatches, store.TimeInto(&r.RunAt))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return LastCustodyReconciliation{}, fmt.Errorf("wallet: latest custody reconciliation: %w", err)
	}
	return r, nil
}
