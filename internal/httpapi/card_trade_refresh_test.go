package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

// TestCardTradeRefreshedFromIssuer: a clearing whose event never arrived is
// picked up when the trade is asked for by id (and an issuer that cannot
// answer is a 502 that changes nothing); the event arriving late moves no
// money a second time.
func TestCardTradeRefreshedFromIssuer(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "trade-refresh@example.com")
		auth := apptest.Bearer(acc.Access)
		tradeID := cmInt(t, cmData(t, cmSim(r, c.PublicToken, map[string]any{"type": "authorization", "amount": "100"}).
			Expect(t, 200, ""))["trade_id"])
		cmWaitBalance(t, r, acc, c.ID, "281.42")

		// The issuer clears 80 of the 100 but its event is lost.
		if _, err := h.App.DB.SQL.Exec(`UPDATE sim_issuer_trades SET state = 'cleared', clear_amount = 8000 WHERE trade_id = $1`, tradeID); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/card/trade/%d?public_token=%s", tradeID, c.PublicToken)
		h.App.IssuerSim.FailNext("trade_query", 1)
		cmExpectC(t, r.do(http.MethodGet, path, nil, auth), 502, "ISSUER_UNAVAILABLE")
		if b := cmBalance(t, r, acc, c.ID); !cmEq(b, "281.42") {
			t.Fatalf("balance after a failed refresh %s", b)
		}
		for range 2 {
			res := r.do(http.MethodGet, path, nil, auth).Expect(t, 200, "")
			d := cmData(t, res)
			if cmInt(t, d["trade_clear"]) != 1 || !cmEq(d["clear_amount"], "80") || !cmEq(d["amount"], "100") {
				t.Fatalf("refreshed trade %v", d)
			}
		}
		if b := cmBalance(t, r, acc, c.ID); !cmEq(b, "301.42") {
			t.Fatalf("balance after the refresh %s, want 301.42", b)
		}
		rows := cmRows(t, r, acc, c.PublicToken, tradeID)
		if len(rows) != 1 || rows[0]["status"] != "success" || !cmEq(rows[0]["amount"], "80") {
			t.Fatalf("history rows %v", rows)
		}
		// The lost event finally arrives.
		body := cmEvent("late-clearing", "card.transaction.cleared", c.PublicToken, time.Now(),
			map[string]any{"trade_id": tradeID, "clear_amount": "80.00"})
		cmExpectAck(t, cmPostEvent(r, body, webhooksig.SignIssuerEvent(cmIssuerKey, time.Now(), body)))
		cmSettled(t, h)
		if b := cmBalance(t, r, acc, c.ID); !cmEq(b, "301.42") {
			t.Fatalf("balance after the late event %s, want 301.42", b)
		}
		verifyLedger(t, h)
	})
}
