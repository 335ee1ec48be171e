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

// feePayment is a card-fee payment as the CardFee endpoints answer it.
type feePayment struct {
	TransactionRef string  `json:"transaction_ref"`
	Status         string  `json:"status"`
	ActualPayment  float64 `json:"actual_payment"`
	CouponDiscount float64 `json:"coupon_discount"`
	CouponName     string  `json:"coupon_name"`
	PaymentMethod  string  `json:"payment_method"`
	Consumed       bool    `json:"consumed"`
	PaidAt         *string `json:"paid_at"`
}

// paymentOf reads the payment of a CreatePayment or CompletePayment answer.
func paymentOf(t *testing.T, res *apptest.Response) feePayment {
	t.Helper()
	return apptest.Decode[struct {
		Payment feePayment `json:"payment"`
	}](t, res).Payment
}

// feeStats is the stats object of GET /CardFee/GetStats.
type feeStats struct {
	NeedsPayment  bool `json:"needs_payment_for_next_card"`
	MaxCards      int  `json:"max_cards"`
	SuccessCards  int  `json:"success_cards"`
	PendingCards  int  `json:"pending_cards"`
	NextCardIndex int  `json:"next_card_index"`
}

func feeStatsOf(t *testing.T, res *apptest.Response) feeStats {
	t.Helper()
	return apptest.Decode[struct {
		Stats feeStats `json:"stats"`
	}](t, res).Stats
}

// eligibility is the answer of GET /kyc/eligibility.
type eligibility struct {
	Eligible       bool   `json:"eligible"`
	RequiredAction string `json:"required_action"`
	PaymentStatus  string `json:"payment_status"`
	Reason         string `json:"reason"`
}

func TestCardFeeJourney(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "fee@example.com")
		auth := apptest.Bearer(acc.Access)
		stats := feeStatsOf(t, h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, auth).Expect(t, 200, ""))
		if !stats.NeedsPayment || stats.MaxCards != 5 || stats.NextCardIndex != 1 {
			t.Fatalf("stats %+v", stats)
		}
		cfg := apptest.Decode[struct {
			Config struct {
				FeeAmount float64 `json:"fee_amount"`
				IsActive  bool    `json:"IsActive"`
			} `json:"config"`
		}](t, h.Do(http.MethodGet, "/api/v1/CardFee/GetConfig?card_type=virtual", nil, auth).Expect(t, 200, "")).Config
		if cfg.FeeAmount != 5 || !cfg.IsActive {
			t.Fatalf("config %+v", cfg)
		}
		if cur := apptest.Decode[struct {
			Currencies []struct {
				Name string `json:"name"`
			} `json:"currencies"`
		}](t, h.Do(http.MethodGet, "/api/v1/CardFee/GetCurrencies", nil, auth).Expect(t, 200, "")).Currencies; len(cur) != 4 {
			t.Fatalf("currencies %v", cur)
		}
		el := h.Do(http.MethodGet, "/api/v1/kyc/eligibility", nil, auth).Expect(t, 200, "")
		if e := apptest.Decode[eligibility](t, el); e.Eligible || e.RequiredAction != "create_payment" || e.PaymentStatus != "none" {
			t.Fatalf("eligibility before paying %s", el.Body)
		}

		pay := paymentOf(t, createPayment(h, acc, "virtual").Expect(t, 200, ""))
		ref := pay.TransactionRef
		if pay.Status != "pending" || pay.ActualPayment != 5 || pay.PaidAt != nil || pay.Consumed {
			t.Fatalf("created payment %+v", pay)
		}
		if el := h.Do(http.MethodGet, "/api/v1/kyc/eligibility", nil, auth).Expect(t, 200, ""); apptest.Decode[eligibility](t, el).RequiredAction != "complete_payment" {
			t.Fatalf("eligibility with a pending payment %s", el.Body)
		}
		completePayment(h, acc, ref, "USDT-TRC20").Expect(t, 400, "INSUFFICIENT_BALANCE")
		h.Deposit(t, acc, "USDT-TRC20", "7")
		completePayment(h, acc, ref, "HKD").Expect(t, 400, "UNSUPPORTED_CURRENCY")
		completePayment(h, acc, "CFP000", "USDT-TRC20").Expect(t, 404, "PAYMENT_NOT_FOUND")
		done := paymentOf(t, completePayment(h, acc, ref, "USDT-TRC20").Expect(t, 200, ""))
		if done.Status != "completed" || done.PaymentMethod != "USDT-TRC20" || done.PaidAt == nil {
			t.Fatalf("completed payment %+v", done)
		}
		// Completing again answers the same payment and debits nothing.
		completePayment(h, acc, ref, "USDT-TRC20").Expect(t, 200, "")
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "2" {
			t.Fatalf("balance after the fee %s, want 2", got)
		}
		stats = feeStatsOf(t, h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, auth).Expect(t, 200, ""))
		if stats.NeedsPayment {
			t.Fatalf("stats after paying %+v", stats)
		}
		createPayment(h, acc, "virtual").Expect(t, 400, "CARD_FEE_ALREADY_PAID")
		if el := apptest.Decode[eligibility](t, h.Do(http.MethodGet, "/api/v1/kyc/eligibility", nil, auth).Expect(t, 200, "")); !el.Eligible || el.Reason != "" {
			t.Fatalf("eligibility after paying %+v", el)
		}
		st := h.Do(http.MethodGet, "/api/v1/CardFee/GetPaymentStatus", nil, auth).Expect(t, 200, "")
		if b := apptest.Decode[struct {
			HasPayment    bool   `json:"has_payment"`
			PaymentStatus string `json:"payment_status"`
		}](t, st); !b.HasPayment || b.PaymentStatus != "completed" {
			t.Fatalf("payment status %s", st.Body)
		}
		hist := h.Do(http.MethodGet, "/api/v1/CardFee/GetPaymentHistory?page_size=5", nil, auth).Expect(t, 200, "")
		if b := apptest.Decode[struct {
			Total    int          `json:"total"`
			Payments []feePayment `json:"payments"`
		}](t, hist); b.Total != 1 || len(b.Payments) != 1 {
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
		first := paymentOf(t, createPayment(h, acc, "physical").Expect(t, 200, ""))
		second := paymentOf(t, createPayment(h, acc, "physical").Expect(t, 200, ""))
		completePayment(h, acc, first.TransactionRef, "USDC-ERC20").Expect(t, 400, "PAYMENT_NOT_PENDING")
		h.Clock.Advance(31 * time.Minute)
		completePayment(h, acc, second.TransactionRef, "USDC-ERC20").Expect(t, 400, "PAYMENT_EXPIRED")
		completePayment(h, acc, second.TransactionRef, "USDC-ERC20").Expect(t, 400, "PAYMENT_NOT_PENDING")
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
