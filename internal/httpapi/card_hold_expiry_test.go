package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

// TestCardHoldExpires: an authorisation never cleared gives its hold back
// after 30 days, once; the issuer's own reversal arriving afterwards moves
// nothing.
func TestCardHoldExpires(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "hold-expiry@example.com")
		auth := cmData(t, cmSim(r, c.PublicToken, map[string]any{"type": "authorization", "amount": "100"}).Expect(t, 200, ""))
		tradeID := cmInt(t, auth["trade_id"])
		cmWaitBalance(t, r, acc, c.ID, "281.42")
		ctx := context.Background()
		if n, err := h.App.Cards.ExpireHolds(ctx); err != nil || n != 0 {
			t.Fatalf("a fresh authorisation expired: %d, %v", n, err)
		}
		h.Clock.Advance(31 * 24 * time.Hour)
		acc = h.Login(t, acc.Email, apptest.Password) // the month-old tokens have expired
		for want := 1; want >= 0; want-- {            // the second run finds nothing left
			if n, err := h.App.Cards.ExpireHolds(ctx); err != nil || n != want {
				t.Fatalf("expired %d, %v; want %d", n, err, want)
			}
		}
		cmWaitBalance(t, r, acc, c.ID, "381.42")
		rows := cmRows(t, r, acc, c.PublicToken, tradeID)
		if len(rows) != 2 {
			t.Fatalf("history rows %v", rows)
		}
		body := cmEvent("late-reversal", "card.transaction.reversed", c.PublicToken, h.Clock.Now(),
			map[string]any{"trade_id": tradeID, "reversal_amount": "100.00"})
		cmExpectAck(t, cmPostEvent(r, body, webhooksig.SignIssuerEvent(cmIssuerKey, time.Now(), body)))
		cmSettled(t, h)
		if b := cmBalance(t, r, acc, c.ID); !cmEq(b, "381.42") {
			t.Fatalf("balance after the late reversal %s", b)
		}
		verifyLedger(t, h)
	})
}
