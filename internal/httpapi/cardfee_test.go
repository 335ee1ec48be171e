package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

func createPayment(h *apptest.Harness, acc apptest.Account, cardType string) *apptest.Response {
	return h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": cardType}, apptest.Bearer(acc.Access))
}

func completePayment(h *apptest.Harness, acc apptest.Account, ref, currency string, headers ...apptest.Header) *apptest.Response {
	return h.Do(http.MethodPost, "/api/v1/CardFee/CompletePayment/"+ref, map[string]string{"payment_currency": currency},
		append(headers, apptest.Bearer(acc.Access))...)
}

func TestCardFeeJourney(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "fee@example.com")
		auth := apptest.Bearer(acc.Access)
		stats := h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, auth).Expect(t, 200, "").JSON["stats"].(map[string]any)
		if stats["needs_payment_for_next_card"] != true || stats["max_cards"] != float64(5) || stats["next_card_index"] != float64(1) {
			t.Fatalf("stats %v", stats)
		}
		cfg := h.Do(http.MethodGet, "/api/v1/CardFee/GetConfig?card_type=virtual", nil, auth).Expect(t, 200, "").JSON["config"].(map[string]any)
		if cfg["fee_amount"] != float64(5) || cfg["IsActive"] != true {
			t.Fatalf("config %v", cfg)
		}
		if cur := h.Do(http.MethodGet, "/api/v1/CardFee/GetCurrencies", nil, auth).Expect(t, 200, "").JSON["currencies"].([]any); len(cur) != 4 {
			t.Fatalf("currencies %v", cur)
		}
		el := h.Do(http.MethodGet, "/api/v1/kyc/eligibility", nil, auth).Expect(t, 200, "")
		if el.JSON["eligible"] != false || el.JSON["required_action"] != "create_payment" || el.JSON["payment_status"] != "none" {
			t.Fatalf("eligibility before paying %s", el.Body)
		}

		pay := createPayment(h, acc, "virtual").Expect(t, 200, "").JSON["payment"].(map[string]any)
		ref := pay["transaction_ref"].(string)
		if pay["status"] != "pending" || pay["actual_payment"] != float64(5) || pay["paid_at"] != nil || pay["consumed"] != false {
			t.Fatalf("created payment %v", pay)
		}
		if el := h.Do(http.MethodGet, "/api/v1/kyc/eligibility", nil, auth).Expect(t, 200, ""); el.JSON["required_action"] != "complete_payment" {
			t.Fatalf("eligibility with a pending payment %s", el.Body)
		}
		completePayment(h, acc, ref, "USDT-TRC20").Expect(t, 400, "INSUFFICIENT_BALANCE")
		h.Deposit(t, acc, "USDT-TRC20", "7")
		completePayment(h, acc, ref, "HKD").Expect(t, 400, "UNSUPPORTED_CURRENCY")
		completePayment(h, acc, "CFP000", "USDT-TRC20").Expect(t, 404, "PAYMENT_NOT_FOUND")
		done := completePayment(h, acc, ref, "USDT-TRC20").Expect(t, 200, "").JSON["payment"].(map[string]any)
		if done["status"] != "completed" || done["payment_method"] != "USDT-TRC20" || done["paid_at"] == nil {
			t.Fatalf("completed payment %v", done)
		}
		// Completing again answers the same payment and debits nothing.
		completePayment(h, acc, ref, "USDT-TRC20").Expect(t, 200, "")
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "2" {
			t.Fatalf("balance after the fee %s, want 2", got)
		}
		stats = h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, auth).Expect(t, 200, "").JSON["stats"].(map[string]any)
		if stats["needs_payment_for_next_card"] != false {
			t.Fatalf("stats after paying %v", stats)
		}
		createPayment(h, acc, "virtual").Expect(t, 400, "CARD_FEE_ALREADY_PAID")
		if el := h.Do(http.MethodGet, "/api/v1/kyc/eligibility", nil, auth).Expect(t, 200, ""); el.JSON["eligible"] != true || el.JSON["reason"] != "" {
			t.Fatalf("eligibility after paying %s", el.Body)
		}
		st := h.Do(http.MethodGet, "/api/v1/CardFee/GetPaymentStatus", nil, auth).Expect(t, 200, "")
		if st.JSON["has_payment"] != true || st.JSON["payment_status"] != "completed" {
			t.Fatalf("payment status %s", st.Body)
		}
		hist := h.Do(http.MethodGet, "/api/v1/CardFee/GetPaymentHistory?page_size=5", nil, auth).Expect(t, 200, "")
		if hist.JSON["total"] != float64(1) || len(hist.JSON["payments"].([]any)) != 1 {
			t.Fatalf("history %s", hist.Body)
		}
		// Another user cannot see or complete it.
		other := h.Register(t, "fee-other@example.com")
		completePayment(h, other, ref, "USDT-TRC20").Expect(t, 404, "PAYMENT_NOT_FOUND")

		for _, q := range []string{"?card_type=gold"} {
			h.Do(http.MethodGet, "/api/v1/CardFee/GetStats"+q, nil, auth).Expect(t, 400, "VALIDATION_FAILED")
		}
		h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "gold"}, auth).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "physical", "coupon_code": "NOPE"}, auth).Expect(t, 404, "COUPON_NOT_FOUND")
		verifyLedger(t, h)
	})
}

func TestCardFeePaymentLifecycle(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "fee-life@example.com")
		h.Deposit(t, acc, "USDC-ERC20", "100")
		first := createPayment(h, acc, "physical").Expect(t, 200, "").JSON["payment"].(map[string]any)
		second := createPayment(h, acc, "physical").Expect(t, 200, "").JSON["payment"].(map[string]any)
		completePayment(h, acc, first["transaction_ref"].(string), "USDC-ERC20").Expect(t, 400, "PAYMENT_NOT_PENDING")
		h.Clock.Advance(31 * time.Minute)
		completePayment(h, acc, second["transaction_ref"].(string), "USDC-ERC20").Expect(t, 400, "PAYMENT_EXPIRED")
		completePayment(h, acc, second["transaction_ref"].(string), "USDC-ERC20").Expect(t, 400, "PAYMENT_NOT_PENDING")
		if got := balanceOf(t, h, acc, "USDC-ERC20"); got != "100" {
			t.Fatalf("failed completions moved money: %s", got)
		}
	})
}

// TestCardFeeRaces: ten completions of one payment debit once, and two
// payments racing for one balance that covers one never overdraw.
func TestCardFeeRaces(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "fee-race@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "50")
		ref := apptest.Decode[apptest.FeePayment](t, createPayment(h, acc, "physical").Expect(t, 200, "")).Payment.TransactionRef
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := completePayment(h, acc, ref, "USDT-TRC20", apptest.Header{Name: "Idempotency-Key", Value: fmt.Sprintf("fee-race-%03d", i)})
				if res.Status != 200 {
					t.Errorf("completion %d: %d %s", i, res.Status, res.Body)
				}
			}()
		}
		wg.Wait()
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "5" {
			t.Fatalf("balance %s after ten completions of a 45 fee, want 5", got)
		}

		poor := h.Register(t, "fee-poor@example.com")
		h.Deposit(t, poor, "USDT-TRC20", "8")
		virtual := apptest.Decode[apptest.FeePayment](t, createPayment(h, poor, "virtual").Expect(t, 200, "")).Payment.TransactionRef
		physical := apptest.Decode[apptest.FeePayment](t, createPayment(h, poor, "physical").Expect(t, 200, "")).Payment.TransactionRef
		h.Deposit(t, poor, "USDT-TRC20", "40") // 48: enough for one of 5 and 45, not both
		results := make(chan int, 2)
		for _, ref := range []string{virtual, physical} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results <- completePayment(h, poor, ref, "USDT-TRC20").Status
			}()
		}
		wg.Wait()
		close(results)
		ok := 0
		for st := range results {
			if st == 200 {
				ok++
			}
		}
		if bal := balanceOf(t, h, poor, "USDT-TRC20"); ok != 1 || (bal != "43" && bal != "3") {
			t.Fatalf("%d payments went through, balance %s", ok, bal)
		}
		verifyLedger(t, h)
	})
}
