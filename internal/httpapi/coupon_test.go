package httpapi_test

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/coupon"
)

func TestCouponsDiscountTheCardFee(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		for _, c := range []coupon.Coupon{
			{Code: "welcome1", Name: "Welcome", Type: coupon.Fixed, Value: 100, Claimable: true},
			{Code: "PCT20", Name: "Twenty", Type: coupon.Percentage, Value: 2000, MaxDiscount: 50, Claimable: true},
			{Code: "PHYS10", Name: "Physical only", Type: coupon.Fixed, Value: 1000, AppliesTo: "physical", Claimable: true},
			{Code: "FREE", Name: "Free card", Type: coupon.Percentage, Value: 10_000},
		} {
			if _, err := h.App.Coupons.Create(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		acc := h.Register(t, "coupons@example.com")
		auth := apptest.Bearer(acc.Access)
		h.Do(http.MethodPost, "/api/v1/coupons/claim", map[string]string{"coupon_code": "nope"}, auth).Expect(t, 404, "COUPON_NOT_FOUND")
		h.Do(http.MethodPost, "/api/v1/coupons/claim", map[string]string{"coupon_code": "FREE"}, auth).Expect(t, 404, "COUPON_NOT_FOUND")
		claimed := h.Do(http.MethodPost, "/api/v1/coupons/claim", map[string]string{"coupon_code": "Welcome1"}, auth).Expect(t, 200, "")
		if c := apptest.Decode[struct {
			Coupon struct {
				Code   string  `json:"code"`
				Value  float64 `json:"value"`
				Status string  `json:"status"`
			} `json:"coupon"`
		}](t, claimed).Coupon; c.Code != "WELCOME1" || c.Value != 1 || c.Status != "unused" {
			t.Fatalf("claimed %s", claimed.Body)
		}
		h.Do(http.MethodPost, "/api/v1/coupons/claim", map[string]string{"coupon_code": "WELCOME1"}, auth).Expect(t, 400, "COUPON_ALREADY_CLAIMED")
		h.Do(http.MethodPost, "/api/v1/coupons/claim", map[string]string{"coupon_code": "PCT20"}, auth).Expect(t, 200, "")
		h.Do(http.MethodPost, "/api/v1/coupons/claim", map[string]string{"coupon_code": "PHYS10"}, auth).Expect(t, 200, "")
		if err := h.App.DB.InTx(ctx, func(tx *sql.Tx) error {
			_, err := h.App.Coupons.Assign(ctx, tx, acc.ID, "FREE", "admin")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		list := h.Do(http.MethodGet, "/api/v1/coupons/", nil, auth).Expect(t, 200, "")
		if apptest.Decode[struct {
			Count int `json:"count"`
		}](t, list).Count != 4 {
			t.Fatalf("coupons %s", list.Body)
		}
		h.Do(http.MethodGet, "/api/v1/coupons/my-coupons?status=unused", nil, auth).Expect(t, 200, "")

		type couponCheck struct {
			Eligible       bool    `json:"eligible"`
			DiscountAmount float64 `json:"discount_amount"`
			FinalAmount    float64 `json:"final_amount"`
			Reason         string  `json:"reason"`
		}
		check := func(code, cardType string, amount any) couponCheck {
			return apptest.Decode[couponCheck](t, h.Do(http.MethodPost, "/api/v1/coupons/check-eligibility", map[string]any{"coupon_code": code,
				"transaction_amount": amount, "card_type": cardType}, auth).Expect(t, 200, ""))
		}
		if e := check("PCT20", "virtual", 5); !e.Eligible || e.DiscountAmount != 0.5 || e.FinalAmount != 4.5 {
			t.Fatalf("percentage capped at 0.5: %+v", e)
		}
		if e := check("PHYS10", "virtual", 5); e.Eligible || e.Reason == "" || e.FinalAmount != 5 {
			t.Fatalf("physical-only coupon on a virtual fee: %+v", e)
		}

		h.Deposit(t, acc, "USDT-TRC20", "10")
		first := paymentOf(t, h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual", "coupon_code": "WELCOME1"}, auth).
			Expect(t, 200, ""))
		if first.ActualPayment != 4 || first.CouponDiscount != 1 || first.CouponName != "Welcome" {
			t.Fatalf("payment with coupon %+v", first)
		}
		// A new payment supersedes the first and frees its coupon for reuse.
		second := paymentOf(t, h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual", "coupon_code": "WELCOME1"}, auth).
			Expect(t, 200, ""))
		completePayment(h, acc, second.TransactionRef, "USDT-TRC20").Expect(t, 200, "")
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "6" {
			t.Fatalf("balance after a 4 USD fee: %s", got)
		}
		h.Do(http.MethodPost, "/api/v1/coupons/check-eligibility", map[string]any{"coupon_code": "WELCOME1", "transaction_amount": 5}, auth).
			Expect(t, 200, "")
		if e := check("WELCOME1", "virtual", 5); e.Eligible {
			t.Fatalf("a used coupon is still eligible: %+v", e)
		}
		// A 100 % coupon makes the fee free: no currency needed, method "coupon".
		free := paymentOf(t, h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "physical", "coupon_code": "FREE"}, auth).
			Expect(t, 200, ""))
		done := paymentOf(t, completePayment(h, acc, free.TransactionRef, "").Expect(t, 200, ""))
		if done.ActualPayment != 0 || done.PaymentMethod != "coupon" {
			t.Fatalf("free payment %+v", done)
		}
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "6" {
			t.Fatalf("a free fee moved money: %s", got)
		}
		verifyLedger(t, h)
	})
}

// TestCouponHeldByAnotherPaymentIsRefused: a coupon valid for both card
// types and held by a pending virtual payment cannot discount a physical one.
func TestCouponHeldByAnotherPaymentIsRefused(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		if _, err := h.App.Coupons.Create(context.Background(), coupon.Coupon{Code: "BOTH", Name: "Both", Type: coupon.Fixed, Value: 200, Claimable: true}); err != nil {
			t.Fatal(err)
		}
		acc := h.Register(t, "coupon-hold@example.com")
		auth := apptest.Bearer(acc.Access)
		h.Do(http.MethodPost, "/api/v1/coupons/claim", map[string]string{"coupon_code": "BOTH"}, auth).Expect(t, 200, "")
		h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual", "coupon_code": "BOTH"}, auth).Expect(t, 200, "")
		h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "physical", "coupon_code": "BOTH"}, auth).Expect(t, 400, "COUPON_USED")
	})
}

// TestLastCouponHasOneWinner: ten users race for a coupon with one unit left.
func TestLastCouponHasOneWinner(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		if _, err := h.App.Coupons.Create(context.Background(), coupon.Coupon{Code: "LAST1", Name: "Last one", Type: coupon.Fixed,
			Value: 100, UsageLimit: 1, Claimable: true}); err != nil {
			t.Fatal(err)
		}
		accs := make([]apptest.Account, 10)
		for i := range accs {
			accs[i] = h.Register(t, "last"+strconv.Itoa(i)+"@example.com")
		}
		var wg sync.WaitGroup
		results := make(chan *apptest.Response, len(accs))
		for _, acc := range accs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results <- h.Do(http.MethodPost, "/api/v1/coupons/claim", map[string]string{"coupon_code": "LAST1"}, apptest.Bearer(acc.Access))
			}()
		}
		wg.Wait()
		close(results)
		won := 0
		for res := range results {
			switch {
			case res.Status == 200:
				won++
			case res.Code() != "COUPON_LIMIT_REACHED":
				t.Errorf("loser got %d %s", res.Status, res.Body)
			}
		}
		if won != 1 {
			t.Fatalf("%d users got the last coupon", won)
		}
	})
}
