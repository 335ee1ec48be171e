package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// TestFrozenAccountCannotMoveMoney: an operator-frozen account (API.md §1.3)
// still logs in and reads, but every money-moving or card-changing write
// answers 403 ACCOUNT_FROZEN and changes nothing.
func TestFrozenAccountCannotMoveMoney(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, bob := h.Register(t, "frozen@example.com"), h.Register(t, "frozen-bob@example.com")
		h.SetTxPassword(t, acc)
		h.Deposit(t, acc, "USDT-TRC20", "100")
		if _, err := h.App.DB.SQL.Exec(`UPDATE users SET status = 'frozen' WHERE id = $1`, acc.ID); err != nil {
			t.Fatal(err)
		}
		acc = h.Login(t, acc.Email, apptest.Password)
		auth := apptest.Bearer(acc.Access)
		for _, tc := range []struct {
			path string
			body any
		}{
			{"/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": bob.ID, "currency": "USDT-TRC20", "amount": "1",
				"transaction_password": apptest.TxPassword}},
			{"/api/v1/wallet/withdrawal", map[string]any{"currency": "USDT-TRC20", "amount": "20", "address": externalTron}},
			{"/api/v1/CardFee/CreatePayment", map[string]any{"card_type": "virtual"}},
			{"/api/v1/didit/initialize-token", kycForm},
		} {
			h.Do(http.MethodPost, tc.path, tc.body, auth).Expect(t, 403, "ACCOUNT_FROZEN")
		}
		profile := profileOf(t, h.Do(http.MethodGet, "/api/v1/user/profile", nil, auth).Expect(t, 200, ""))
		if profile.Status != "frozen" {
			t.Fatalf("profile status %v", profile.Status)
		}
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "100" {
			t.Fatalf("a frozen account's balance moved: %s", got)
		}
	})
}
