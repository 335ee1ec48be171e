package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// cardNotifications returns the user's notifications of one type, oldest
// first, with their data decoded.
func cardNotifications(t *testing.T, h *apptest.Harness, userID int64, typ string) []map[string]any {
	t.Helper()
	rows, err := h.App.DB.SQL.Query(`SELECT data FROM notifications WHERE user_id = $1 AND type = $2 ORDER BY id`, userID, typ)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			t.Fatalf("notification data %q is not a JSON object: %v", raw, err)
		}
		out = append(out, d)
	}
	return out
}

func TestCardNotifications(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "card-notify@example.com")
		if got := cardNotifications(t, h, acc.ID, "card_issued"); len(got) != 1 || got[0]["public_token"] != c.PublicToken ||
			got[0]["type"] != "card_issued" {
			t.Fatalf("card_issued notifications %v", got)
		}
		cmPutStatus(r, acc, c.PublicToken, "G1").Expect(t, 200, "")
		cmPutStatus(r, acc, c.PublicToken, "G1").Expect(t, 200, "") // same state: no second notification
		cmPutStatus(r, acc, c.PublicToken, "00").Expect(t, 200, "")
		st := cardNotifications(t, h, acc.ID, "card_status")
		if len(st) != 2 || st[0]["status"] != "frozen" || st[1]["status"] != "active" || st[0]["public_token"] != c.PublicToken {
			t.Fatalf("card_status notifications %v", st)
		}
		tx := func(body map[string]any) map[string]any {
			return cmData(t, h.Do(http.MethodPost, "/api/v1/sandbox/cards/"+c.PublicToken+"/transactions", body).Expect(t, 200, ""))
		}
		auth := tx(map[string]any{"type": "authorization", "amount": "12.30", "merchant_name": "SHOP"})
		tx(map[string]any{"type": "clearing", "trade_id": auth["trade_id"]})
		tx(map[string]any{"type": "refund", "trade_id": auth["trade_id"], "amount": "2"})
		tx(map[string]any{"type": "authorization", "amount": "99999"})
		got := cardNotifications(t, h, acc.ID, "card_transaction")
		want := []struct{ status, amount string }{{"authorized", "12.30"}, {"refunded", "2.00"}, {"declined", "99999.00"}}
		if len(got) != len(want) {
			t.Fatalf("card_transaction notifications %v", got)
		}
		for i, w := range want {
			if got[i]["status"] != w.status || got[i]["amount"] != w.amount || got[i]["currency"] != "HKD" || got[i]["public_token"] != c.PublicToken {
				t.Errorf("notification %d = %v, want %+v", i, got[i], w)
			}
		}
	})
}
