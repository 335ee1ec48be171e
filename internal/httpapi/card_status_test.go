package httpapi_test

import (
	"bytes"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

func TestCardStatusLifecycle(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
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
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
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
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
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
