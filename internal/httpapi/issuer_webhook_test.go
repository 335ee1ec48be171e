package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

// cmEvent builds an issuer event body.
func cmEvent(id, typ, token string, at time.Time, data map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"event_id": id, "event_type": typ, "occurred_at": at.UTC().Format(time.RFC3339),
		"public_token": token, "data": data})
	return b
}

func cmPostEvent(r *cmRec, body []byte, signature string) *apptest.Response {
	var hdr []apptest.Header
	if signature != "" {
		hdr = append(hdr, apptest.Header{Name: "X-Issuer-Signature", Value: signature})
	}
	return r.do(http.MethodPost, cmWebhookPath, body, hdr...)
}

func cmExpectAck(t *testing.T, res *apptest.Response) {
	t.Helper()
	if e := apptest.Decode[apptest.EnvelopeC[json.RawMessage]](t, res); res.Status != 200 || e.Code != 200 || e.Errstr != "SUCCESS" {
		t.Fatalf("webhook reply %d %s, want 200 {code:200, errstr:SUCCESS}", res.Status, res.Body)
	}
}

// cmSettled waits until the job has processed every stored issuer event.
func cmSettled(t *testing.T, h *apptest.Harness) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM webhook_events WHERE provider = 'issuer' AND state = 'received'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d issuer events still unprocessed", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmWaitBalance polls the card balance until it equals want.
func cmWaitBalance(t *testing.T, r *cmRec, acc apptest.Account, cardID int64, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := cmBalance(t, r, acc, cardID)
		if cmEq(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("card balance %s, want %s", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIssuerWebhookSignature(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "cm-webhook-sig@example.com")
		now := time.Now()
		body := func(id string) []byte {
			return cmEvent(id, "card.transaction.authorized", c.PublicToken, h.Clock.Now(),
				map[string]any{"trade_id": 7000000000000001, "amount": "100.00", "merchant_name": "SHOP"})
		}
		good := func(b []byte) string { return webhooksig.SignIssuerEvent(cmIssuerKey, now, b) }
		ts := strconv.FormatInt(now.Unix(), 10)
		for _, tc := range []struct {
			name string
			sign func(b []byte) string
		}{
			{"missing header", func([]byte) string { return "" }},
			{"wrong secret", func(b []byte) string { return webhooksig.SignIssuerEvent("another-secret", now, b) }},
			{"forged hex", func([]byte) string { return "t=" + ts + ",v1=" + strings.Repeat("ab", 32) }},
			{"signature of another body", func([]byte) string { return good([]byte(`{"event_id":"x"}`)) }},
			{"stale timestamp", func(b []byte) string { return webhooksig.SignIssuerEvent(cmIssuerKey, now.Add(-10*time.Minute), b) }},
			{"future timestamp", func(b []byte) string { return webhooksig.SignIssuerEvent(cmIssuerKey, now.Add(10*time.Minute), b) }},
			{"no timestamp", func(b []byte) string { _, v1, _ := strings.Cut(good(b), ","); return v1 }},
			{"timestamp swapped after signing", func(b []byte) string {
				_, v1, _ := strings.Cut(good(b), ",")
				return "t=" + strconv.FormatInt(now.Unix()+1, 10) + "," + v1
			}},
			{"garbage", func([]byte) string { return "nonsense" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				b := body("evt_bad_" + strings.ReplaceAll(tc.name, " ", "_"))
				usrExpectErr(t, cmPostEvent(r, b, tc.sign(b)), 401, "SIGNATURE_INVALID")
			})
		}
		time.Sleep(200 * time.Millisecond) // give a (wrongly) stored event a chance to be applied
		var stored int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM webhook_events WHERE provider = 'issuer' AND event_key LIKE 'evt_bad_%'`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != 0 {
			t.Errorf("%d rejected deliveries were stored", stored)
		}
		if got := cmBalance(t, r, acc, c.ID); !cmEq(got, "381.42") {
			t.Fatalf("a rejected delivery moved the balance: %s", got)
		}
		if n := len(cmRows(t, r, acc, c.PublicToken, 7000000000000001)); n != 0 {
			t.Fatalf("a rejected delivery wrote %d history rows", n)
		}

		// Secret rotation: two v1 values, only the second one right.
		b := body("evt_rotated")
		_, v1, _ := strings.Cut(good(b), ",")
		cmExpectAck(t, cmPostEvent(r, b, "t="+ts+",v1="+strings.Repeat("0", 64)+","+v1))
		cmWaitBalance(t, r, acc, c.ID, "281.42")
		// Upper-case hex is accepted too; the same event id is not applied again.
		cmExpectAck(t, cmPostEvent(r, b, "t="+ts+",v1="+strings.ToUpper(strings.TrimPrefix(v1, "v1="))))
		cmSettled(t, h)
		if got := cmBalance(t, r, acc, c.ID); !cmEq(got, "281.42") {
			t.Errorf("a redelivery moved the balance again: %s", got)
		}
		rows := cmRows(t, r, acc, c.PublicToken, 7000000000000001)
		if len(rows) != 1 || rows[0]["status"] != "pending" || !cmEq(rows[0]["amount"], "100") {
			t.Errorf("history rows of the signed event: %v", rows)
		}

		// A correctly signed body without event_id is a 400, not stored.
		bad := []byte(`{"event_type":"card.transaction.authorized","data":{}}`)
		usrExpectErr(t, cmPostEvent(r, bad, good(bad)), 400, "VALIDATION_FAILED")
		verifyLedger(t, h)
		r.noPAN(t, c.PublicToken)
	})
}

func TestIssuerWebhookOutOfOrderAndDuplicates(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "cm-webhook-money@example.com")
		const start = "381.42"
		const tradeID, refundID = int64(7100000000000001), int64(7100000000000002)
		at := h.Clock.Now()
		events := func(round string) [][]byte {
			// Delivery order: cleared, refunded, authorized.
			return [][]byte{
				cmEvent("evt_"+round+"_cleared", "card.transaction.cleared", c.PublicToken, at.Add(2*time.Minute),
					map[string]any{"trade_id": tradeID, "clear_amount": "80.00", "clear_time": at.Add(2 * time.Minute).Format(time.DateTime)}),
				cmEvent("evt_"+round+"_refunded", "card.transaction.refunded", c.PublicToken, at.Add(3*time.Minute),
					map[string]any{"trade_id": refundID, "original_trade_id": tradeID, "amount": "30.00", "merchant_name": "SHOP"}),
				cmEvent("evt_"+round+"_authorized", "card.transaction.authorized", c.PublicToken, at.Add(time.Minute),
					map[string]any{"trade_id": strconv.FormatInt(tradeID, 10), "amount": "100.00", "currency_code": "HKD", "merchant_name": "SHOP",
						"merchant_city": "HONG KONG", "merchant_country": "HK", "merchant_currency": "HKD", "merchant_amount": "100.00",
						"trade_fee": "0", "balance_after": "281.42"}),
			}
		}
		deliver := func(bodies [][]byte) {
			t.Helper()
			for _, b := range bodies {
				cmExpectAck(t, cmPostEvent(r, b, webhooksig.SignIssuerEvent(cmIssuerKey, time.Now(), b)))
			}
		}
		final := "331.42" // 381.42 − 80 + 30

		first := events("a")
		deliver(first)
		cmWaitBalance(t, r, acc, c.ID, final)
		cmSettled(t, h)
		deliver(events("b")) // the same facts under new event ids
		deliver(first)       // the same event ids again
		cmSettled(t, h)
		if got := cmBalance(t, r, acc, c.ID); !cmEq(got, final) {
			t.Errorf("card balance %s, want %s", got, final)
		}
		verifyLedger(t, h)

		rows := cmRows(t, r, acc, c.PublicToken, tradeID)
		if len(rows) != 1 || rows[0]["trade_type"] != "consume" || rows[0]["status"] != "success" || !cmEq(rows[0]["amount"], "80") {
			t.Errorf("purchase rows = %v, want one consume/success/80", rows)
		}
		refunds := cmRows(t, r, acc, c.PublicToken, refundID)
		if len(refunds) != 1 || refunds[0]["trade_type"] != "7" || refunds[0]["direction"] != "credit" || !cmEq(refunds[0]["amount"], "30") {
			t.Errorf("refund rows = %v, want one \"7\"/credit/30", refunds)
		}
		if d := cmHistory(t, r, acc, "public_token="+c.PublicToken); cmInt(t, d["total"]) != 3 {
			t.Errorf("history total %v, want 3 (top-up, purchase, refund): %v", d["total"], d["transactions"])
		}

		auth := apptest.Bearer(acc.Access)
		trade := cmData(t, r.do(http.MethodGet, fmt.Sprintf("/api/v1/card/trade/%d?public_token=%s", tradeID, c.PublicToken), nil, auth).Expect(t, 200, ""))
		if cmInt(t, trade["trade_type"]) != 17 || cmInt(t, trade["trade_clear"]) != 1 || !cmEq(trade["amount"], "100") ||
			!cmEq(trade["clear_amount"], "80") || trade["merchant_name"] != "SHOP" || trade["trade_exception"] != "" {
			t.Errorf("trade = %v", trade)
		}
		res := r.do(http.MethodGet, cmTradesPath+"?public_token="+url.QueryEscape(c.PublicToken), nil, auth).Expect(t, 200, "")
		if d := cmData(t, res); cmInt(t, d["total"]) != 2 {
			t.Errorf("trades = %s, want the purchase and the refund", res.Body)
		}
		r.noPAN(t, c.PublicToken)
	})
}
