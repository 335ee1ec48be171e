package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

func TestUnifiedTransactions(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "hist-a@example.com"), h.Register(t, "hist-b@example.com")
		h.SetTxPassword(t, alice)
		h.Deposit(t, alice, "USDT-TRC20", "100")
		h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": bob.ID, "currency": "USDT-TRC20",
			"amount": "25", "transaction_password": apptest.TxPassword}, apptest.Bearer(alice.Access)).Expect(t, 200, "")
		withdraw(h, alice, "20", externalTron).Expect(t, 200, "")
		waitWithdrawal(t, h, alice, "completed")

		type historyItem struct {
			Type               string  `json:"type"`
			TypeLabel          string  `json:"type_label"`
			Status             string  `json:"status"`
			Amount             float64 `json:"amount"`
			Fee                float64 `json:"fee"`
			TxHash             string  `json:"tx_hash"`
			SourceTable        string  `json:"source_table"`
			CounterpartyUserID *int64  `json:"counterparty_user_id"`
		}
		list := func(acc apptest.Account, query string, headers ...apptest.Header) []historyItem {
			res := h.Do(http.MethodGet, "/api/v1/wallet/unified-transactions"+query, nil, append(headers, apptest.Bearer(acc.Access))...).Expect(t, 200, "")
			return apptest.Data[struct {
				Items []historyItem `json:"items"`
			}](t, res).Items
		}
		items := list(alice, "")
		if len(items) != 3 {
			t.Fatalf("alice has %d items, want deposit, transfer, withdrawal: %v", len(items), items)
		}
		want := []struct {
			typ    string
			amount float64
			status string
		}{{"withdraw", -20, "completed"}, {"transfer", -25, "completed"}, {"deposit", 100, "completed"}}
		for i, w := range want {
			it := items[i]
			if it.Type != w.typ || it.Amount != w.amount || it.Status != w.status {
				t.Errorf("item %d = %+v, want %+v", i, it, w)
			}
		}
		if tr := items[1]; tr.CounterpartyUserID == nil || *tr.CounterpartyUserID != bob.ID || tr.SourceTable != "transfers" {
			t.Errorf("transfer item %+v", tr)
		}
		if wd := items[0]; wd.Fee != 1 || wd.TxHash == "" {
			t.Errorf("withdraw item %+v", wd)
		}
		bobItems := list(bob, "")
		if len(bobItems) != 1 || bobItems[0].Amount != 25 {
			t.Fatalf("bob's history %v", bobItems)
		}
		if got := list(alice, "?type=deposit"); len(got) != 1 {
			t.Errorf("type filter: %d items", len(got))
		}
		if got := list(alice, "?page=2&page_size=2"); len(got) != 1 {
			t.Errorf("page 2 of size 2: %d items", len(got))
		}
		if got := list(alice, "?start_date=2030-01-01"); len(got) != 0 {
			t.Errorf("future start date: %d items", len(got))
		}
		if got := list(alice, "?end_date=2026-02-25"); len(got) != 3 {
			t.Errorf("inclusive end date (the test clock's day): %d items", len(got))
		}
		zh := list(alice, "?type=deposit", apptest.Header{Name: "Accept-Language", Value: "zh"})
		if zh[0].TypeLabel == "Deposit" {
			t.Errorf("type_label not localized: %v", zh[0])
		}
		for _, q := range []string{"?type=bogus", "?status=bogus", "?start_date=yesterday", "?page=0", "?page_size=x"} {
			h.Do(http.MethodGet, "/api/v1/wallet/unified-transactions"+q, nil, apptest.Bearer(alice.Access)).Expect(t, 400, "VALIDATION_FAILED")
		}
	})
}

func TestExchangeRates(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "rates@example.com")
		auth := apptest.Bearer(acc.Access)
		for _, tc := range []struct {
			from, to string
			rate     float64
		}{{"USDT", "HKD", 7.8}, {"USDT-TRC20", "HKD", 7.8}, {"HKD", "USDC", 0.12820513}, {"USDT", "USDC", 1}} {
			res := h.Do(http.MethodGet, "/api/v1/wallet/exchange-rate?from="+tc.from+"&to="+tc.to, nil, auth).Expect(t, 200, "")
			if d := apptest.Data[struct {
				Rate float64 `json:"rate"`
			}](t, res); d.Rate != tc.rate {
				t.Errorf("%s→%s = %v, want %v", tc.from, tc.to, d.Rate, tc.rate)
			}
		}
		h.Do(http.MethodGet, "/api/v1/wallet/exchange-rate?from=USDT&to=USDT", nil, auth).Expect(t, 400, "SAME_CURRENCY")
		h.Do(http.MethodGet, "/api/v1/wallet/exchange-rate?from=BTC&to=HKD", nil, auth).Expect(t, 400, "UNSUPPORTED_PAIR")
		h.Do(http.MethodGet, "/api/v1/wallet/exchange-rate?from=USDT", nil, auth).Expect(t, 400, "VALIDATION_FAILED")
		res := h.Do(http.MethodGet, "/api/v1/wallet/exchange-rates", nil, apptest.Bearer("stale-token")).Expect(t, 200, "")
		d := apptest.Data[struct {
			Rates []struct {
				Rate float64 `json:"rate"`
			} `json:"rates"`
			Source string `json:"source"`
		}](t, res)
		if len(d.Rates) != 3 || d.Source != "sandbox" {
			t.Fatalf("rates %+v", d)
		}
	})
}
