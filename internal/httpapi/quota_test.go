package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// quotaExpect429 checks a per-action refusal: 429 RATE_LIMITED in the
// route's envelope with Retry-After and retry_after, at most the window.
func quotaExpect429(t testing.TB, res *apptest.Response, window time.Duration) {
	t.Helper()
	res.Expect(t, 429, "RATE_LIMITED")
	after, err := strconv.Atoi(res.Header.Get("Retry-After"))
	var body int
	if ra := apptest.RetryAfter(t, res); ra != nil {
		body = *ra
	}
	if err != nil || after < 1 || after > int(window/time.Second) || body != after {
		t.Fatalf("Retry-After %q, retry_after %v; body %s", res.Header.Get("Retry-After"), body, res.Body)
	}
}

// quotaCount runs a COUNT(*) query.
func quotaCount(t testing.TB, h *apptest.Harness, query string, args ...any) int {
	t.Helper()
	var n int
	if err := h.App.DB.SQL.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// quotaKYCState summarises a user's KYC records.
func quotaKYCState(t testing.TB, h *apptest.Harness, userID int64) [2]int64 {
	t.Helper()
	var n, updated int64
	if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM kyc_records WHERE user_id = $1`, userID).Scan(&n, &updated); err != nil {
		t.Fatal(err)
	}
	return [2]int64{n, updated}
}

// TestQuotaKYCInitialisations: POST /didit/initialize-token is allowed
// kyc.InitsPerHour times an hour and kyc.InitsPerDay a day per user; the
// next one is 429 and changes nothing; another user is unaffected.
func TestQuotaKYCInitialisations(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, other := h.Register(t, "kyc-quota@example.com"), h.Register(t, "kyc-other@example.com")
		payFee(t, h, acc)
		payFee(t, h, other)
		init := func(a apptest.Account) *apptest.Response {
			return h.Do(http.MethodPost, "/api/v1/didit/initialize-token", kycForm, apptest.Bearer(a.Access))
		}
		done := 0
		for hour := 0; done < kyc.InitsPerDay; hour++ {
			for i := 0; i < kyc.InitsPerHour && done < kyc.InitsPerDay; i++ {
				init(acc).Expect(t, 200, "")
				done++
			}
			before := quotaKYCState(t, h, acc.ID)
			window := time.Hour
			if done == kyc.InitsPerDay {
				window = 24 * time.Hour
			}
			quotaExpect429(t, init(acc), window)
			if after := quotaKYCState(t, h, acc.ID); after != before {
				t.Fatal("a refused initialisation changed the KYC record")
			}
			h.Clock.Advance(time.Hour)
		}
		quotaExpect429(t, init(acc), 24*time.Hour)
		init(other).Expect(t, 200, "")
	})
}

// TestQuotaCardApplications: POST /card/apply is allowed
// card.AppliesPerHour times an hour per user.
func TestQuotaCardApplications(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, func(c *config.Config) { c.MaxCards = 100 })
		acc, other := verifiedUser(t, h, "card-quota@example.com"), verifiedUser(t, h, "card-other@example.com")
		// A free virtual card and room for many, so only the quota refuses.
		if _, err := h.App.DB.SQL.Exec(`UPDATE card_fee_config SET fee_amount = 0 WHERE card_type = 'virtual'`); err != nil {
			t.Fatal(err)
		}
		for range card.AppliesPerHour {
			applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 200, "")
		}
		quotaExpect429(t, applyCard(h, acc, map[string]any{"physical": false}, apptest.Header{Name: "Idempotency-Key", Value: "apply-over-quota"}), time.Hour)
		if n := quotaCount(t, h, `SELECT COUNT(*) FROM card_tasks WHERE user_id = $1`, acc.ID); n != card.AppliesPerHour {
			t.Fatalf("%d card tasks, want %d", n, card.AppliesPerHour)
		}
		applyCard(h, other, map[string]any{"physical": false}).Expect(t, 200, "")
		// The refusal did not bind the Idempotency-Key: the same request goes through once the hour is over.
		h.Clock.Advance(time.Hour)
		applyCard(h, acc, map[string]any{"physical": false}, apptest.Header{Name: "Idempotency-Key", Value: "apply-over-quota"}).Expect(t, 200, "")
	})
}

// TestQuotaWithdrawals: POST /wallet/withdrawal is allowed
// wallet.WithdrawalsPerHour times an hour per user.
func TestQuotaWithdrawals(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, other := h.Register(t, "wd-quota@example.com"), h.Register(t, "wd-other@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "1000")
		h.Deposit(t, other, "USDT-TRC20", "100")
		for range wallet.WithdrawalsPerHour {
			withdraw(h, acc, "10", externalTron).Expect(t, 200, "")
		}
		balance := walletOf(t, h, acc).Balances[0].Balance
		quotaExpect429(t, withdraw(h, acc, "10", externalTron), time.Hour)
		if n := quotaCount(t, h, `SELECT COUNT(*) FROM withdrawals WHERE user_id = $1`, acc.ID); n != wallet.WithdrawalsPerHour {
			t.Fatalf("%d withdrawals, want %d", n, wallet.WithdrawalsPerHour)
		}
		if after := walletOf(t, h, acc).Balances[0].Balance; after != balance {
			t.Fatalf("balance %v after the refusal, want %v", after, balance)
		}
		withdraw(h, other, "10", externalTron).Expect(t, 200, "")
		h.Clock.Advance(time.Hour)
		withdraw(h, acc, "10", externalTron).Expect(t, 200, "")
	})
}
