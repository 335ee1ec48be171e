package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/httpapi"
)

// Card management: PUT/GET /card/status, the card history and trades, the
// issuer webhook and the sandbox card-transaction helper (API.md §2.6,
// §2.11.3, §4).

const (
	cmStatusPath  = "/api/v1/card/status"
	cmHistoryPath = "/api/v1/card/transaction-history"
	cmTradesPath  = "/api/v1/card/trades"
	cmWebhookPath = "/api/v1/webhooks/issuer"
	cmIssuerKey   = "test-issuer-webhook-secret"
)

// cmRec sends requests through the harness and keeps every response body,
// so a test can check that no response ever carried the PAN.
type cmRec struct {
	h      *apptest.Harness
	mu     sync.Mutex
	bodies [][]byte
}

func (r *cmRec) do(method, path string, body any, headers ...apptest.Header) *apptest.Response {
	res := r.h.Do(method, path, body, headers...)
	r.mu.Lock()
	r.bodies = append(r.bodies, res.Body)
	r.mu.Unlock()
	return res
}

// noPAN fails if the card's PAN (known only to the sandbox issuer) shows up
// in the service log or in any response recorded.
func (r *cmRec) noPAN(t *testing.T, token string) {
	t.Helper()
	var pan string
	if err := r.h.App.DB.SQL.QueryRow(`SELECT pan FROM sim_issuer_cards WHERE public_token = $1`, token).Scan(&pan); err != nil {
		t.Fatalf("read sandbox PAN: %v", err)
	}
	if len(pan) < 12 {
		t.Fatalf("implausible PAN %q", pan)
	}
	if strings.Contains(r.h.Log.String(), pan) {
		t.Errorf("the service log contains the PAN of card %s", token)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bodies {
		if bytes.Contains(b, []byte(pan)) {
			t.Errorf("a response contains the PAN: %s", b)
		}
	}
}

// cmNum decodes a body keeping numbers exact.
func cmNum(t *testing.T, res *apptest.Response) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(res.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", res.Body, err)
	}
	return m
}

func cmData(t *testing.T, res *apptest.Response) map[string]any {
	t.Helper()
	d, ok := cmNum(t, res)["data"].(map[string]any)
	if !ok {
		t.Fatalf("no data object: %s", res.Body)
	}
	return d
}

// cmEq compares a decoded JSON number with a decimal literal exactly.
func cmEq(v any, want string) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	a, ok1 := new(big.Rat).SetString(n.String())
	b, ok2 := new(big.Rat).SetString(want)
	return ok1 && ok2 && a.Cmp(b) == 0
}

func cmInt(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%#v is not a JSON number", v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s is not a JSON integer", n)
	}
	return i
}

// cmExpectC checks a family-C error: HTTP status, integer code, errstr,
// request_id echoing the header, data null.
func cmExpectC(t *testing.T, res *apptest.Response, status int, errstr string) {
	t.Helper()
	if res.Status != status || res.JSON["code"] != float64(status) || res.JSON["errstr"] != errstr {
		t.Fatalf("got %d %v/%v, want %d %s; body %s", res.Status, res.JSON["code"], res.JSON["errstr"], status, errstr, res.Body)
	}
	if d, ok := res.JSON["data"]; !ok || d != nil {
		t.Errorf("family-C error data = %v (present %v), want null", d, ok)
	}
	if id := res.Header.Get("X-Request-Id"); id == "" || res.JSON["request_id"] != id {
		t.Errorf("request_id %v, header %q", res.JSON["request_id"], id)
	}
	for _, k := range []string{"message", "error", "details"} {
		if _, ok := res.JSON[k].(string); !ok {
			t.Errorf("family-C error lacks string %q: %s", k, res.Body)
		}
	}
}

// cmToppedCard is a card holder whose card holds 381.42 HKD: 50 USDT
// swapped at 7.80 less the 2.2 % fee.
func cmToppedCard(t *testing.T, r *cmRec, email string) (apptest.Account, apptest.Card) {
	t.Helper()
	acc, c := r.h.CardHolder(t, email)
	r.h.Deposit(t, acc, "USDT-TRC20", "100")
	res := r.do(http.MethodPost, "/api/v1/wallet/swap", map[string]any{"from_currency": "USDT-TRC20", "to_currency": "HKD",
		"amount": 50, "card_id": c.ID}, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	if d := cmData(t, res); !cmEq(d["card_balance"], "381.42") {
		t.Fatalf("top-up card_balance = %v, want 381.42: %s", d["card_balance"], res.Body)
	}
	return acc, c
}

func cmPutStatus(r *cmRec, acc apptest.Account, token, code string, headers ...apptest.Header) *apptest.Response {
	return r.do(http.MethodPut, cmStatusPath, map[string]any{"public_token": token, "card_status_code": code},
		append(headers, apptest.Bearer(acc.Access))...)
}

func cmGetStatus(t *testing.T, r *cmRec, acc apptest.Account, token string) map[string]any {
	t.Helper()
	return cmData(t, r.do(http.MethodGet, cmStatusPath+"?public_token="+token, nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
}

// cmListed returns the card's /card/list entry (nil when not listed).
func cmListed(t *testing.T, r *cmRec, acc apptest.Account, cardID int64, includeCancelled bool) map[string]any {
	t.Helper()
	path := "/api/v1/card/list"
	if includeCancelled {
		path += "?include_cancelled=true"
	}
	d := cmData(t, r.do(http.MethodGet, path, nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
	for _, raw := range d["cards"].([]any) {
		if c := raw.(map[string]any); cmInt(t, c["id"]) == cardID {
			return c
		}
	}
	return nil
}

// cmBalance is the card's balance as the platform books it (GET /card/list).
func cmBalance(t *testing.T, r *cmRec, acc apptest.Account, cardID int64) json.Number {
	t.Helper()
	c := cmListed(t, r, acc, cardID, true)
	if c == nil {
		t.Fatalf("card %d not listed", cardID)
	}
	return c["balance"].(json.Number)
}

func cmSim(r *cmRec, token string, body map[string]any) *apptest.Response {
	return r.do(http.MethodPost, "/api/v1/sandbox/cards/"+token+"/transactions", body)
}

// cmHistory returns the data of GET /card/transaction-history.
func cmHistory(t *testing.T, r *cmRec, acc apptest.Account, query string) map[string]any {
	t.Helper()
	return cmData(t, r.do(http.MethodGet, cmHistoryPath+"?"+query, nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
}

// cmRows returns the history rows of a trade id.
func cmRows(t *testing.T, r *cmRec, acc apptest.Account, token string, tradeID int64) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, raw := range cmHistory(t, r, acc, "public_token="+token+"&limit=100")["transactions"].([]any) {
		if row := raw.(map[string]any); cmInt(t, row["trade_id"]) == tradeID {
			out = append(out, row)
		}
	}
	return out
}

func cmFreezeAccount(t *testing.T, h *apptest.Harness, acc apptest.Account) apptest.Account {
	t.Helper()
	if _, err := h.App.DB.SQL.Exec(`UPDATE users SET status = 'frozen' WHERE id = $1`, acc.ID); err != nil {
		t.Fatal(err)
	}
	return h.Login(t, acc.Email, apptest.Password)
}

func TestCardStatusLifecycle(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := h.CardHolder(t, "cm-status@example.com")
		auth := apptest.Bearer(acc.Access)

		got := cmGetStatus(t, r, acc, c.PublicToken)
		want := map[string]string{"card_id": c.PublicToken, "status": "Active", "card_status_code": "00", "card_status_description": "00 (Active)"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("GET status %s = %#v, want %q", k, got[k], v)
			}
		}

		steps := []struct {
			code, cardStatus, name, list, desc string
		}{
			{"G1", "ShortTermDebitBlock", "Frozen", "frozen", "G1 (Frozen)"},
			{"G1", "ShortTermDebitBlock", "Frozen", "frozen", "G1 (Frozen)"}, // same state: 200, no issuer call
			{"00", "Active", "Active", "active", "00 (Active)"},
			{"00", "Active", "Active", "active", "00 (Active)"},
		}
		for i, s := range steps {
			if i == 1 || i == 3 {
				// A same-state request does not reach the issuer: an armed
				// failure stays armed for the next real change.
				h.App.IssuerSim.FailNext("set_status", 1)
			}
			d := cmData(t, cmPutStatus(r, acc, c.PublicToken, s.code).Expect(t, 200, ""))
			if d["public_token"] != c.PublicToken || d["card_status_code"] != s.code || d["card_status"] != s.cardStatus ||
				d["status_name"] != s.name || d["description"] == "" {
				t.Errorf("step %d PUT %s data = %v", i, s.code, d)
			}
			if u, _ := d["updated"].(string); func() bool { _, err := time.Parse(time.RFC3339, u); return err != nil }() {
				t.Errorf("step %d: updated %q is not RFC 3339", i, d["updated"])
			}
			if i == 1 || i == 3 {
				// Consume the armed failure with a real change, which must fail
				// with 502 and leave the state alone.
				next := map[string]string{"G1": "00", "00": "G1"}[s.code]
				usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, next), 502, "ISSUER_UNAVAILABLE")
			}
			if g := cmGetStatus(t, r, acc, c.PublicToken); g["status"] != s.name || g["card_status_code"] != s.code ||
				g["card_status_description"] != s.desc {
				t.Errorf("step %d GET after PUT %s = %v", i, s.code, g)
			}
			if l := cmListed(t, r, acc, c.ID, false); l == nil || l["status"] != s.list {
				t.Errorf("step %d: card list entry %v, want status %s", i, l, s.list)
			}
		}

		other := h.Register(t, "cm-status-other@example.com")
		for _, tc := range []struct {
			name   string
			acc    apptest.Account
			body   any
			status int
			code   string
		}{
			{"bad code", acc, map[string]any{"public_token": c.PublicToken, "card_status_code": "01"}, 400, "INVALID_STATUS_CODE"},
			{"lower-case code", acc, map[string]any{"public_token": c.PublicToken, "card_status_code": "g1"}, 400, "INVALID_STATUS_CODE"},
			{"foreign card", other, map[string]any{"public_token": c.PublicToken, "card_status_code": "G1"}, 404, "CARD_NOT_FOUND"},
			{"unknown card", acc, map[string]any{"public_token": "999999999", "card_status_code": "G1"}, 404, "CARD_NOT_FOUND"},
			{"missing token", acc, map[string]any{"card_status_code": "G1"}, 400, "VALIDATION_FAILED"},
			{"missing code", acc, map[string]any{"public_token": c.PublicToken}, 400, "VALIDATION_FAILED"},
			{"empty body", acc, map[string]any{}, 400, "VALIDATION_FAILED"},
			{"code as number", acc, map[string]any{"public_token": c.PublicToken, "card_status_code": 99}, 400, "VALIDATION_FAILED"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := r.do(http.MethodPut, cmStatusPath, tc.body, apptest.Bearer(tc.acc.Access))
				fields := usrExpectErr(t, res, tc.status, tc.code)
				if tc.code == "VALIDATION_FAILED" && len(fields) == 0 {
					t.Errorf("VALIDATION_FAILED without fields: %s", res.Body)
				}
			})
		}
		usrExpectErr(t, r.do(http.MethodGet, cmStatusPath+"?public_token="+c.PublicToken, nil, apptest.Bearer(other.Access)), 404, "CARD_NOT_FOUND")
		usrExpectErr(t, r.do(http.MethodGet, cmStatusPath, nil, auth), 400, "VALIDATION_FAILED")
		usrExpectErr(t, r.do(http.MethodGet, cmStatusPath+"?public_token="+c.PublicToken, nil), 401, "UNAUTHORIZED")
		usrExpectErr(t, r.do(http.MethodPut, cmStatusPath, map[string]any{"public_token": c.PublicToken, "card_status_code": "G1"}), 401, "UNAUTHORIZED")
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["card_status_code"] != "00" {
			t.Fatalf("rejected requests changed the status: %v", g)
		}

		// Issuer failure on a real change: 502, nothing changes locally.
		h.App.IssuerSim.FailNext("set_status", 1)
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "G1"), 502, "ISSUER_UNAVAILABLE")
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["status"] != "Active" {
			t.Fatalf("status after an issuer failure = %v", g)
		}
		h.App.IssuerSim.FailNext("set_status", 1)
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "99"), 502, "ISSUER_UNAVAILABLE")
		if l := cmListed(t, r, acc, c.ID, false); l == nil || l["status"] != "active" {
			t.Fatalf("a failed cancel changed the card: %v", l)
		}

		// Idempotency-Key: a replay answers the stored body and does not run again.
		key := apptest.Header{Name: "Idempotency-Key", Value: "cm-freeze-0001"}
		first := cmPutStatus(r, acc, c.PublicToken, "G1", key).Expect(t, 200, "")
		if first.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("first request marked as replayed")
		}
		cmPutStatus(r, acc, c.PublicToken, "00").Expect(t, 200, "") // unfreeze in between
		again := cmPutStatus(r, acc, c.PublicToken, "G1", key).Expect(t, 200, "")
		if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Body, again.Body) {
			t.Errorf("replay: header %q, body %s, first %s", again.Header.Get("Idempotent-Replayed"), again.Body, first.Body)
		}
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["status"] != "Active" {
			t.Errorf("a replay executed again: status %v", g["status"])
		}
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "99", key), 409, "IDEMPOTENCY_CONFLICT")
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["status"] != "Active" {
			t.Errorf("a conflicting key executed: status %v", g["status"])
		}
		r.noPAN(t, c.PublicToken)
	})
}

func TestCardStatusCancelRefundsBalance(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "cm-cancel@example.com")
		auth := apptest.Bearer(acc.Access)
		before, _ := new(big.Rat).SetString(balanceOf(t, h, acc, "USDT-TRC20"))

		// A cancellation the issuer refuses gives the balance it took back:
		// nothing changes, on either side.
		h.App.IssuerSim.FailNext("set_status", 1)
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "99"), 502, "ISSUER_UNAVAILABLE")
		if got := cmIssuerBalance(t, h, c.PublicToken); got != 38142 {
			t.Fatalf("issuer balance after a refused cancel = %d cents, want 38142", got)
		}

		d := cmData(t, cmPutStatus(r, acc, c.PublicToken, "99").Expect(t, 200, ""))
		if got := cmIssuerBalance(t, h, c.PublicToken); got != 0 {
			t.Errorf("issuer balance after cancel = %d cents, want 0 (the balance is withdrawn from the card)", got)
		}
		if d["card_status_code"] != "99" || d["card_status"] != "Closed" || d["status_name"] != "Cancelled" {
			t.Fatalf("cancel data = %v", d)
		}
		// 381.42 HKD / 7.80 = 48.9 USDT exactly, no fee.
		after, _ := new(big.Rat).SetString(balanceOf(t, h, acc, "USDT-TRC20"))
		if diff := new(big.Rat).Sub(after, before); diff.Cmp(big.NewRat(489, 10)) != 0 {
			t.Errorf("wallet USDT-TRC20 credited %s, want 48.9", diff.FloatString(6))
		}
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["status"] != "Cancelled" || g["card_status_code"] != "99" {
			t.Errorf("GET status after cancel = %v", g)
		}
		if l := cmListed(t, r, acc, c.ID, false); l != nil {
			t.Errorf("a cancelled card is listed without include_cancelled: %v", l)
		}
		l := cmListed(t, r, acc, c.ID, true)
		if l == nil || l["status"] != "cancelled" || !cmEq(l["balance"], "0") {
			t.Errorf("include_cancelled entry = %v", l)
		}

		u := cmData(t, r.do(http.MethodGet, "/api/v1/wallet/unified-transactions?type=refund", nil, auth).Expect(t, 200, ""))
		items, _ := u["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("%d refund rows, want 1: %v", len(items), u)
		}
		row := items[0].(map[string]any)
		if row["type"] != "refund" || row["currency"] != "USDT-TRC20" || !cmEq(row["amount"], "48.9") || row["status"] != "completed" {
			t.Errorf("refund row = %v", row)
		}

		w := cmNum(t, r.do(http.MethodGet, "/api/v1/wallet/", nil, auth).Expect(t, 200, ""))["wallet"].(map[string]any)
		found := false
		for _, raw := range w["balances"].([]any) {
			if b := raw.(map[string]any); b["currency"] == "HKD" {
				found = true
				if !cmEq(b["balance"], "0") {
					t.Errorf("wallet HKD entry = %v, want 0", b["balance"])
				}
			}
		}
		if !found {
			t.Errorf("wallet has no HKD entry: %v", w)
		}

		// The card's own history shows the balance leaving as a "2" row.
		rows := cmHistory(t, r, acc, "public_token="+c.PublicToken)["transactions"].([]any)
		if len(rows) == 0 || rows[0].(map[string]any)["trade_type"] != "2" || !cmEq(rows[0].(map[string]any)["amount"], "381.42") {
			t.Errorf("newest history row after cancel = %v", rows)
		}

		for _, code := range []string{"00", "G1", "99"} {
			usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, code), 400, "CARD_CANCELLED")
		}
		if again, _ := new(big.Rat).SetString(balanceOf(t, h, acc, "USDT-TRC20")); again.Cmp(after) != 0 {
			t.Errorf("wallet moved after the cancel: %s → %s", after.FloatString(6), again.FloatString(6))
		}
		verifyLedger(t, h)
		r.noPAN(t, c.PublicToken)
	})
}

func TestCardStatusFrozenAccount(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := h.CardHolder(t, "cm-frozen@example.com")
		acc = cmFreezeAccount(t, h, acc)
		// Reads still work; freezing one's own card is always allowed.
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["status"] != "Active" {
			t.Fatalf("GET status = %v", g)
		}
		cmPutStatus(r, acc, c.PublicToken, "G1").Expect(t, 200, "")
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "00"), 403, "ACCOUNT_FROZEN")
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "99"), 403, "ACCOUNT_FROZEN")
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["status"] != "Frozen" {
			t.Errorf("status after refused writes = %v", g)
		}
		// Same-state G1 is fine too.
		cmPutStatus(r, acc, c.PublicToken, "G1").Expect(t, 200, "")
		if l := cmListed(t, r, acc, c.ID, false); l == nil || l["status"] != "frozen" {
			t.Errorf("card list entry %v", l)
		}
	})
}

func TestCardTradeSandboxTransactions(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, h *apptest.Harness) {
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
			if res.JSON["code"] != float64(200) || res.JSON["errstr"] != "SUCCESS" || res.JSON["request_id"] != res.Header.Get("X-Request-Id") {
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
		tradePath := func(id any, token string) string { return fmt.Sprintf("/api/v1/card/trade/%v?public_token=%s", id, token) }
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
	if res.Status != 200 || res.JSON["code"] != float64(200) || res.JSON["errstr"] != "SUCCESS" {
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
	eachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "cm-webhook-sig@example.com")
		now := time.Now()
		body := func(id string) []byte {
			return cmEvent(id, "card.transaction.authorized", c.PublicToken, h.Clock.Now(),
				map[string]any{"trade_id": 7000000000000001, "amount": "100.00", "merchant_name": "SHOP"})
		}
		good := func(b []byte) string { return httpapi.SignIssuerEvent(cmIssuerKey, now, b) }
		ts := strconv.FormatInt(now.Unix(), 10)
		for _, tc := range []struct {
			name string
			sign func(b []byte) string
		}{
			{"missing header", func([]byte) string { return "" }},
			{"wrong secret", func(b []byte) string { return httpapi.SignIssuerEvent("another-secret", now, b) }},
			{"forged hex", func([]byte) string { return "t=" + ts + ",v1=" + strings.Repeat("ab", 32) }},
			{"signature of another body", func([]byte) string { return good([]byte(`{"event_id":"x"}`)) }},
			{"stale timestamp", func(b []byte) string { return httpapi.SignIssuerEvent(cmIssuerKey, now.Add(-10*time.Minute), b) }},
			{"future timestamp", func(b []byte) string { return httpapi.SignIssuerEvent(cmIssuerKey, now.Add(10*time.Minute), b) }},
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
	eachEngine(t, func(t *testing.T, h *apptest.Harness) {
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
				cmExpectAck(t, cmPostEvent(r, b, httpapi.SignIssuerEvent(cmIssuerKey, time.Now(), b)))
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

// cmIssuerBalance is the sandbox issuer's own balance of a card, in cents.
func cmIssuerBalance(t *testing.T, h *apptest.Harness, token string) int64 {
	t.Helper()
	var b int64
	if err := h.App.DB.SQL.QueryRow(`SELECT balance FROM sim_issuer_cards WHERE public_token = $1`, token).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}
