package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

var _ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/reconciliation/custody-run", Role: operator.Finance,
	Status: http.StatusAccepted,
	Setup: func(t *testing.T, env *adminEnv) (string, any) {
		return "/api/v1/admin/reconciliation/custody-run", nil
	}})

// fixedCustody is a custody provider that reports set balances; a currency
// it has none for goes unreported.
type fixedCustody map[string]money.Amount

func (f fixedCustody) Balances(context.Context, []wallet.Currency) (map[string]money.Amount, error) {
	return f, nil
}

type custodyLineOut struct {
	Currency   string       `json:"currency"`
	Ledger     json.Number  `json:"ledger_balance"`
	Custody    *json.Number `json:"custody_balance"`
	Difference *json.Number `json:"difference"`
	Unreported bool         `json:"unreported"`
	Matches    bool         `json:"matches"`
}

type custodyRunOut struct {
	ID            int64            `json:"id"`
	RunAt         time.Time        `json:"run_at"`
	Checked       int              `json:"checked"`
	MismatchCount int              `json:"mismatch_count"`
	Lines         []custodyLineOut `json:"lines"`
}

func custodyRuns(t *testing.T, h *apptest.Harness, token string) pageOut[custodyRunOut] {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/admin/reconciliation/custody-runs?page_size=50", nil, apptest.Bearer(token)).Expect(t, 200, "")
	return apptest.Data[pageOut[custodyRunOut]](t, res)
}

// TestOperatorSeesCustodyReconciliation: a custody run that found a surplus
// and an unreported currency is listed with its figures per currency, to
// the roles that read the money, and refused to support.
func TestOperatorSeesCustodyReconciliation(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		comp := h.Operator(t, "comp@ops.example.com", operator.Compliance)
		support := h.Operator(t, "support@ops.example.com", operator.Support)
		h.Deposit(t, h.Register(t, "alice@example.com"), "USDT-TRC20", "100")
		// The provider holds 1.5 USDT-TRC20 more than the ledger (a deposit
		// whose callback is still queued) and says nothing of USDC-TRC20.
		run, err := h.App.Wallets.ReconcileCustody(context.Background(), fixedCustody{
			"USDT-TRC20": 101_500_000, "USDT-ERC20": 0, "USDC-ERC20": 0})
		if err != nil {
			t.Fatal(err)
		}
		h.Do(http.MethodGet, "/api/v1/admin/reconciliation/custody-runs", nil, apptest.Bearer(support.Token)).Expect(t, 403, "FORBIDDEN")
		h.Do(http.MethodGet, "/api/v1/admin/reconciliation/custody-runs?page_size=0", nil, apptest.Bearer(comp.Token)).
			Expect(t, 400, "VALIDATION_FAILED")
		var got *custodyRunOut
		page := custodyRuns(t, h, comp.Token)
		for i := range page.Items {
			if page.Items[i].ID == run.ID {
				got = &page.Items[i]
			}
		}
		if got == nil || page.Total < 1 {
			t.Fatalf("run %d not listed: %+v", run.ID, page)
		}
		if got.Checked != 4 || got.MismatchCount != 2 || len(got.Lines) != 4 || !got.RunAt.Equal(run.RunAt) {
			t.Fatalf("run: %+v", got)
		}
		lines := map[string]custodyLineOut{}
		for _, l := range got.Lines {
			lines[l.Currency] = l
		}
		if l := lines["USDT-TRC20"]; l.Ledger != "100" || l.Custody == nil || *l.Custody != "101.5" || l.Difference == nil ||
			*l.Difference != "1.5" || l.Unreported || l.Matches {
			t.Fatalf("USDT-TRC20: %+v", l)
		}
		if l := lines["USDC-TRC20"]; l.Ledger != "0" || l.Custody != nil || l.Difference != nil || !l.Unreported || l.Matches {
			t.Fatalf("USDC-TRC20: %+v", l)
		}
		if l := lines["USDT-ERC20"]; l.Custody == nil || *l.Custody != "0" || *l.Difference != "0" || !l.Matches {
			t.Fatalf("USDT-ERC20: %+v", l)
		}
	})
}

// TestOperatorRunsCustodyReconciliation: "run now" queues a forced run past
// the daily job's 23-hour rule; the list then shows it.
func TestOperatorRunsCustodyReconciliation(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := h.Operator(t, "fin@ops.example.com", operator.Finance)
		comp := h.Operator(t, "comp@ops.example.com", operator.Compliance)
		// The run at start is under an hour old: the daily job would skip now.
		before := waitCustodyRuns(t, h, fin.Token, 0).Total
		h.Do(http.MethodPost, "/api/v1/admin/reconciliation/custody-run", nil, apptest.Bearer(comp.Token)).Expect(t, 403, "FORBIDDEN")
		res := h.Do(http.MethodPost, "/api/v1/admin/reconciliation/custody-run", map[string]any{"reason": "after the custody incident"},
			apptest.Bearer(fin.Token)).Expect(t, 202, "")
		if apptest.Data[struct {
			JobID int64 `json:"job_id"`
		}](t, res).JobID == 0 {
			t.Fatalf("run: %s", res.Body)
		}
		// The sandbox provider holds what the ledger says.
		if newest := waitCustodyRuns(t, h, fin.Token, before).Items[0]; newest.MismatchCount != 0 || newest.Checked != 4 {
			t.Fatalf("forced run: %+v", newest)
		}
		rows := auditActions(t, h, "reconciliation", "custody")
		if len(rows) != 1 || rows[0].Action != "reconciliation.run" || rows[0].Reason != "after the custody incident" {
			t.Fatalf("audit: %+v", rows)
		}
	})
}

// waitCustodyRuns waits until the custody runs number more than n.
func waitCustodyRuns(t *testing.T, h *apptest.Harness, token string, n int) pageOut[custodyRunOut] {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if page := custodyRuns(t, h, token); page.Total > n {
			return page
		}
		if time.Now().After(deadline) {
			t.Fatalf("no custody reconciliation run after %d", n)
		}
	}
}
