package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
)

// TestCardReconciliation: after top-ups and purchases the issuer's card
// balances equal the ledger's; a difference is reported with its figures
// and the run is stored.
func TestCardReconciliation(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		_, c := cmToppedCard(t, r, "reconcile@example.com")
		auth := cmData(t, cmSim(r, c.PublicToken, map[string]any{"type": "authorization", "amount": "100"}).Expect(t, 200, ""))
		cmSim(r, c.PublicToken, map[string]any{"type": "clearing", "trade_id": auth["trade_id"], "amount": "90"}).Expect(t, 200, "")
		ctx := context.Background()
		rec, err := h.App.Cards.Reconcile(ctx, nil)
		if err != nil || rec.Checked != 1 || len(rec.Mismatches) != 0 {
			t.Fatalf("clean run: %+v, %v", rec, err)
		}
		if _, err := h.App.DB.SQL.Exec(`UPDATE sim_issuer_cards SET balance = balance - 1 WHERE public_token = $1`, c.PublicToken); err != nil {
			t.Fatal(err)
		}
		rec, err = h.App.Cards.Reconcile(ctx, nil)
		if err != nil || len(rec.Mismatches) != 1 || rec.Mismatches[0].Ledger != 29142 || rec.Mismatches[0].Issuer != 29141 {
			t.Fatalf("run with a difference: %+v, %v", rec, err)
		}
		// The daily job may also have run once at start, on no cards yet.
		var flagged int
		if err := h.App.DB.SQL.QueryRow(`SELECT mismatches FROM reconciliation_runs WHERE id = $1`, rec.ID).Scan(&flagged); err != nil {
			t.Fatal(err)
		}
		if flagged != 1 {
			t.Fatalf("run %d stored %d mismatches", rec.ID, flagged)
		}
		// The job (hourly, and at start) reconciles once a day.
		runs := func() (n int) {
			if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM reconciliation_runs`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		work := func() {
			if err := card.NewReconcileWorker(h.App.Cards, nil).Work(ctx, &river.Job[card.ReconcileArgs]{JobRow: &rivertype.JobRow{}}); err != nil {
				t.Fatal(err)
			}
		}
		before := runs()
		work()
		if runs() != before {
			t.Fatal("the job reconciled again right after a run")
		}
		h.Clock.Advance(24 * time.Hour)
		work()
		if runs() != before+1 {
			t.Fatal("the job did not reconcile a day later")
		}
	})
}
