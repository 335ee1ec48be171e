package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// TestUserLimitsAreHonoured: an operator's card-slot and withdrawal limits
// for one user apply to that user's next fee payment, card application and
// withdrawal, and clearing them restores the programme's settings.
func TestUserLimitsAreHonoured(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		compliance := apptest.Bearer(h.Operator(t, "compliance@ops.example.com", operator.Compliance).Token)
		finance := apptest.Bearer(h.Operator(t, "finance@ops.example.com", operator.Finance).Token)
		alice, other := h.Register(t, "alice.limits@example.com"), h.Register(t, "other.limits@example.com")
		h.Deposit(t, alice, "USDT-TRC20", "100")
		path := "/api/v1/admin/users/" + strconv.FormatInt(alice.ID, 10) + "/limits"
		set := func(body map[string]any) *apptest.Response { return h.Do(http.MethodPut, path, body, compliance) }

		for _, bad := range []map[string]any{{"max_cards": 101, "reason": "x"}, {"max_cards": -1, "reason": "x"},
			{"withdrawal_daily_limit": 0, "reason": "x"}, {"withdrawal_daily_limit": 20, "withdrawal_monthly_limit": 10, "reason": "x"},
			{"max_cards": 1}, {"max_cards": 1.5, "reason": "x"}} {
			set(bad).Expect(t, 400, "VALIDATION_FAILED")
		}
		h.Do(http.MethodPut, path, map[string]any{"max_cards": 1, "reason": "x"}, finance).Expect(t, 403, "FORBIDDEN")

		res := set(map[string]any{"max_cards": 0, "withdrawal_daily_limit": 15, "reason": "new customer, risk review"}).Expect(t, 200, "")
		if got := apptest.Data[struct {
			UserID   int64  `json:"user_id"`
			MaxCards *int   `json:"max_cards"`
			Daily    *int64 `json:"withdrawal_daily_limit"`
			Monthly  *int64 `json:"withdrawal_monthly_limit"`
		}](t, res); got.UserID != alice.ID || got.MaxCards == nil || *got.MaxCards != 0 || got.Daily == nil || *got.Daily != 15 ||
			got.Monthly != nil {
			t.Fatalf("limits %s", res.Body)
		}
		aliceAuth := apptest.Bearer(alice.Access)
		if st := feeStatsOf(t, h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, aliceAuth).Expect(t, 200, "")); st.MaxCards != 0 {
			t.Fatalf("stats with no slots %+v", st)
		}
		createPayment(h, alice, "virtual").Expect(t, 400, "CARD_LIMIT_REACHED")
		if st := feeStatsOf(t, h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, apptest.Bearer(other.Access)).Expect(t, 200, "")); st.MaxCards != 5 {
			t.Fatalf("another user's slots changed: %+v", st)
		}
		wallet := apptest.Decode[struct {
			Wallet struct {
				DailyLimit   float64 `json:"daily_limit"`
				MonthlyLimit float64 `json:"monthly_limit"`
			} `json:"wallet"`
		}](t, h.Do(http.MethodGet, "/api/v1/wallet/", nil, aliceAuth).Expect(t, 200, "")).Wallet
		if wallet.DailyLimit != 15 || wallet.MonthlyLimit != 500000 {
			t.Fatalf("wallet limits %+v", wallet)
		}
		withdraw(h, alice, "20", externalTron).Expect(t, 400, "LIMIT_EXCEEDED")
		withdraw(h, alice, "12", externalTron).Expect(t, 200, "")
		withdraw(h, alice, "10", externalTron).Expect(t, 400, "LIMIT_EXCEEDED")

		set(map[string]any{"reason": "review closed"}).Expect(t, 200, "")
		if st := feeStatsOf(t, h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, aliceAuth).Expect(t, 200, "")); st.MaxCards != 5 {
			t.Fatalf("slots after clearing %+v", st)
		}
		withdraw(h, alice, "10", externalTron).Expect(t, 200, "")

		rows, n, _ := h.App.Audit.List(context.Background(), audit.Filter{Action: "user.set_limits"}, 2, 0)
		if n != 2 || rows[1].Reason != "new customer, risk review" || !strings.Contains(rows[1].After, `"max_cards":0`) ||
			!strings.Contains(rows[0].Before, `"withdrawal_daily_limit":15`) || !strings.Contains(rows[0].After, `"max_cards":null`) {
			t.Fatalf("limit rows %d %+v", n, rows)
		}
	})
}

// TestFeeExemptionIsHonoured: a user exempt from the card fee starts KYC
// and gets a card without paying; a user exempt from the withdrawal fee is
// quoted and charged none. Others still pay.
func TestFeeExemptionIsHonoured(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		finance := apptest.Bearer(h.Operator(t, "finance@ops.example.com", operator.Finance).Token)
		compliance := apptest.Bearer(h.Operator(t, "compliance@ops.example.com", operator.Compliance).Token)
		alice, bob := h.Register(t, "alice.exempt@example.com"), h.Register(t, "bob.exempt@example.com")
		exempt := func(acc apptest.Account, body map[string]any) *apptest.Response {
			return h.Do(http.MethodPut, "/api/v1/admin/users/"+strconv.FormatInt(acc.ID, 10)+"/fee-exemption", body, finance)
		}
		exempt(alice, map[string]any{"card_fee": true}).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPut, "/api/v1/admin/users/"+strconv.FormatInt(alice.ID, 10)+"/fee-exemption",
			map[string]any{"card_fee": true, "reason": "x"}, compliance).Expect(t, 403, "FORBIDDEN")
		res := exempt(alice, map[string]any{"card_fee": true, "reason": "launch partner"}).Expect(t, 200, "")
		if got := apptest.Data[struct {
			CardFee       bool `json:"card_fee"`
			WithdrawalFee bool `json:"withdrawal_fee"`
		}](t, res); !got.CardFee || got.WithdrawalFee {
			t.Fatalf("exemption %s", res.Body)
		}

		// Card fee: no payment before KYC nor before the application.
		auth := apptest.Bearer(alice.Access)
		if e := apptest.Decode[eligibility](t, h.Do(http.MethodGet, "/api/v1/kyc/eligibility", nil, auth).Expect(t, 200, "")); !e.Eligible {
			t.Fatalf("eligibility of an exempt user %+v", e)
		}
		if st := feeStatsOf(t, h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, auth).Expect(t, 200, "")); st.NeedsPayment {
			t.Fatalf("stats of an exempt user %+v", st)
		}
		h.Do(http.MethodPost, "/api/v1/didit/initialize-token", kycForm, apptest.Bearer(bob.Access)).Expect(t, 402, "CARD_FEE_UNPAID")
		session, _ := startKYC(t, h, alice)
		h.Do(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/approve", nil).Expect(t, 200, "")
		res = h.Do(http.MethodPost, "/api/v1/card/apply", map[string]any{"physical": false}, auth).Expect(t, 200, "")
		if apptest.Data[apptest.CardApplied](t, res).TaskID == 0 {
			t.Fatalf("apply %s", res.Body)
		}

		// Withdrawal fee: quoted and charged 0 for bob once exempt.
		h.Deposit(t, bob, "USDT-TRC20", "50")
		feeOf := func() float64 {
			return apptest.Data[struct {
				Fee float64 `json:"fee"`
			}](t, h.Do(http.MethodGet, "/api/v1/wallet/withdrawal-fee-info?amount=20", nil, apptest.Bearer(bob.Access)).Expect(t, 200, "")).Fee
		}
		if fee := feeOf(); fee != 1 {
			t.Fatalf("fee before the exemption: %v", fee)
		}
		exempt(bob, map[string]any{"withdrawal_fee": true, "reason": "compensation for an outage"}).Expect(t, 200, "")
		if fee := feeOf(); fee != 0 {
			t.Fatalf("fee of an exempt user: %v", fee)
		}
		w := withdrawalOf(t, withdraw(h, bob, "20", externalTron).Expect(t, 200, ""))
		if w.Fee != 0 || w.ActualAmount != 20 {
			t.Fatalf("withdrawal of an exempt user %+v", w)
		}
		waitWithdrawal(t, h, bob, "completed")
		if got := balanceOf(t, h, bob, "USDT-TRC20"); got != "30" {
			t.Fatalf("bob's balance after a fee-free withdrawal of 20 from 50: %s", got)
		}
	})
}
