package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// TestCardMoneyStillHeldAtIssuer: after the platform's hold expiry released
// an authorisation the issuer still holds, the ledger shows more on the
// card than the issuer will let go. Cancelling the card or swapping its
// whole balance to the wallet is then refused with 400
// CARD_BALANCE_PENDING — a definite answer, not an issuer outage — and
// nothing is booked; once the issuer releases the authorisation both work.
func TestCardMoneyStillHeldAtIssuer(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "held-at-issuer@example.com")
		auth := cmData(t, cmSim(r, c.PublicToken, map[string]any{"type": "authorization", "amount": "1.04"}).Expect(t, 200, ""))
		tradeID := cmInt(t, auth["trade_id"])
		cmWaitBalance(t, r, acc, c.ID, "380.38")
		h.Clock.Advance(31 * 24 * time.Hour)
		acc = h.Login(t, acc.Email, apptest.Password)
		// The scheduled expiry job may get there first (the clock jumped a
		// month): either way the hold is released exactly once.
		if n, err := h.App.Cards.ExpireHolds(context.Background()); err != nil || n > 1 {
			t.Fatalf("expired %d, %v", n, err)
		}
		cmWaitBalance(t, r, acc, c.ID, "381.42")
		if got := cmIssuerBalance(t, h, c.PublicToken); got != 38038 {
			t.Fatalf("issuer balance %d, want 38038 (the authorisation is still held there)", got)
		}
		wallet := balanceOf(t, h, acc, "USDT-TRC20")
		ledgerTxs := func() (n int) {
			if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM ledger_transactions`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := ledgerTxs()

		// The refusal is interim: not stored for the Idempotency-Key, so the
		// same request succeeds once the authorisation settles (below).
		cancelKey := apptest.Header{Name: "Idempotency-Key", Value: "held-cancel-1"}
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "99", cancelKey), 400, "CARD_BALANCE_PENDING")
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["card_status_code"] != "00" {
			t.Fatalf("card after the refused cancel %v", g)
		}
		usrExpectErr(t, r.do(http.MethodPost, "/api/v1/wallet/swap", map[string]any{"from_currency": "HKD", "to_currency": "USDT-TRC20",
			"amount": "381.42", "card_id": c.ID}, apptest.Bearer(acc.Access)), 400, "CARD_BALANCE_PENDING")
		if after := ledgerTxs(); after != before {
			t.Fatalf("the refusals booked %d ledger transaction(s)", after-before)
		}
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != wallet {
			t.Fatalf("wallet %s, want %s", got, wallet)
		}
		cmWaitBalance(t, r, acc, c.ID, "381.42")
		if got := cmIssuerBalance(t, h, c.PublicToken); got != 38038 {
			t.Fatalf("issuer balance after the refusals %d", got)
		}
		// What the issuer can release may still be swapped out.
		r.do(http.MethodPost, "/api/v1/wallet/swap", map[string]any{"from_currency": "HKD", "to_currency": "USDT-TRC20",
			"amount": "100", "card_id": c.ID}, apptest.Bearer(acc.Access)).Expect(t, 200, "")

		// The issuer drops the authorisation: the card closes with all of it.
		cmSim(r, c.PublicToken, map[string]any{"type": "reversal", "trade_id": tradeID}).Expect(t, 200, "")
		cmSettled(t, h)
		cmPutStatus(r, acc, c.PublicToken, "99", cancelKey).Expect(t, 200, "")
		if got := cmIssuerBalance(t, h, c.PublicToken); got != 0 {
			t.Fatalf("issuer balance after the cancel %d", got)
		}
		verifyLedger(t, h)
	})
}
