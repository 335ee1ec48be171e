package wallet

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// CustodyLine compares one currency: what the ledger says the custody
// provider holds (the custody omnibus account, an asset kept negative, so
// its negation) against what the provider reports.
type CustodyLine struct {
	Currency string       `json:"currency"`
	Ledger   money.Amount `json:"ledger_units"`
	Custody  money.Amount `json:"custody_units"`
	// Unreported: the provider gave no balance for this currency.
	Unreported bool `json:"unreported,omitempty"`
}

// Matches reports whether the line agrees.
func (l CustodyLine) Matches() bool { return !l.Unreported && l.Ledger == l.Custody }

// CustodyReconciliation is one run of the custody reconciliation.
type CustodyReconciliation struct {
	ID    int64
	Lines []CustodyLine // every enabled crypto currency, matching or not
	RunAt time.Time
}

// Mismatches are the lines that differ.
func (r CustodyReconciliation) Mismatches() []CustodyLine {
	var out []CustodyLine
	for _, l := range r.Lines {
		if !l.Matches() {
			out = append(out, l)
		}
	}
	return out
}

// String renders the report for operators.
func (r CustodyReconciliation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "custody reconciliation %d: %d currency(ies) checked, %d mismatch(es)\n", r.ID, len(r.Lines), len(r.Mismatches()))
	for _, l := range r.Mismatches() {
		if l.Unreported {
			fmt.Fprintf(&b, "  %s: ledger %d units, custody reported nothing\n", l.Currency, l.Ledger)
			continue
		}
		fmt.Fprintf(&b, "  %s: ledger %d units, custody %d units, difference %d\n", l.Currency, l.Ledger, l.Custody, l.Custody-l.Ledger)
	}
	return b.String()
}

// ReconcileCustody compares the custody provider's balance of every enabled
// crypto currency with the ledger's custody omnibus (API.md §3.7), stores
// the run and logs an error for operators when they differ. Transfers in
// flight (a deposit the provider has and whose callback is still queued, a
// withdrawal sent but not yet confirmed, network fees the provider charged)
// show as differences that the next run may clear; a difference that stays
// is one to investigate.
func (s *Service) ReconcileCustody(ctx context.Context, balances CustodyBalances) (CustodyReconciliation, error) {
	var crypto []Currency
	for _, c := range s.Currencies.All() {
		if c.Crypto() {
			crypto = append(crypto, c)
		}
	}
	reported, err := balances.Balances(ctx, crypto)
	if err != nil {
		// Not recorded: the job tries again rather than file a run of
		// "unreported" lines.
		return CustodyReconciliation{}, fmt.Errorf("wallet: reconcile custody: provider balances: %w", err)
	}
	r := CustodyReconciliation{RunAt: s.Now()}
	for _, c := range crypto {
		omnibus, err := s.Ledger.Balance(ctx, s.DB.SQL, ledger.HouseAccount(ledger.Custody, c.Name))
		if err != nil {
			return CustodyReconciliation{}, fmt.Errorf("wallet: reconcile custody: %s omnibus: %w", c.Name, err)
		}
		held, ok := reported[c.Name]
		r.Lines = append(r.Lines, CustodyLine{Currency: c.Name, Ledger: -omnibus, Custody: held, Unreported: !ok})
	}
	report, err := json.Marshal(r.Lines)
	if err != nil {
		return CustodyReconciliation{}, fmt.Errorf("wallet: reconcile custody: encode report: %w", err)
	}
	if err := s.DB.SQL.QueryRowContext(ctx, `INSERT INTO custody_reconciliation_runs (checked, mismatches, report, run_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, len(r.Lines), len(r.Mismatches()), string(report), store.At(r.RunAt)).Scan(&r.ID); err != nil {
		return CustodyReconciliation{}, fmt.Errorf("wallet: reconcile custody: record run: %w", err)
	}
	if len(r.Mismatches()) > 0 {
		s.Log.ErrorContext(ctx, "custody reconciliation found differences with the provider", "run_id", r.ID,
			"mismatches", len(r.Mismatches()), "report", r.String())
	}
	return r, nil
}

// CustodyReconciliationRuns returns stored runs, newest first, and how many
// there are.
func (s *Service) CustodyReconciliationRuns(ctx context.Context, limit, offset int) ([]CustodyReconciliation, int, error) {
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM custody_reconciliation_runs`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("wallet: count custody reconciliation runs: %w", err)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT id, report, run_at FROM custody_reconciliation_runs ORDER BY id DESC LIMIT $1 OFFSET $2`,
		limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("wallet: custody reconciliation runs: %w", err)
	}
	defer rows.Close()
	var out []CustodyReconciliation
	for rows.Next() {
		var (
			r      CustodyReconciliation
			report string
		)
		if err := rows.Scan(&r.ID, &report, store.TimeInto(&r.RunAt)); err != nil {
			return nil, 0, fmt.Errorf("wallet: custody reconciliation runs: %w", err)
		}
		if err := json.Unmarshal([]byte(report), &r.Lines); err != nil {
			return nil, 0, fmt.Errorf("wallet: custody reconciliation run %d: report: %w", r.ID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("wallet: custody reconciliation runs: %w", err)
	}
	return out, total, nil
}

// CustodyReconcileArgs is the daily custody reconciliation job. Force runs
// it even when a run is recent (an operator's "run now").
type CustodyReconcileArgs struct {
	Force bool `json:"force,omitempty"`
}

// Kind implements river.JobArgs.
func (CustodyReconcileArgs) Kind() string { return "wallet.custody_reconcile" }

// CustodyReconcileWorker runs ReconcileCustody.
type CustodyReconcileWorker struct {
	river.WorkerDefaults[CustodyReconcileArgs]
	s        *Service
	balances CustodyBalances
}

// NewCustodyReconcileWorker returns the worker for CustodyReconcileArgs.
func NewCustodyReconcileWorker(s *Service, balances CustodyBalances) *CustodyReconcileWorker {
	return &CustodyReconcileWorker{s: s, balances: balances}
}

// Timeout allows one provider call and a few ledger reads.
func (w *CustodyReconcileWorker) Timeout(*river.Job[CustodyReconcileArgs]) time.Duration {
	return 5 * time.Minute
}

// custodyReconcileEvery is how often the job reconciles. Scheduled more
// often (hourly, and at start so a deploy does not postpone it), it skips
// while the last run is recent.
const custodyReconcileEvery = 24 * time.Hour

// Work implements river.Worker.
func (w *CustodyReconcileWorker) Work(ctx context.Context, job *river.Job[CustodyReconcileArgs]) error {
	if !job.Args.Force {
		var last time.Time
		if err := w.s.DB.SQL.QueryRowContext(ctx, `SELECT COALESCE(MAX(run_at), 0) FROM custody_reconciliation_runs`).
			Scan(store.TimeInto(&last)); err != nil {
			return fmt.Errorf("wallet: reconcile custody: last run: %w", err)
		}
		if !last.IsZero() && w.s.Now().Sub(last) < custodyReconcileEvery-time.Hour {
			return nil
		}
	}
	_, err := w.s.ReconcileCustody(ctx, w.balances)
	return err
}
