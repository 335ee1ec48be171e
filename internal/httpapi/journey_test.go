package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestAccountJourney walks the README's curl journey: register, login,
// refresh, profile, transaction password.
func TestAccountJourney(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		acc := h.Register(t, "Alice@Example.com ")
		if acc.ID <= 0 || acc.Email == "" {
			t.Fatalf("register returned %+v", acc)
		}
		mails := h.Outbox("alice@example.com", 1)
		if mails[0].OTP == "" || !strings.Contains(mails[0].Body, mails[0].OTP) {
			t.Fatalf("sign-up mail does not carry its code: %+v", mails[0])
		}

		res := h.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "alice@example.com", "password": apptest.Password}).Expect(t, 200, "")
		if res.Str(t, "next_step") != "verify_login_otp" {
			t.Fatalf("next_step = %q", res.Str(t, "next_step"))
		}
		// The no-op compatibility call must not consume the login code.
		h.Do(http.MethodPost, "/api/v1/auth/verify-otp", map[string]string{"email": "alice@example.com", "otp_code": res.Str(t, "otp")}).Expect(t, 200, "")
		res = h.Do(http.MethodPost, "/api/v1/auth/verify-login-otp", map[string]string{"email": "alice@example.com", "otp_code": res.Str(t, "otp")}).Expect(t, 200, "")
		access, refresh := res.Str(t, "access_token"), res.Str(t, "refresh_token")

		res = h.Do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": refresh}).Expect(t, 200, "")
		access = res.Str(t, "access_token")

		res = h.Do(http.MethodGet, "/api/v1/user/profile/", nil, apptest.Bearer(access)).Expect(t, 200, "")
		user := apptest.Decode[struct {
			User struct {
				Email     string `json:"email"`
				KYCStatus string `json:"kyc_status"`
				IsActive  bool   `json:"is_active"`
				WalletID  string `json:"wallet_id"`
			} `json:"user"`
		}](t, res).User
		if user.Email != "alice@example.com" || user.KYCStatus != "none" || !user.IsActive {
			t.Fatalf("profile user = %+v", user)
		}
		if w := user.WalletID; len(w) != 17 || !strings.HasPrefix(w, "CCP") {
			t.Fatalf("wallet_id = %q", w)
		}

		res = h.Do(http.MethodGet, "/api/v1/user/transaction-password/status", nil, apptest.Bearer(access)).Expect(t, 200, "")
		if set := txPasswordSet(t, res); set {
			t.Fatalf("is_set = %v", set)
		}
		res = h.Do(http.MethodPost, "/api/v1/user/transaction-password/request",
			map[string]string{"transaction_password": "123456", "confirm_transaction_password": "123456"}, apptest.Bearer(access)).Expect(t, 200, "")
		h.Do(http.MethodPost, "/api/v1/user/transaction-password/complete",
			map[string]string{"otp_code": res.Str(t, "otp"), "temp_hash": res.Str(t, "temp_hash")}, apptest.Bearer(access)).Expect(t, 200, "")
		res = h.Do(http.MethodGet, "/api/v1/user/transaction-password/status", nil, apptest.Bearer(access)).Expect(t, 200, "")
		if set := txPasswordSet(t, res); !set {
			t.Fatalf("is_set after complete = %v", set)
		}
	})
}
