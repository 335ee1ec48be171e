package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

var (
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/settings", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/settings", map[string]any{"values": map[string]any{"card_failed_transaction_fee_hkd": "0.5"},
				"reason": "issuer price list 2026"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/swap-fee-config", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/swap-fee-config", map[string]any{"fee_rate": 0.025, "reason": "pricing review"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/withdrawal-fee-config", Role: operator.SuperAdmin,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/withdrawal-fee-config", map[string]any{"currency": "USDT-ERC20", "fee_type": "fixed",
				"fee_amount": 2, "reason": "gas prices"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/card-fee-config/{card_type}", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/card-fee-config/physical", map[string]any{"fee_amount": 45, "IsActive": true,
				"description": "physical card fee", "reason": "confirmed"}
		}})
)

type adminSetting struct {
	Key       string          `json:"key"`
	Kind      string          `json:"kind"`
	Value     json.RawMessage `json:"value"`
	Default   json.RawMessage `json:"default"`
	Editable  bool            `json:"editable"`
	Live      bool            `json:"live"`
	Source    string          `json:"source"`
	UpdatedBy string          `json:"updated_by"`
}

type settingChange struct {
	Key      string          `json:"key"`
	OldValue json.RawMessage `json:"old_value"`
	NewValue json.RawMessage `json:"new_value"`
	Actor    string          `json:"actor"`
	Reason   string          `json:"reason"`
}

func adminSettings(t *testing.T, h *apptest.Harness, token string) map[string]adminSetting {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/admin/settings", nil, apptest.Bearer(token)).Expect(t, 200, "")
	out := map[string]adminSetting{}
	for _, s := range apptest.Data[struct {
		Items []adminSetting `json:"items"`
	}](t, res).Items {
		out[s.Key] = s
	}
	return out
}

func settingsHistory(t *testing.T, h *apptest.Harness, token, key string) []settingChange {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/admin/settings/history?key="+key, nil, apptest.Bearer(token)).Expect(t, 200, "")
	return apptest.Data[struct {
		Items []settingChange `json:"items"`
	}](t, res).Items
}

func putSettings(h *apptest.Harness, token string, values map[string]any) *apptest.Response {
	return h.Do(http.MethodPut, "/api/v1/admin/settings", map[string]any{"values": values, "reason": "test"}, apptest.Bearer(token))
}

// TestOperatorChangesSettings: every §3.3 figure is listed with where it
// lives; a change through the API is what the next request sees (slots,
// transfers, withdrawal fees, swap quotes, card details), is kept in the
// history with who and why, and a bad value, an inconsistent pair or a key
// that is not a stored setting changes nothing.
func TestOperatorChangesSettings(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := h.Operator(t, "finance@ops.example.com", operator.Finance)
		support := h.Operator(t, "support@ops.example.com", operator.Support)
		alice, bob := h.Register(t, "alice@example.com"), h.Register(t, "bob@example.com")
		h.SetTxPassword(t, alice)
		h.Deposit(t, alice, "USDT-TRC20", "600")

		all := adminSettings(t, h, support.Token)
		for key, want := range map[string]struct{ source, value string }{
			"max_cards": {"settings", "5"}, "swap_fee_rate": {"settings", "0.022"}, "card_fee.virtual": {"card_fee_config", ""},
			"access_token_ttl": {"deployment", `"24h0m0s"`}, "withdrawal_fee.USDT-TRC20": {"settings", ""},
			"withdrawal_auto_approve_max_usd": {"settings", "0"}, "kyc_requires_card_fee": {"settings", "true"},
		} {
			got, ok := all[key]
			if !ok || got.Source != want.source || (want.value != "" && string(got.Value) != want.value) ||
				got.Editable != (want.source == "settings") || got.Live != (want.source != "deployment") {
				t.Errorf("setting %s = %+v, want source %s value %s", key, got, want.source, want.value)
			}
		}

		before := auditCount(t, h)
		for name, values := range map[string]map[string]any{
			"min above max":      {"card_recharge_min_hkd": 20000},
			"out of range":       {"max_cards": 0},
			"not a number":       {"swap_fee_rate": "cheap"},
			"card fee":           {"card_fee.virtual": 1},
			"deployment":         {"access_token_ttl": "1h"},
			"unknown":            {"free_lunch": true},
			"fee swallows":       {"withdrawal_fee.USDT-TRC20": map[string]any{"fee_type": "fixed", "fee_amount": 10}},
			"fee member":         {"withdrawal_fee.USDT-TRC20": map[string]any{"fee_type": "percentage", "fee_rate": 0.5}},
			"above four-eyes":    {"withdrawal_auto_approve_max_usd": 1000.01},
			"one bad, one good":  {"max_cards": 3, "transfer_max": -1},
			"daily over monthly": {"withdrawal_daily_limit_usd": 600000},
		} {
			res := putSettings(h, fin.Token, values).Expect(t, 400, "VALIDATION_FAILED")
			if len(apptest.Decode[apptest.ErrorBody](t, res).Fields) == 0 {
				t.Errorf("%s: no fields in %s", name, res.Body)
			}
		}
		putSettings(h, fin.Token, map[string]any{}).Expect(t, 400, "VALIDATION_FAILED")
		putSettings(h, support.Token, map[string]any{"max_cards": 2}).Expect(t, 403, "FORBIDDEN")
		if n := auditCount(t, h); n != before {
			t.Fatalf("refused changes wrote %d audit rows", n-before)
		}
		if got := adminSettings(t, h, fin.Token)["max_cards"]; string(got.Value) != "5" || got.UpdatedBy != "" {
			t.Fatalf("a refused change was stored: %+v", got)
		}

		res := putSettings(h, fin.Token, map[string]any{"max_cards": 1, "transfer_min": "2", "card_quota_day_hkd": 20000,
			"withdrawal_fee.USDT-TRC20": map[string]any{"fee_type": "percentage", "fee_rate": "0.01", "min_fee": 2}}).Expect(t, 200, "")
		if n := auditCount(t, h); n != before+1 {
			t.Fatalf("one change wrote %d audit rows", n-before)
		}
		rows, _, err := h.App.Audit.List(context.Background(), audit.Filter{Action: "settings.update"}, 1, 0)
		if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Before, `"max_cards":5`) || !strings.Contains(rows[0].After, `"max_cards":1`) ||
			rows[0].Actor.ID != fin.ID || rows[0].Reason != "test" {
			t.Errorf("audit of the change: %+v, %v", rows, err)
		}
		if got := apptest.Data[struct {
			Items []adminSetting `json:"items"`
		}](t, res).Items; len(got) != len(all) {
			t.Errorf("PUT answered %d settings, GET %d", len(got), len(all))
		}

		// Live on the next request.
		eligible := func() bool {
			return apptest.Decode[struct {
				Eligible bool `json:"eligible"`
			}](t, h.Do(http.MethodGet, "/api/v1/kyc/eligibility", nil, apptest.Bearer(bob.Access)).Expect(t, 200, "")).Eligible
		}
		if eligible() {
			t.Fatal("bob may start KYC without a fee payment")
		}
		putSettings(h, fin.Token, map[string]any{"kyc_requires_card_fee": false}).Expect(t, 200, "")
		if !eligible() {
			t.Error("bob may not start KYC after kyc_requires_card_fee was switched off")
		}
		stats := apptest.Decode[struct {
			Stats struct {
				MaxCards int `json:"max_cards"`
			} `json:"stats"`
		}](t, h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, apptest.Bearer(alice.Access)).Expect(t, 200, "")).Stats
		if stats.MaxCards != 1 {
			t.Errorf("GetStats max_cards %d after the change, want 1", stats.MaxCards)
		}
		transfer := func(amount string) *apptest.Response {
			return h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": bob.ID,
				"currency": "USDT-TRC20", "amount": amount, "transaction_password": apptest.TxPassword}, apptest.Bearer(alice.Access))
		}
		transfer("1").Expect(t, 400, "VALIDATION_FAILED")
		transfer("2").Expect(t, 200, "")
		for amount, fee := range map[string]string{"100": "2", "500": "5", "123.45": "2"} {
			res := h.Do(http.MethodGet, "/api/v1/wallet/withdrawal-fee-info?currency=USDT-TRC20&amount="+amount, nil,
				apptest.Bearer(alice.Access)).Expect(t, 200, "")
			d := cmData(t, res)
			if d["fee_type"] != "percentage" || d["fee"] != json.Number(fee) || d["fee_value"] != json.Number("0.01") || d["min_fee"] != json.Number("2") {
				t.Errorf("fee-info for %s: %s, want a 1 %% fee of %s", amount, res.Body, fee)
			}
		}
		res = withdraw(h, alice, "500", externalTron).Expect(t, 200, "")
		if w := withdrawalOf(t, res); w.Fee != 5 {
			t.Errorf("withdrawal of 500 charged fee %v, want 5 (1 %%)", w.Fee)
		}

		// The swap fee rate: the quote made after the change carries it.
		h.Do(http.MethodPut, "/api/v1/admin/swap-fee-config", map[string]any{"fee_rate": 0.3}, apptest.Bearer(fin.Token)).
			Expect(t, 400, "VALIDATION_FAILED")
		res = h.Do(http.MethodPut, "/api/v1/admin/swap-fee-config", map[string]any{"fee_rate": "0.03", "reason": "repricing"},
			apptest.Bearer(fin.Token)).Expect(t, 200, "")
		if d := cmData(t, res); d["fee_rate"] != json.Number("0.03") || d["updated_by"] != fin.Email {
			t.Errorf("swap fee after PUT: %s", res.Body)
		}
		hist := cmData(t, h.Do(http.MethodGet, "/api/v1/admin/swap-fee-config/history", nil, apptest.Bearer(support.Token)).Expect(t, 200, ""))
		items, _ := hist["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("swap fee history %v", hist)
		}
		if row := items[0].(map[string]any); row["fee_rate"] != json.Number("0.03") || row["previous_fee_rate"] != json.Number("0.022") ||
			row["changed_by"] != fin.Email || row["reason"] != "repricing" {
			t.Errorf("swap fee history row %v", row)
		}

		// The history names each change, its values typed, who and why.
		if got := settingsHistory(t, h, support.Token, "max_cards"); len(got) != 1 || string(got[0].OldValue) != "5" ||
			string(got[0].NewValue) != "1" || got[0].Actor != fin.Email || got[0].Reason != "test" {
			t.Errorf("max_cards history %+v", got)
		}
		if got := settingsHistory(t, h, support.Token, "withdrawal_fee."); len(got) != 1 || got[0].Key != "withdrawal_fee.USDT-TRC20" {
			t.Errorf("withdrawal fee history %+v", got)
		}
		if got := settingsHistory(t, h, support.Token, ""); len(got) != 6 {
			t.Errorf("whole history has %d changes, want 6: %+v", len(got), got)
		}

		// The withdrawal fee endpoint shows and changes the same rule.
		res = h.Do(http.MethodGet, "/api/v1/admin/withdrawal-fee-config", nil, apptest.Bearer(support.Token)).Expect(t, 200, "")
		fees := apptest.Data[struct {
			Items []struct {
				Currency string      `json:"currency"`
				FeeType  string      `json:"fee_type"`
				FeeRate  json.Number `json:"fee_rate"`
				MinFee   json.Number `json:"min_fee"`
			} `json:"items"`
		}](t, res).Items
		if len(fees) != 4 || fees[0].Currency != "USDT-TRC20" || fees[0].FeeRate != "0.01" || fees[0].MinFee != "2" {
			t.Errorf("withdrawal fees %s", res.Body)
		}
		for _, body := range []map[string]any{
			{"currency": "HKD", "fee_type": "fixed", "fee_amount": 1},
			{"currency": "USDT-TRC20", "fee_type": "percent", "fee_rate": 0.01},
			{"currency": "USDT-TRC20", "fee_type": "fixed", "fee_rate": 0.01},
			{"currency": "USDT-TRC20", "fee_type": "fixed"},
		} {
			h.Do(http.MethodPut, "/api/v1/admin/withdrawal-fee-config", body, apptest.Bearer(fin.Token)).Expect(t, 400, "VALIDATION_FAILED")
		}
		h.Do(http.MethodPut, "/api/v1/admin/withdrawal-fee-config", map[string]any{"currency": "USDT-TRC20", "fee_type": "fixed",
			"fee_amount": "1.5"}, apptest.Bearer(fin.Token)).Expect(t, 200, "")
		res = h.Do(http.MethodGet, "/api/v1/wallet/withdrawal-fee-info?amount=100", nil, apptest.Bearer(alice.Access)).Expect(t, 200, "")
		if d := cmData(t, res); d["fee_type"] != "fixed" || d["fee"] != json.Number("1.5") || d["min_fee"] != json.Number("0") {
			t.Errorf("fee-info after the fixed fee: %s", res.Body)
		}

		// Card fees: the card-fee endpoints, the public config and the history.
		h.Do(http.MethodPut, "/api/v1/admin/card-fee-config/gold", map[string]any{"fee_amount": 1}, apptest.Bearer(fin.Token)).
			Expect(t, 404, "CARD_FEE_NOT_CONFIGURED")
		h.Do(http.MethodPut, "/api/v1/admin/card-fee-config/virtual", map[string]any{"fee_amount": 1000.01}, apptest.Bearer(fin.Token)).
			Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPut, "/api/v1/admin/card-fee-config/virtual", map[string]any{"IsActive": false}, apptest.Bearer(fin.Token)).
			Expect(t, 400, "VALIDATION_FAILED")
		res = h.Do(http.MethodPut, "/api/v1/admin/card-fee-config/virtual", map[string]any{"fee_amount": "6.5", "IsActive": false},
			apptest.Bearer(fin.Token)).Expect(t, 200, "")
		if d := cmData(t, res); d["fee_amount"] != json.Number("6.5") || d["IsActive"] != false || d["card_type"] != "virtual" {
			t.Errorf("card fee after PUT: %s", res.Body)
		}
		res = h.Do(http.MethodGet, "/api/v1/CardFee/GetConfig?card_type=virtual", nil, apptest.Bearer(alice.Access)).Expect(t, 200, "")
		if cfg := cmNum(t, res)["config"].(map[string]any); cfg["fee_amount"] != json.Number("6.5") || cfg["IsActive"] != false {
			t.Errorf("public config after the change: %s", res.Body)
		}
		if got := settingsHistory(t, h, support.Token, "card_fee.virtual"); len(got) != 1 ||
			string(got[0].OldValue) != `{"fee_amount":5,"IsActive":true}` || string(got[0].NewValue) != `{"fee_amount":6.5,"IsActive":false}` {
			t.Errorf("card fee history %+v", got)
		}
		res = h.Do(http.MethodGet, "/api/v1/admin/card-fee-config", nil, apptest.Bearer(support.Token)).Expect(t, 200, "")
		if items, _ := cmData(t, res)["items"].([]any); len(items) != 2 {
			t.Errorf("card fee configs %s", res.Body)
		}
	})
}

// TestWithdrawalAutoApprovalThreshold: in production's behaviour (staging)
// withdrawals wait for an operator until the setting lets small ones
// through, up to the threshold and no further.
func TestWithdrawalAutoApprovalThreshold(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, apptest.Staging())
		fin := h.Operator(t, "finance@ops.example.com", operator.Finance)
		acc := h.Register(t, "threshold@example.com")
		addr := walletOf(t, h, acc).Balances[0].Address
		custodyPost(h, "/api/v1/webhooks/custody", depositEvent("threshold-dep-1", addr, 3, "100000000"), false).Expect(t, 200, "")
		processAll(t, h)

		if st := withdrawalOf(t, withdraw(h, acc, "20", externalTron).Expect(t, 200, "")).Status; st != "pending" {
			t.Fatalf("withdrawal under the default threshold 0: %s, want pending", st)
		}
		putSettings(h, fin.Token, map[string]any{"withdrawal_auto_approve_max_usd": 25}).Expect(t, 200, "")
		if st := withdrawalOf(t, withdraw(h, acc, "25", externalTron).Expect(t, 200, "")).Status; st != "approved" {
			t.Errorf("withdrawal of 25 under a threshold of 25: %s, want approved", st)
		}
		if st := withdrawalOf(t, withdraw(h, acc, "25.000001", externalTron).Expect(t, 200, "")).Status; st != "pending" {
			t.Errorf("withdrawal of 25.000001 over a threshold of 25: %s, want pending", st)
		}
	})
}
