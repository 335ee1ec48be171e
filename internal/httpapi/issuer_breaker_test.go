package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/providers/issuer/faults"
)

// waitFirstReconciliation waits for the reconciliation run at start, the
// one job that calls the issuer by itself.
func waitFirstReconciliation(t *testing.T, h *apptest.Harness) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var n int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM reconciliation_runs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no reconciliation ran at start")
		}
	}
}

// breakerCooldown sets how long the issuer's breaker stays open.
func breakerCooldown(d time.Duration) apptest.Option {
	return func(c *config.Config) { c.IssuerBreakerCooldown = d }
}

// TestIssuerBreaker: after three outages in a row the issuer is left
// alone: calls answer 503 ISSUER_TEMPORARILY_UNAVAILABLE at once, with
// Retry-After, without reaching the issuer, and a swap made meanwhile is
// refunded at once (its call never left). Business refusals never trip
// it.
func TestIssuerBreaker(t *testing.T) {
	t.Parallel()
	// A long cool-down: the checks below must all meet the open breaker,
	// however slow the machine (TestIssuerBreakerProbeFails covers probes).
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "issuer-breaker@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "140")
		upgrade := convertBody(c.PublicToken, verifiedToken(t, h, acc, c.PublicToken), "USDT-TRC20")
		waitFirstReconciliation(t, h) // no background issuer call from here on
		auth := apptest.Bearer(acc.Access)
		plan := func(p string) *apptest.Response {
			return h.Do(http.MethodPut, "/api/v1/card/3ds", map[string]string{"plan": p, "public_token": c.PublicToken}, auth)
		}
		reached := func() int { return len(h.App.IssuerFaults.Calls(faults.OpSetPlan)) }

		// Refusals are answers: however many, the breaker stays closed.
		h.App.IssuerSim.FailNext("set_3ds_plan", 5)
		for range 5 {
			plan("BIO").Expect(t, 502, "ISSUER_UNAVAILABLE")
		}
		if s := h.App.Issuer.State(); s != "closed" {
			t.Fatalf("refusals opened the breaker: %s", s)
		}

		// The issuer goes down: three outages in a row open the breaker.
		h.App.IssuerFaults.Down(faults.Fault{Kind: faults.ServerError})
		h.App.IssuerFaults.Inject(faults.OpSetPlan, faults.Fault{Kind: faults.Reset}, 1)
		h.App.IssuerFaults.Inject(faults.OpSetPlan, faults.Fault{Kind: faults.Hang}, 1)
		for range 3 {
			plan("BIO").Expect(t, 502, "ISSUER_UNAVAILABLE")
		}
		if s := h.App.Issuer.State(); s != "open" {
			t.Fatalf("after three outages the breaker is %s", s)
		}
		before, all := reached(), len(h.App.IssuerFaults.Calls(""))
		start := time.Now()
		err := h.App.Issuer.SetPlan(context.Background(), c.PublicToken, "BIO")
		if d := time.Since(start); !errors.Is(err, card.ErrIssuerDown) || d > 50*time.Millisecond {
			t.Errorf("an open breaker answered %v after %s", err, d)
		}
		for range 10 {
			res := plan("BIO").Expect(t, 503, "ISSUER_TEMPORARILY_UNAVAILABLE")
			body := apptest.Decode[apptest.ErrorBody](t, res)
			if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra < 50 || ra > 60 || body.RetryAfter == nil || *body.RetryAfter != ra {
				t.Errorf("Retry-After %q, retry_after %s", res.Header.Get("Retry-After"), res.Body)
			}
		}
		if n := reached() - before; n != 0 {
			t.Fatalf("%d calls reached the issuer while the breaker was open", n)
		}
		// Every issuer call fails fast, in its own envelope; money comes back.
		recharges := len(h.App.IssuerFaults.Calls(faults.OpRecharge))
		res := postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 50, "card_id", c.ID)).Expect(t, 503, "CARD_RECHARGE_FAILED")
		// A refusal answered 5xx is logged with its route, like an internal error.
		if l, raw := failureLogOf(t, h, res); l.Level != "WARN" || l.Route != "POST /api/v1/wallet/swap" || l.Code != "CARD_RECHARGE_FAILED" {
			t.Errorf("failure log %s", raw)
		}
		if len(h.App.IssuerFaults.Calls(faults.OpRecharge)) != recharges || balanceOf(t, h, acc, "USDT-TRC20") != "140" {
			t.Fatalf("a swap reached the issuer or kept the money: wallet %s", balanceOf(t, h, acc, "USDT-TRC20"))
		}
		r := &cmRec{h: h}
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "G1"), 503, "ISSUER_TEMPORARILY_UNAVAILABLE")
		cmPutStatus(r, acc, c.PublicToken, "00").Expect(t, 200, "") // nothing left claimed, the card still active
		secExpectB(t, secAs(h, acc).cvv(c.PublicToken), 503, "ISSUER_TEMPORARILY_UNAVAILABLE")
		expectC(t, convert(h, acc, upgrade, newKey()), 503, "ISSUER_TEMPORARILY_UNAVAILABLE")
		if b := balanceOf(t, h, acc, "USDT-TRC20"); b != "140" {
			t.Fatalf("the upgrade fee was kept: wallet %s", b)
		}
		if _, err := h.App.Cards.Reconcile(context.Background(), nil); err == nil {
			t.Fatal("a reconciliation ran against an issuer that is down")
		}

		if n := len(h.App.IssuerFaults.Calls("")) - all; n != 0 {
			t.Fatalf("%d calls reached the issuer while the breaker was open: %v", n, h.App.IssuerFaults.Calls("")[all:])
		}
		checkBooks(t, h, acc, c)
	}, issuerTimings(3), breakerCooldown(time.Minute))
}

// TestIssuerBreakerProbeFails: after the cool-down one probe call goes
// through; when it fails the breaker opens again for another cool-down,
// when it succeeds the breaker closes.
func TestIssuerBreakerProbeFails(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "issuer-breaker-probe@example.com")
		waitFirstReconciliation(t, h)
		cvv := func() *apptest.Response { return secAs(h, acc).cvv(c.PublicToken) }
		h.App.IssuerFaults.Inject(faults.OpRevealCard, faults.Fault{Kind: faults.Reset}, 3)
		for range 2 {
			secExpectB(t, cvv(), 502, "ISSUER_UNAVAILABLE")
		}
		secExpectB(t, cvv(), 503, "ISSUER_TEMPORARILY_UNAVAILABLE")
		time.Sleep(1100 * time.Millisecond)
		secExpectB(t, cvv(), 502, "ISSUER_UNAVAILABLE") // the probe meets the third reset
		secExpectB(t, cvv(), 503, "ISSUER_TEMPORARILY_UNAVAILABLE")
		time.Sleep(1100 * time.Millisecond)
		cvv().Expect(t, 200, "")
		if s := h.App.Issuer.State(); s != "closed" {
			t.Fatalf("after a good probe the breaker is %s", s)
		}
		if got := len(h.App.IssuerFaults.Calls(faults.OpRevealCard)); got != 4 {
			t.Fatalf("%d reveal calls reached the issuer, want 4", got)
		}
	}, issuerTimings(2), breakerCooldown(time.Second))
}

// TestIssuerFaultsReadsAnd3DS: reads (card secrets, a trade refresh, the
// reconciliation of balances) and the 3DS plan and decision meet time-outs,
// resets and 5xx with a prompt 502, change nothing that a retry does not
// converge, and work again afterwards; the
// reconciliation files an unanswered card as unreadable and checks it on
// the next run, where the issuer's balances equal ours.
func TestIssuerFaultsReadsAnd3DS(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "issuer-faults-reads@example.com")
		auth := apptest.Bearer(acc.Access)
		for _, tc := range transportFaults {
			start := time.Now()
			h.App.IssuerFaults.Inject(faults.OpRevealCard, tc.fault, 1)
			secExpectB(t, secAs(h, acc).cvv(c.PublicToken), 502, "ISSUER_UNAVAILABLE")
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("%s: the reveal took %s", tc.name, d)
			}
		}
		secAs(h, acc).cvv(c.PublicToken).Expect(t, 200, "")

		// The plan: applied or not, a retry converges on the cardholder's choice.
		h.App.IssuerFaults.Inject(faults.OpSetPlan, faults.Fault{Kind: faults.Hang, Applied: true}, 1)
		h.Do(http.MethodPut, "/api/v1/card/3ds", map[string]string{"plan": "ALL", "public_token": c.PublicToken}, auth).
			Expect(t, 502, "ISSUER_UNAVAILABLE")
		h.Do(http.MethodPut, "/api/v1/card/3ds", map[string]string{"plan": "ALL", "public_token": c.PublicToken}, auth).Expect(t, 200, "")
		if p, _ := h.App.IssuerSim.Plan(context.Background(), c.PublicToken); p != "ALL" {
			t.Fatalf("the issuer's plan is %s", p)
		}

		// A BIO decision applied at the issuer whose answer was lost: the
		// record says CONFIRM_FAILED, the cardholder's retry forwards it again
		// under the same notification id and the issuer keeps one decision.
		nid := raise3DS(t, h, c.PublicToken, map[string]any{"auth_method": "BIO", "amount": 42, "currency": "HKD"}).NotificationID
		h.App.IssuerFaults.Inject(faults.OpConfirm, faults.Fault{Kind: faults.ServerError, Status: 504, Applied: true}, 1)
		confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 502, "ISSUER_UNAVAILABLE")
		if rec := recordOf(t, h, acc, nid); rec.ChallengeStatus != "CONFIRM_FAILED" {
			t.Fatalf("after the lost answer %+v", rec)
		}
		if rec := confirmedRecord(t, confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 200, "")); rec.ChallengeStatus != "SUCCESS" {
			t.Fatalf("retry %+v", rec)
		}
		sameKey(t, h, faults.OpConfirm, nid, 2)
		if approve, ok, _ := h.App.IssuerSim.Decision(context.Background(), nid); !ok || !approve {
			t.Fatalf("the issuer's decision: %v %v", approve, ok)
		}

		tradeID := cmInt(t, cmData(t, cmSim(r, c.PublicToken, map[string]any{"type": "authorization", "amount": "100"}).
			Expect(t, 200, ""))["trade_id"])
		path := fmt.Sprintf("/api/v1/card/trade/%d?public_token=%s", tradeID, c.PublicToken)
		h.App.IssuerFaults.Inject(faults.OpTradeQuery, faults.Fault{Kind: faults.ServerError}, 1)
		cmExpectC(t, r.do(http.MethodGet, path, nil, auth), 502, "ISSUER_UNAVAILABLE")
		r.do(http.MethodGet, path, nil, auth).Expect(t, 200, "")

		_, other := h.CardHolder(t, "issuer-faults-reads-2@example.com")
		waitFirstReconciliation(t, h)
		ctx := context.Background()
		h.App.IssuerFaults.Inject(faults.OpCardBalance, faults.Fault{Kind: faults.Reset}, 1)
		rec, err := h.App.Cards.Reconcile(ctx, nil)
		if err != nil || rec.Checked != 1 || len(rec.Unreadable) != 1 || len(rec.Mismatches) != 0 {
			t.Fatalf("run with a reset: %+v, %v", rec, err)
		}
		rec, err = h.App.Cards.Reconcile(ctx, nil)
		if err != nil || rec.Checked != 2 || len(rec.Unreadable) != 0 || len(rec.Mismatches) != 0 {
			t.Fatalf("second run: %+v, %v", rec, err)
		}
		keys := h.App.IssuerFaults.Keys(faults.OpCardBalance)
		if !slices.Contains(keys, c.PublicToken) || !slices.Contains(keys, other.PublicToken) {
			t.Fatalf("balances asked for %v", keys)
		}
		verifyLedger(t, h)
	}, issuerTimings(100))
}
