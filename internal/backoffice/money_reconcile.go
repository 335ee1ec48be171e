package backoffice

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// ReconciliationRuns lists the stored reconciliation runs, newest first.
func (s *Service) ReconciliationRuns(ctx context.Context, limit, offset int) ([]card.ReconciliationRun, int, error) {
	return s.MoneyDeps.Cards.ReconciliationRuns(ctx, time.Time{}, time.Time{}, limit, offset)
}

// ReconciliationReport is the reconciliation of one UTC day: every run that
// day with the differences it found.
type ReconciliationReport struct {
	Date       time.Time
	Runs       []card.ReconciliationRun
	Mismatches int
}

// maxRunsPerDay bounds a day's report: the daily job runs once and
// operators rarely run it by hand more than a few times.
const maxRunsPerDay = 100

// ReconciliationReportOn returns the report of the UTC day of day (zero:
// today).
func (s *Service) ReconciliationReportOn(ctx context.Context, day time.Time) (ReconciliationReport, error) {
	if day.IsZero() {
		day = s.Now()
	}
	day = day.UTC().Truncate(24 * time.Hour)
	runs, _, err := s.MoneyDeps.Cards.ReconciliationRuns(ctx, day, day.Add(24*time.Hour), maxRunsPerDay, 0)
	if err != nil {
		return ReconciliationReport{}, err
	}
	r := ReconciliationReport{Date: day, Runs: runs}
	for _, run := range runs {
		r.Mismatches += len(run.Mismatches)
	}
	return r, nil
}

// RunReconciliation queues the card reconciliation now (a job: it asks the
// issuer for every open card's balance, which may take minutes) and returns
// the job's id; the run appears in the list and the day's report when it
// finishes. The daily job's once-a-day rule does not hold it back.
func (s *Service) RunReconciliation(ctx context.Context, reason string) (int64, error) {
	var jobID int64
	err := s.audited(ctx, audit.Entry{Action: "reconciliation.run", TargetType: "reconciliation", TargetID: "issuer_cards",
		Reason: strings.TrimSpace(reason)}, func(tx *sql.Tx) (any, any, error) {
		res, err := s.MoneyDeps.Jobs.InsertTx(ctx, tx, card.ReconcileArgs{Force: true}, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("queue the reconciliation: %w", err)
		}
		jobID = res.Job.ID
		return nil, map[string]any{"kind": "issuer_cards", "job_id": jobID}, nil
	})
	return jobID, err
}

// CustodyReconciliationRuns lists the stored custody reconciliation runs
// (the custody provider's balances against the ledger's custody omnibus),
// newest first.
func (s *Service) CustodyReconciliationRuns(ctx context.Context, limit, offset int) ([]wallet.CustodyReconciliation, int, error) {
	return s.MoneyDeps.Wallets.CustodyReconciliationRuns(ctx, limit, offset)
}

// RunCustodyReconciliation queues the custody reconciliation now, past the
// daily job's 23-hour rule, and returns the job's id; the run appears in
// the list when it finishes. A job rather than a call in the request: it
// waits on the custody provider, whose answers the job retries.
func (s *Service) RunCustodyReconciliation(ctx context.Context, reason string) (int64, error) {
	var jobID int64
	err := s.audited(ctx, audit.Entry{Action: "reconciliation.run", TargetType: "reconciliation", TargetID: "custody",
		Reason: strings.TrimSpace(reason)}, func(tx *sql.Tx) (any, any, error) {
		res, err := s.MoneyDeps.Jobs.InsertTx(ctx, tx, wallet.CustodyReconcileArgs{Force: true}, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("queue the custody reconciliation: %w", err)
		}
		jobID = res.Job.ID
		return nil, map[string]any{"kind": "custody", "job_id": jobID}, nil
	})
	return jobID, err
}
