package card

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// BalanceSource reports a card's balance as the issuer keeps it.
type BalanceSource interface {
	CardBalance(ctx context.Context, publicToken string) (money.Amount, error)
}

// Mismatch is a card whose issuer balance differs from the ledger's.
type Mismatch struct {
	CardID      int64        `json:"card_id"`
	PublicToken string       `json:"public_token"`
	Ledger      money.Amount `json:"ledger_cents"`
	Issuer      money.Amount `json:"issuer_cents"`
}

// Reconciliation is the outcome of one run.
type Reconciliation struct {
	ID         int64
	Checked    int
	Mismatches []Mismatch
	// Unreadable are cards whose balance the issuer did not give.
	Unreadable []int64
}

// String renders the report for operators.
func (r Reconciliation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "reconciliation %d: %d card(s) checked against the issuer, %d mismatch(es)\n", r.ID, r.Checked, len(r.Mismatches))
	if len(r.Unreadable) > 0 {
		fmt.Fprintf(&b, "  %d card(s) the issuer did not answer for: %v\n", len(r.Unreadable), r.Unreadable)
	}
	for _, m := range r.Mismatches {
		fmt.Fprintf(&b, "  card %d (%s): ledger %s HKD, issuer %s HKD, difference %s\n", m.CardID, m.PublicToken,
			m.Ledger.Format(2), m.Issuer.Format(2), (m.Issuer - m.Ledger).Format(2))
	}
	return b.String()
}

// Reconcile compares every card's spendable balance on the ledger with the
// issuer's (API.md §3.7), stores the run and logs an error for operators
// when they differ. Cards are read from a snapshot of ids; a card that moves
// between the two reads may show a transient difference, which the next
// run clears.
func (s *Service) Reconcile(ctx context.Context, log *slog.Logger) (Reconciliation, error) {
	// A cancelled card's balance has gone back to the programme's float at
	// the issuer (and to the user's wallet here): only open cards count.
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE status <> $1 ORDER BY id`, StatusCancelled)
	if err != nil {
		return Reconciliation{}, fmt.Errorf("card: reconcile: list cards: %w", err)
	}
	var cards []Card
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			rows.Close()
			return Reconciliation{}, fmt.Errorf("card: reconcile: list cards: %w", err)
		}
		cards = append(cards, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Reconciliation{}, fmt.Errorf("card: reconcile: list cards: %w", err)
	}
	var r Reconciliation
	for _, c := range cards {
		issuer, err := s.Balances.CardBalance(ctx, c.PublicToken)
		if err != nil {
			// A run cut short (or an issuer whose breaker is open) is not
			// recorded, so the job tries again instead of filing every card
			// as unreadable for a day.
			if ctx.Err() != nil || errors.Is(err, ErrIssuerDown) {
				return Reconciliation{}, fmt.Errorf("card: reconcile: balance of card %d: %w", c.ID, err)
			}
			// One card the issuer cannot answer for does not stop the run.
			r.Unreadable = append(r.Unreadable, c.ID)
			continue
		}
		r.Checked++
		if issuer != c.Balance {
			r.Mismatches = append(r.Mismatches, Mismatch{CardID: c.ID, PublicToken: c.PublicToken, Ledger: c.Balance, Issuer: issuer})
		}
	}
	report, err := json.Marshal(r.Mismatches)
	if err != nil {
		return Reconciliation{}, fmt.Errorf("card: reconcile: encode report: %w", err)
	}
	if err := s.DB.SQL.QueryRowContext(ctx, `INSERT INTO reconciliation_runs (kind, checked, mismatches, report, run_at)
		VALUES ('issuer_cards', $1, $2, $3, $4) RETURNING id`, r.Checked, len(r.Mismatches), string(report), store.At(s.Now())).
		Scan(&r.ID); err != nil {
		return Reconciliation{}, fmt.Errorf("card: reconcile: record run: %w", err)
	}
	if (len(r.Mismatches) > 0 || len(r.Unreadable) > 0) && log != nil {
		log.ErrorContext(ctx, "card reconciliation found differences with the issuer", "run_id", r.ID, "mismatches", len(r.Mismatches),
			"unreadable", len(r.Unreadable))
	}
	return r, nil
}

// ReconcileArgs is the daily reconciliation job. Force runs it even when a
// run is recent (an operator's "run now").
type ReconcileArgs struct {
	Force bool `json:"force,omitempty"`
}

// Kind implements river.JobArgs.
func (ReconcileArgs) Kind() string { return "card.reconcile" }

// ReconcileWorker runs Reconcile.
type ReconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	s   *Service
	log *slog.Logger
}

// NewReconcileWorker returns the worker for ReconcileArgs.
func NewReconcileWorker(s *Service, log *slog.Logger) *ReconcileWorker {
	return &ReconcileWorker{s: s, log: log}
}

// Timeout allows one issuer call per card.
func (w *ReconcileWorker) Timeout(*river.Job[ReconcileArgs]) time.Duration { return 30 * time.Minute }

// reconcileEvery is how often the job reconciles; it also runs at start
// (a deploy must not postpone it a day), so a recent run is not repeated.
const reconcileEvery = 24 * time.Hour

// Work implements river.Worker.
func (w *ReconcileWorker) Work(ctx context.Context, job *river.Job[ReconcileArgs]) error {
	if job.Args.Force {
		_, err := w.s.Reconcile(ctx, w.log)
		return err
	}
	var last time.Time
	if err := w.s.DB.SQL.QueryRowContext(ctx, `SELECT COALESCE(MAX(run_at), 0) FROM reconciliation_runs WHERE kind = 'issuer_cards'`).
		Scan(store.TimeInto(&last)); err != nil {
		return fmt.Errorf("card: reconcile: last run: %w", err)
	}
	if !last.IsZero() && w.s.Now().Sub(last) < reconcileEvery-time.Hour {
		return nil
	}
	_, err := w.s.Reconcile(ctx, w.log)
	return err
}
