package httpapi_test

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestFeeChangeReachesAnotherReplica is issue 12's "a fee changed through
// the API is charged by the next card-fee payment on another replica": two
// services on one database, the fee changed through replica A's admin API,
// the payment created and completed on replica B, which charges the new fee
// with no restart and no cache to expire. The same for the swap fee rate,
// where a quote made before the change keeps the rate it was made at.
func TestFeeChangeReachesAnotherReplica(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		// Replicas of one deployment share its database and its secrets
		// (the data key opens what the other sealed).
		url, key := storetest.URL(t, engine), make([]byte, 32)
		_, _ = rand.Read(key)
		deployment := func(c *config.Config) { c.DataKey = key }
		a := apptest.New(t, engine, apptest.Database(url), deployment)
		b := apptest.New(t, engine, apptest.Database(url), deployment)
		fin := a.Operator(t, "finance@ops.example.com", operator.Finance)
		acc, card := b.CardHolder(t, "replica@example.com") // paid the default 5 USD fee on B
		auth := apptest.Bearer(acc.Access)
		b.Deposit(t, acc, "USDT-TRC20", "300")

		// The card fee, changed on A, charged on B.
		a.Do(http.MethodPut, "/api/v1/admin/card-fee-config/virtual", map[string]any{"fee_amount": "7.5", "reason": "new price"},
			apptest.Bearer(fin.Token)).Expect(t, 200, "")
		res := b.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual"}, auth).Expect(t, 200, "")
		created := cmNum(t, res)["payment"].(map[string]any)
		if created["original_fee"] != json.Number("7.5") || created["actual_payment"] != json.Number("7.5") {
			t.Fatalf("payment created on B after the change on A: %s, want 7.5", res.Body)
		}
		ref := apptest.Decode[apptest.FeePayment](t, res).Payment.TransactionRef
		b.Do(http.MethodPost, "/api/v1/CardFee/CompletePayment/"+ref, map[string]string{"payment_currency": "USDT-TRC20"}, auth).
			Expect(t, 200, "")
		if got := balanceOf(t, b, acc, "USDT-TRC20"); got != "292.5" {
			t.Fatalf("balance after the fee on B: %s, want 292.5 (300 − 7.5)", got)
		}

		// The swap fee rate, changed on A, charged on B.
		before := quoteFor(t, b, acc, "USDT-TRC20", "HKD", 100) // priced at 0.022
		a.Do(http.MethodPut, "/api/v1/admin/swap-fee-config", map[string]any{"fee_rate": 0.03}, apptest.Bearer(fin.Token)).Expect(t, 200, "")
		res = b.Do(http.MethodGet, "/api/v1/admin/swap-fee-config", nil, apptest.Bearer(fin.Token)).Expect(t, 200, "")
		if d := cmData(t, res); d["fee_rate"] != json.Number("0.03") {
			t.Fatalf("B's admin API shows %s", res.Body)
		}
		d := cmData(t, postSwap(b, acc, swapBody("USDT-TRC20", "HKD", 100, "card_id", card.ID)).Expect(t, 200, ""))
		expectFields(t, "swap on B after the change", d, map[string]any{"fee_rate": json.Number("0.03"),
			"fee_amount": json.Number("23.4"), "net_amount": json.Number("756.6")})
		d = cmData(t, postSwap(b, acc, swapBody("USDT-TRC20", "HKD", 100, "quote_id", before, "card_id", card.ID)).Expect(t, 200, ""))
		expectFields(t, "swap on B with a quote made before the change", d, map[string]any{"fee_rate": json.Number("0.022"),
			"fee_amount": json.Number("17.16")})
		if got := cardListBalance(t, b, acc, card); got != "1519.44" {
			t.Errorf("card balance %s, want 1519.44 (756.6 + 762.84)", got)
		}
		verifyLedger(t, b)
	})
}
