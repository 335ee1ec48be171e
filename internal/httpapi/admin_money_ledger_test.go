package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type adjustmentOut struct {
	ID             int64   `json:"id"`
	Amount         float64 `json:"amount"`
	AvailableAfter float64 `json:"available_after"`
}

type ledgerBalanceOut struct {
	Currency string  `json:"currency"`
	Owner    string  `json:"owner"`
	Account  string  `json:"account"`
	Balance  float64 `json:"balance"`
	Holders  int     `json:"holders"`
}

type ledgerEntryOut struct {
	Reference string  `json:"reference"`
	Kind      string  `json:"kind"`
	UserID    *int64  `json:"user_id"`
	Account   string  `json:"account"`
	Amount    float64 `json:"amount"`
}

// TestOperatorAdjustsBalances: credits and debits against the house account
// `adjustments`, never below zero; the Idempotency-Key replays; the ledger
// reads show the result and the book sums to zero per currency.
func TestOperatorAdjustsBalances(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := h.Operator(t, "fin@ops.example.com", operator.Finance)
		comp := h.Operator(t, "comp@ops.example.com", operator.Compliance)
		auth := apptest.Bearer(fin.Token)
		alice, bob := h.Register(t, "alice@example.com"), h.Register(t, "bob@example.com")
		adjust := func(body map[string]any, headers ...apptest.Header) *apptest.Response {
			return h.Do(http.MethodPost, "/api/v1/admin/ledger/adjustments", body, append(headers, auth)...)
		}
		body := func(user apptest.Account, amount any) map[string]any {
			return map[string]any{"user_id": user.ID, "currency": "USDT-TRC20", "amount": amount, "reason": "ticket 5"}
		}

		res := adjust(body(alice, "100.25")).Expect(t, 200, "")
		if got := apptest.Data[adjustmentOut](t, res); got.Amount != 100.25 || got.AvailableAfter != 100.25 {
			t.Fatalf("credit: %s", res.Body)
		}
		res = adjust(body(alice, -0.25)).Expect(t, 200, "")
		if got := apptest.Data[adjustmentOut](t, res); got.Amount != -0.25 || got.AvailableAfter != 100 {
			t.Fatalf("debit: %s", res.Body)
		}
		adjust(body(bob, "-1")).Expect(t, 400, "INSUFFICIENT_BALANCE")
		adjust(body(alice, "-100.000001")).Expect(t, 400, "INSUFFICIENT_BALANCE")
		for _, bad := range []any{"0", 0, "-0", "1.0000001", "1e3", "abc", true} {
			adjust(body(alice, bad)).Expect(t, 400, "VALIDATION_FAILED")
		}
		adjust(map[string]any{"user_id": alice.ID, "currency": "HKD", "amount": 1, "reason": "x"}).Expect(t, 400, "UNSUPPORTED_CURRENCY")
		adjust(map[string]any{"user_id": alice.ID, "currency": "USDT-TRC20", "amount": 1}).Expect(t, 400, "VALIDATION_FAILED")
		adjust(map[string]any{"user_id": 987654, "currency": "USDT-TRC20", "amount": 1, "reason": "x"}).Expect(t, 404, "USER_NOT_FOUND")
		h.Do(http.MethodPost, "/api/v1/admin/ledger/adjustments", body(alice, 1), apptest.Bearer(comp.Token)).Expect(t, 403, "FORBIDDEN")

		// Idempotency-Key: one booking, the answer replayed; another body is a conflict.
		key := apptest.Header{Name: "Idempotency-Key", Value: "adj-2026-0001"}
		first := adjust(body(bob, "7"), key).Expect(t, 200, "")
		again := adjust(body(bob, "7"), key).Expect(t, 200, "")
		if again.Header.Get("Idempotent-Replayed") != "true" || apptest.Data[adjustmentOut](t, again) != apptest.Data[adjustmentOut](t, first) {
			t.Fatalf("replay: %s %v", again.Body, again.Header)
		}
		adjust(body(bob, "8"), key).Expect(t, 409, "IDEMPOTENCY_CONFLICT")
		adjust(body(bob, "7"), apptest.Header{Name: "Idempotency-Key", Value: "short"}).Expect(t, 400, "VALIDATION_FAILED")
		if got := balanceOf(t, h, bob, "USDT-TRC20"); got != "7" {
			t.Fatalf("bob has %s after a replayed adjustment", got)
		}
		// A four-eyes request replays as the same request.
		bigKey := apptest.Header{Name: "Idempotency-Key", Value: "adj-2026-0002"}
		req := apptest.Data[approvalOut](t, adjust(body(bob, "5000"), bigKey).Expect(t, 202, ""))
		if replay := apptest.Data[approvalOut](t, adjust(body(bob, "5000"), bigKey).Expect(t, 202, "")); replay.ID != req.ID {
			t.Fatalf("replayed request %d, first %d", replay.ID, req.ID)
		}
		adjust(body(bob, "4000")).Expect(t, 409, "APPROVAL_PENDING")

		// The book: balances and entries.
		res = h.Do(http.MethodGet, "/api/v1/admin/ledger/balances", nil, apptest.Bearer(comp.Token)).Expect(t, 200, "")
		balances := apptest.Data[struct {
			Balances []ledgerBalanceOut `json:"balances"`
		}](t, res).Balances
		sums := map[string]float64{}
		found := map[string]ledgerBalanceOut{}
		for _, b := range balances {
			sums[b.Currency] += b.Balance
			if b.Currency == "USDT-TRC20" {
				found[b.Owner+"/"+b.Account] = b
			}
		}
		for cur, s := range sums {
			if s != 0 {
				t.Errorf("%s sums to %v", cur, s)
			}
		}
		if found["house/adjustments"].Balance != -107 || found["users/available"].Balance != 107 || found["users/available"].Holders != 2 {
			t.Fatalf("balances: %s", res.Body)
		}
		res = h.Do(http.MethodGet, "/api/v1/admin/ledger/entries?account=adjustments&currency=USDT-TRC20", nil, auth).Expect(t, 200, "")
		entries := apptest.Data[pageOut[ledgerEntryOut]](t, res)
		if entries.Total != 3 || entries.Items[0].Amount != -7 || entries.Items[0].UserID != nil || entries.Items[0].Kind != "adjustment" {
			t.Fatalf("house entries: %s", res.Body)
		}
		res = h.Do(http.MethodGet, "/api/v1/admin/ledger/entries?account=available&user_id="+strconv.FormatInt(alice.ID, 10)+
			"&from=2000-01-01&to=2999-12-31", nil, auth).Expect(t, 200, "")
		if got := apptest.Data[pageOut[ledgerEntryOut]](t, res); got.Total != 2 || got.Items[0].Amount != -0.25 || *got.Items[0].UserID != alice.ID {
			t.Fatalf("alice's entries: %s", res.Body)
		}
		res = h.Do(http.MethodGet, "/api/v1/admin/ledger/entries?account=available&user_id="+strconv.FormatInt(alice.ID, 10)+
			"&to=2000-01-01T00:00:00Z", nil, auth).Expect(t, 200, "")
		if got := apptest.Data[pageOut[ledgerEntryOut]](t, res); got.Total != 0 {
			t.Fatalf("entries before 2000: %s", res.Body)
		}
		h.Do(http.MethodGet, "/api/v1/admin/ledger/entries", nil, auth).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodGet, "/api/v1/admin/ledger/entries?account=custody&from=yesterday", nil, auth).Expect(t, 400, "VALIDATION_FAILED")

		// The user sees the corrections in their history.
		res = h.Do(http.MethodGet, "/api/v1/wallet/unified-transactions?type=admin_adjustment", nil, apptest.Bearer(alice.Access)).Expect(t, 200, "")
		if got := apptest.Data[pageOut[struct{}]](t, res); got.Total != 2 {
			t.Fatalf("alice's history: %s", res.Body)
		}
		verifyLedger(t, h)
	})
}

// TestOperatorRefundsCardFees: only a completed payment no application
// used is refunded, once, back to the wallet in the currency paid.
func TestOperatorRefundsCardFees(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := h.Operator(t, "fin@ops.example.com", operator.Finance)
		auth := apptest.Bearer(fin.Token)
		alice := h.Register(t, "alice@example.com")
		paid := paidCardFee(t, h, alice)
		list := "/api/v1/admin/card-fee-payments?user_id=" + strconv.FormatInt(alice.ID, 10)
		res := h.Do(http.MethodGet, list+"&status=completed&consumed=false&card_type=virtual", nil, auth).Expect(t, 200, "")
		if got := apptest.Data[pageOut[struct {
			ID            int64   `json:"id"`
			ActualPayment float64 `json:"actual_payment"`
		}]](t, res); got.Total != 1 || got.Items[0].ID != paid || got.Items[0].ActualPayment != 5 {
			t.Fatalf("payments: %s", res.Body)
		}
		h.Do(http.MethodGet, list+"&consumed=maybe", nil, auth).Expect(t, 400, "VALIDATION_FAILED")
		refund := "/api/v1/admin/card-fee-payments/" + strconv.FormatInt(paid, 10) + "/refund"
		h.Do(http.MethodPost, refund, nil, auth).Expect(t, 400, "VALIDATION_FAILED")
		res = h.Do(http.MethodPost, refund, map[string]any{"reason": "asked before applying"}, auth).Expect(t, 200, "")
		if got := apptest.Data[struct {
			Status string `json:"status"`
		}](t, res); got.Status != "refunded" {
			t.Fatalf("refund: %s", res.Body)
		}
		if got := balanceOf(t, h, alice, "USDT-TRC20"); got != "5" {
			t.Fatalf("alice has %s after the refund", got)
		}
		h.Do(http.MethodPost, refund, map[string]any{"reason": "again"}, auth).Expect(t, 400, "INVALID_STATE")
		h.Do(http.MethodPost, "/api/v1/admin/card-fee-payments/987654/refund", map[string]any{"reason": "x"}, auth).Expect(t, 404, "PAYMENT_NOT_FOUND")

		// A payment a card application consumed is not refunded.
		bob, _ := h.CardHolder(t, "bob@example.com")
		res = h.Do(http.MethodGet, "/api/v1/admin/card-fee-payments?consumed=true&user_id="+strconv.FormatInt(bob.ID, 10), nil, auth).Expect(t, 200, "")
		used := apptest.Data[pageOut[struct {
			ID int64 `json:"id"`
		}]](t, res)
		if used.Total != 1 {
			t.Fatalf("consumed payments: %s", res.Body)
		}
		h.Do(http.MethodPost, "/api/v1/admin/card-fee-payments/"+strconv.FormatInt(used.Items[0].ID, 10)+"/refund",
			map[string]any{"reason": "x"}, auth).Expect(t, 400, "INVALID_STATE")
		verifyLedger(t, h)
	})
}

// TestOperatorRunsReconciliation: "run now" queues a forced run, which
// the list and the day's report then show.
func TestOperatorRunsReconciliation(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := h.Operator(t, "fin@ops.example.com", operator.Finance)
		comp := h.Operator(t, "comp@ops.example.com", operator.Compliance)
		before := apptest.Data[pageOut[struct{}]](t, h.Do(http.MethodGet, "/api/v1/admin/reconciliation/runs", nil,
			apptest.Bearer(comp.Token)).Expect(t, 200, "")).Total
		h.Do(http.MethodPost, "/api/v1/admin/reconciliation/run", nil, apptest.Bearer(comp.Token)).Expect(t, 403, "FORBIDDEN")
		res := h.Do(http.MethodPost, "/api/v1/admin/reconciliation/run", map[string]any{"reason": "after the issuer incident"},
			apptest.Bearer(fin.Token)).Expect(t, 202, "")
		if apptest.Data[struct {
			JobID int64 `json:"job_id"`
		}](t, res).JobID == 0 {
			t.Fatalf("run: %s", res.Body)
		}
		runs := waitRun(t, h, fin.Token, before)
		day := h.Clock.Now().UTC().Format("2006-01-02")
		res = h.Do(http.MethodGet, "/api/v1/admin/reconciliation/report?date="+day, nil, apptest.Bearer(comp.Token)).Expect(t, 200, "")
		report := apptest.Data[struct {
			Date string `json:"date"`
			Runs []struct {
				ID int64 `json:"id"`
			} `json:"runs"`
		}](t, res)
		if report.Date != day || len(report.Runs) == 0 || report.Runs[0].ID != runs.Items[0].ID {
			t.Fatalf("report of %s: %s", day, res.Body)
		}
		res = h.Do(http.MethodGet, "/api/v1/admin/reconciliation/report?date=2001-01-01", nil, apptest.Bearer(fin.Token)).Expect(t, 200, "")
		if n := len(res.JSON["data"].(map[string]any)["runs"].([]any)); n != 0 {
			t.Fatalf("a report of 2001: %s", res.Body)
		}
		h.Do(http.MethodGet, "/api/v1/admin/reconciliation/report?date=01/02/2026", nil, apptest.Bearer(fin.Token)).Expect(t, 400, "VALIDATION_FAILED")
		if rows := auditActions(t, h, "reconciliation", "issuer_cards"); len(rows) != 1 || rows[0].Action != "reconciliation.run" {
			t.Fatalf("audit: %+v", rows)
		}
	})
}
