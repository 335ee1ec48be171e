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
		if c := claimed.JSON["coupon"].(map[string]any); c["code"] != "WELCOME1" || c["value"] != float64(1) || c["status"] != "unused" {
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
		if list.JSON["count"] != float64(4) {
			t.Fatalf("coupons %s", list.Body)
		}
		h.Do(http.MethodGet, "/api/v1/coupons/my-coupons?status=unused", nil, auth).Expect(t, 200, "")

		check := func(code, cardType string, amount any) map[string]any {
			return h.Do(http.MethodPost, "/api/v1/coupons/check-eligibility", map[string]any{"coupon_code": code,
				"transaction_amount": amount, "card_type": cardType}, auth).Expect(t, 200, "").JSON
		}
		if e := check("PCT20", "virtual", 5); e["eligible"] != true || e["discount_amount"] != 0.5 || e["final_amount"] != 4.5 {
			t.Fatalf("percentage capped at 0.5: %v", e)
		}
		if e := check("PHYS10", "virtual", 5); e["eligible"] != false || e["reason"] == "" || e["final_amount"] != float64(5) {
			t.Fatalf("physical-only coupon on a virtual fee: %v", e)
		}

		h.Deposit(t, acc, "USDT-TRC20", "10")
		first := h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual", "coupon_code": "WELCOME1"}, auth).
			Expect(t, 200, "").JSON["payment"].(map[string]any)
		if first["actual_payment"] != float64(4) || first["coupon_discount"] != float64(1) || first["coupon_name"] != "Welcome" {
			t.Fatalf("payment with coupon %v", first)
		}
		// A new payment supersedes the first and frees its coupon for reuse.
		second := h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual", "coupon_code": "WELCOME1"}, auth).
			Expect(t, 200, "").JSON["payment"].(map[string]any)
		completePayment(h, acc, second["transaction_ref"].(string), "USDT-TRC20").Expect(t, 200, "")
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "6" {
			t.Fatalf("balance after a 4 USD fee: %s", got)
		}
		h.Do(http.MethodPost, "/api/v1/coupons/check-eligibility", map[string]any{"coupon_code": "WELCOME1", "transaction_amount": 5}, auth).
			Expect(t, 200, "")
		if e := check("WELCOME1", "virtual", 5); e["eligible"] != false {
			t.Fatalf("a used coupon is still eligible: %v", e)
		}
		// A 100 % coupon makes the fee free: no currency needed, method "coupon".
		free := h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "physical", "coupon_code": "FREE"}, auth).
			Expect(t, 200, "").JSON["payment"].(map[string]any)
		done := completePayment(h, acc, free["transaction_ref"].(string), "").Expect(t, 200, "").JSON["payment"].(map[string]any)
		if done["actual_payment"] != float64(0) || done["payment_method"] != "coupon" {
			t.Fatalf("free payment %v", done)
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
