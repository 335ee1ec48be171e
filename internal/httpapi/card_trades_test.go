package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

func TestCardTradeSandboxTransactions(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "cm-trades@example.com")
		auth := apptest.Bearer(acc.Access)
		tok := c.PublicToken
		step := func() time.Time { h.Clock.Advance(time.Minute); return h.Clock.Now() }
		sim := func(body map[string]any, wantBalance string) (int64, map[string]any) {
			t.Helper()
			res := cmSim(r, tok, body).Expect(t, 200, "")
			d := cmData(t, res)
			if !cmEq(d["card_balance"], wantBalance) {
				t.Errorf("%v: sandbox card_balance %v, want %s", body, d["card_balance"], wantBalance)
			}
			if got := cmBalance(t, r, acc, c.ID); !cmEq(got, wantBalance) {
				t.Errorf("%v: platform card balance %v, want %s", body, got, wantBalance)
			}
			if id, _ := d["event_id"].(string); id == "" {
				t.Errorf("no event_id: %s", res.Body)
			}
			return cmInt(t, d["trade_id"]), d
		}
		expectRow := func(tradeID int64, tradeType, direction, status, amount string) {
			t.Helper()
			for _, row := range cmRows(t, r, acc, tok, tradeID) {
				if row["trade_type"] == tradeType {
					if row["direction"] != direction || row["status"] != status || !cmEq(row["amount"], amount) {
						t.Errorf("trade %d row %s = %v, want %s %s %s", tradeID, tradeType, row, direction, status, amount)
					}
					return
				}
			}
			t.Errorf("trade %d has no %q history row: %v", tradeID, tradeType, cmRows(t, r, acc, tok, tradeID))
		}

		t1Time := step()
		t1, _ := sim(map[string]any{"type": "authorization", "amount": "100.50", "merchant_name": "SHOP ONE"}, "280.92")
		expectRow(t1, "consume", "debit", "pending", "100.5")
		step()
		if id, _ := sim(map[string]any{"type": "clearing", "trade_id": t1, "amount": 90}, "291.42"); id != t1 {
			t.Errorf("clearing answered trade %d, want %d", id, t1)
		}
		expectRow(t1, "consume", "debit", "success", "90")
		if n := len(cmRows(t, r, acc, tok, t1)); n != 1 {
			t.Errorf("trade %d has %d history rows after clearing, want 1", t1, n)
		}

		t2Time := step()
		t2, _ := sim(map[string]any{"type": "authorization", "amount": 50}, "241.42")
		step()
		sim(map[string]any{"type": "reversal", "trade_id": strconv.FormatInt(t2, 10)}, "291.42")
		expectRow(t2, "11", "credit", "success", "50")
		expectRow(t2, "consume", "debit", "reversed", "50")

		step()
		refund, _ := sim(map[string]any{"type": "refund", "trade_id": t1, "amount": "20"}, "311.42")
		if refund == t1 {
			t.Errorf("the refund reuses the original trade id")
		}
		expectRow(refund, "7", "credit", "success", "20")

		step()
		declined, _ := sim(map[string]any{"type": "authorization", "amount": "1000"}, "311.42")
		expectRow(declined, "consume", "debit", "declined", "1000")

		// A frozen card declines every authorization.
		cmPutStatus(r, acc, tok, "G1").Expect(t, 200, "")
		step()
		frozenDecl, _ := sim(map[string]any{"type": "authorization", "amount": "10"}, "311.42")
		expectRow(frozenDecl, "consume", "debit", "declined", "10")
		cmPutStatus(r, acc, tok, "00").Expect(t, 200, "")

		for _, tc := range []struct {
			name   string
			token  string
			body   map[string]any
			status int
			code   string
		}{
			{"clearing of an unknown trade", tok, map[string]any{"type": "clearing", "trade_id": 123456789}, 404, "TRADE_NOT_FOUND"},
			{"clearing twice", tok, map[string]any{"type": "clearing", "trade_id": t1}, 404, "TRADE_NOT_FOUND"},
			{"refund of an uncleared trade", tok, map[string]any{"type": "refund", "trade_id": t2}, 404, "TRADE_NOT_FOUND"},
			{"unknown card", "999999999", map[string]any{"type": "authorization", "amount": 1}, 404, "CARD_NOT_FOUND"},
			{"missing type", tok, map[string]any{"amount": 1}, 400, "VALIDATION_FAILED"},
			{"unknown type", tok, map[string]any{"type": "capture", "amount": 1}, 400, "VALIDATION_FAILED"},
			{"authorization without amount", tok, map[string]any{"type": "authorization"}, 400, "VALIDATION_FAILED"},
			{"clearing without trade_id", tok, map[string]any{"type": "clearing"}, 400, "VALIDATION_FAILED"},
			{"three decimals", tok, map[string]any{"type": "authorization", "amount": "1.005"}, 400, "VALIDATION_FAILED"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				usrExpectErr(t, cmSim(r, tc.token, tc.body), tc.status, tc.code)
			})
		}
		if got := cmBalance(t, r, acc, c.ID); !cmEq(got, "311.42") {
			t.Errorf("rejected helper calls moved the balance: %v", got)
		}

		// GET /card/trades: declines are not trades; newest first.
		trades := func(query string) ([]int64, map[string]any) {
			t.Helper()
			res := r.do(http.MethodGet, cmTradesPath+"?public_token="+tok+query, nil, auth).Expect(t, 200, "")
			if e := apptest.Decode[apptest.EnvelopeC[json.RawMessage]](t, res); e.Code != 200 || e.Errstr != "SUCCESS" || e.RequestID != res.Header.Get("X-Request-Id") {
				t.Errorf("envelope C head: %s", res.Body)
			}
			d := cmData(t, res)
			var ids []int64
			for _, raw := range d["trades"].([]any) {
				ids = append(ids, cmInt(t, raw.(map[string]any)["id"]))
			}
			return ids, d
		}
		unix := func(at time.Time) string { return strconv.FormatInt(at.Unix(), 10) }
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{refund, t2, t1}},
			{"&trade_type=17", []int64{t1}},
			{"&trade_type=18", []int64{t2}},
			{"&trade_type=19", []int64{refund}},
			{"&trade_clear=1", []int64{t1}},
			{"&trade_clear=0", []int64{refund, t2}},
			{"&start_date=" + unix(t2Time), []int64{refund, t2}},
			{"&end_date=" + unix(t2Time), []int64{t1}},
			{"&start_date=" + unix(t1Time) + "&end_date=" + unix(t2Time.Add(time.Second)), []int64{t2, t1}},
			{"&start_date=" + unix(t1Time) + "&trade_type=17&trade_clear=0", nil},
			{"&limit=2", []int64{refund, t2}},
			{"&limit=2&page=2", []int64{t1}},
		} {
			ids, d := trades(tc.query)
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
				t.Errorf("trades%s = %v, want %v", tc.query, ids, tc.want)
			}
			wantTotal := len(tc.want)
			if strings.Contains(tc.query, "limit=2") {
				wantTotal = 3
			}
			if cmInt(t, d["total"]) != int64(wantTotal) {
				t.Errorf("trades%s total = %v, want %d", tc.query, d["total"], wantTotal)
			}
		}
		if _, d := trades("&limit=500&page=1"); cmInt(t, d["page_size"]) != 100 || cmInt(t, d["page_num"]) != 1 {
			t.Errorf("limit clamp: page_size %v page_num %v", d["page_size"], d["page_num"])
		}
		for _, q := range []string{"&trade_type=16", "&trade_type=abc", "&trade_clear=2", "&start_date=yesterday", "&page=0", "&limit=-1"} {
			cmExpectC(t, r.do(http.MethodGet, cmTradesPath+"?public_token="+tok+q, nil, auth), 400, "VALIDATION_FAILED")
		}

		// GET /card/trade/{id}: one trade, integer types.
		tradePath := func(id any, token string) string {
			return fmt.Sprintf("/api/v1/card/trade/%v?public_token=%s", id, token)
		}
		one := cmData(t, r.do(http.MethodGet, tradePath(t1, tok), nil, auth).Expect(t, 200, ""))
		if cmInt(t, one["id"]) != t1 || cmInt(t, one["card_id"]) != c.ID || cmInt(t, one["trade_type"]) != 17 ||
			cmInt(t, one["trade_clear"]) != 1 || cmInt(t, one["trade_reversal"]) != 0 || cmInt(t, one["currency_id"]) != 344 ||
			!cmEq(one["amount"], "100.5") || !cmEq(one["clear_amount"], "90") || one["merchant_name"] != "SHOP ONE" ||
			one["currency_code"] != "HKD" || one["clear_time"] == "" || one["trade_time"] != t1Time.UTC().Format(time.DateTime) {
			t.Errorf("trade %d = %v", t1, one)
		}
		rev := cmData(t, r.do(http.MethodGet, tradePath(t2, tok), nil, auth).Expect(t, 200, ""))
		if cmInt(t, rev["trade_type"]) != 18 || cmInt(t, rev["trade_reversal"]) != 2 || !cmEq(rev["reversal_amount"], "50") || rev["reversal_time"] == "" {
			t.Errorf("reversed trade = %v", rev)
		}
		ref := cmData(t, r.do(http.MethodGet, tradePath(refund, tok), nil, auth).Expect(t, 200, ""))
		if cmInt(t, ref["trade_type"]) != 19 || !cmEq(ref["amount"], "20") {
			t.Errorf("refund trade = %v", ref)
		}

		other, otherCard := h.CardHolder(t, "cm-trades-other@example.com")
		for _, tc := range []struct {
			name   string
			acc    apptest.Account
			path   string
			status int
			errstr string
		}{
			{"foreign card", other, tradePath(t1, tok), 403, "CARD_NOT_OWNED"},
			{"unknown card", acc, tradePath(t1, "999999999"), 403, "CARD_NOT_OWNED"},
			{"trade of another card", other, tradePath(t1, otherCard.PublicToken), 404, "TRADE_NOT_FOUND"},
			{"unknown trade", acc, tradePath(123456789, tok), 404, "TRADE_NOT_FOUND"},
			{"declined is not a trade", acc, tradePath(declined, tok), 404, "TRADE_NOT_FOUND"},
			{"non-numeric id", acc, tradePath("abc", tok), 404, "TRADE_NOT_FOUND"},
			{"missing public_token", acc, fmt.Sprintf("/api/v1/card/trade/%d", t1), 400, "VALIDATION_FAILED"},
			{"trades of a foreign card", other, cmTradesPath + "?public_token=" + tok, 403, "CARD_NOT_OWNED"},
			{"trades without public_token", acc, cmTradesPath, 400, "VALIDATION_FAILED"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cmExpectC(t, r.do(http.MethodGet, tc.path, nil, apptest.Bearer(tc.acc.Access)), tc.status, tc.errstr)
			})
		}
		usrExpectErr(t, r.do(http.MethodGet, tradePath(t1, tok), nil), 401, "UNAUTHORIZED")
		usrExpectErr(t, r.do(http.MethodGet, cmTradesPath+"?public_token="+tok, nil), 401, "UNAUTHORIZED")

		// History: rows so far — top-up "6", t1, t2 + its reversal, refund,
		// two declines = 7; newest first; paged by limit.
		all := cmHistory(t, r, acc, "public_token="+tok+"&limit=100")
		rows := all["transactions"].([]any)
		if cmInt(t, all["total"]) != 7 || len(rows) != 7 {
			t.Fatalf("history total %v, %d rows, want 7: %v", all["total"], len(rows), rows)
		}
		var prev int64 = 1 << 62
		for i, raw := range rows {
			row := raw.(map[string]any)
			ct := cmInt(t, row["created_time"])
			if ct > prev {
				t.Errorf("row %d is newer than row %d", i, i-1)
			}
			prev = ct
			if _, ok := row["trade_type"].(string); !ok {
				t.Errorf("row %d trade_type %#v is not a string", i, row["trade_type"])
			}
			if row["transaction_id"] != "CTX"+row["id"].(json.Number).String() || row["currency"] != "HKD" {
				t.Errorf("row %d = %v", i, row)
			}
		}
		if last := rows[6].(map[string]any); last["trade_type"] != "6" || last["direction"] != "credit" || !cmEq(last["amount"], "381.42") {
			t.Errorf("oldest row (top-up) = %v", last)
		}
		var paged []string
		for page := 1; page <= 3; page++ {
			d := cmHistory(t, r, acc, fmt.Sprintf("public_token=%s&limit=3&page=%d", tok, page))
			if cmInt(t, d["total"]) != 7 || cmInt(t, d["page"]) != int64(page) || cmInt(t, d["page_size"]) != 3 || d["public_token"] != tok {
				t.Errorf("page %d head = %v", page, d)
			}
			for _, raw := range d["transactions"].([]any) {
				paged = append(paged, raw.(map[string]any)["id"].(json.Number).String())
			}
		}
		var whole []string
		for _, raw := range rows {
			whole = append(whole, raw.(map[string]any)["id"].(json.Number).String())
		}
		if fmt.Sprint(paged) != fmt.Sprint(whole) {
			t.Errorf("pages %v differ from the whole list %v", paged, whole)
		}
		byID := cmHistory(t, r, acc, fmt.Sprintf("card_id=%d&limit=1", c.ID))
		if cmInt(t, byID["total"]) != 7 || byID["public_token"] != tok {
			t.Errorf("history by card_id = %v", byID)
		}
		day := t1Time.UTC().Format(time.DateOnly)
		if d := cmHistory(t, r, acc, "public_token="+tok+"&start_date="+day+"&end_date="+day); cmInt(t, d["total"]) != 7 {
			t.Errorf("history of %s total %v, want 7", day, d["total"])
		}
		next := t1Time.UTC().AddDate(0, 0, 1).Format(time.DateOnly)
		if d := cmHistory(t, r, acc, "public_token="+tok+"&start_date="+next); cmInt(t, d["total"]) != 0 || len(d["transactions"].([]any)) != 0 {
			t.Errorf("history from %s = %v, want empty", next, d)
		}
		usrExpectErr(t, r.do(http.MethodGet, cmHistoryPath+"?public_token="+tok, nil, apptest.Bearer(other.Access)), 404, "CARD_NOT_FOUND")
		usrExpectErr(t, r.do(http.MethodGet, cmHistoryPath, nil, auth), 400, "VALIDATION_FAILED")
		usrExpectErr(t, r.do(http.MethodGet, cmHistoryPath+"?public_token="+tok+"&start_date=25/02/2026", nil, auth), 400, "VALIDATION_FAILED")

		verifyLedger(t, h)
		r.noPAN(t, tok)
	})
}
