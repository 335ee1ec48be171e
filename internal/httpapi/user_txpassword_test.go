package httpapi_test

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/apptest"
)

const (
	usrTxStatus       = "/api/v1/user/transaction-password/status"
	usrTxRequest      = "/api/v1/user/transaction-password/request"
	usrTxCompletePath = "/api/v1/user/transaction-password/complete"
)

func usrTxIsSet(t testing.TB, h *apptest.Harness, acc apptest.Account) bool {
	t.Helper()
	res := h.Do(http.MethodGet, usrTxStatus, nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	if res.Str(t, "message") != "Transaction password status retrieved successfully" {
		t.Errorf("status message = %q", res.Str(t, "message"))
	}
	return txPasswordSet(t, res)
}

// txPasswordSet reads is_set of GET /user/transaction-password/status.
func txPasswordSet(t testing.TB, res *apptest.Response) bool {
	t.Helper()
	return apptest.Decode[struct {
		IsSet bool `json:"is_set"`
	}](t, res).IsSet
}

// usrTxRequestOK requests pw and returns (temp_hash, otp).
func usrTxRequestOK(t testing.TB, h *apptest.Harness, acc apptest.Account, pw string) (string, string) {
	t.Helper()
	res := h.Do(http.MethodPost, usrTxRequest, map[string]string{"transaction_password": pw, "confirm_transaction_password": pw},
		apptest.Bearer(acc.Access)).Expect(t, 200, "")
	if res.Str(t, "email") != acc.Email || res.Str(t, "next_step") != "verify_transaction_password_otp" {
		t.Fatalf("request: %s", res.Body)
	}
	return res.Str(t, "temp_hash"), res.Str(t, "otp")
}

func usrTxComplete(h *apptest.Harness, acc apptest.Account, body map[string]string) *apptest.Response {
	return h.Do(http.MethodPost, usrTxCompletePath, body, apptest.Bearer(acc.Access))
}

func TestUserTransactionPassword(t *testing.T) {
	t.Parallel()
	badRequests := []struct {
		name, code  string
		pw, confirm any
		fields      []string
	}{
		{"5 digits", "VALIDATION_FAILED", "12345", "12345", []string{"transaction_password"}},
		{"7 digits", "VALIDATION_FAILED", "1234567", "1234567", []string{"transaction_password"}},
		{"letters", "VALIDATION_FAILED", "12345a", "12345a", []string{"transaction_password"}},
		{"padded", "VALIDATION_FAILED", " 123456", " 123456", []string{"transaction_password"}},
		{"full-width digits", "VALIDATION_FAILED", "１２３４５６", "１２３４５６", []string{"transaction_password"}},
		{"number type", "VALIDATION_FAILED", 123456, "123456", []string{"transaction_password"}},
		{"missing", "VALIDATION_FAILED", nil, nil, []string{"transaction_password", "confirm_transaction_password"}},
		{"missing confirm", "VALIDATION_FAILED", "123456", nil, []string{"confirm_transaction_password"}},
		{"mismatch", "PASSWORD_MISMATCH", "123456", "654321", nil},
	}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "txpw@example.com")
		other := h.Register(t, "txpw-other@example.com")
		if got := usrTxIsSet(t, h, acc); got != false {
			t.Fatalf("is_set = %#v, want false", got)
		}
		for _, tc := range badRequests {
			t.Run(tc.name, func(t *testing.T) {
				body := map[string]any{}
				if tc.pw != nil {
					body["transaction_password"] = tc.pw
				}
				if tc.confirm != nil {
					body["confirm_transaction_password"] = tc.confirm
				}
				res := h.Do(http.MethodPost, usrTxRequest, body, apptest.Bearer(acc.Access))
				usrExpectErr(t, res, 400, tc.code)
				if tc.fields != nil {
					usrExpectFields(t, res, tc.fields...)
				}
			})
		}
		if got := usrTxIsSet(t, h, acc); got != false {
			t.Fatalf("is_set after rejected requests = %#v", got)
		}

		handle, code := usrTxRequestOK(t, h, acc, "123456")
		if !strings.HasPrefix(handle, "tph_") || len(handle) > 128 || strings.Contains(handle, "123456") {
			t.Errorf("temp_hash %q is not an opaque tph_ handle of at most 128 chars", handle)
		}
		usrWaitMail(t, h, acc.Email, usrWithOTP(code))
		otherHandle, _ := usrTxRequestOK(t, h, other, "123456")
		if otherHandle == handle {
			t.Errorf("two requests for the same password got the same temp_hash %q", handle)
		}

		usrExpectErr(t, usrTxComplete(h, acc, map[string]string{"otp_code": code, "temp_hash": handle + "x"}), 400, "INVALID_STATE")
		usrExpectErr(t, usrTxComplete(h, acc, map[string]string{"otp_code": code, "temp_hash": "tph_" + strings.Repeat("A", 40)}), 400, "INVALID_STATE")
		usrExpectErr(t, usrTxComplete(h, acc, map[string]string{"otp_code": code, "temp_hash": otherHandle}), 400, "INVALID_STATE")
		usrExpectFields(t, usrTxComplete(h, acc, map[string]string{"otp_code": code}), "temp_hash")
		usrExpectFields(t, usrTxComplete(h, acc, map[string]string{"otp_code": code, "temp_hash": ""}), "temp_hash")
		usrExpectFields(t, usrTxComplete(h, acc, map[string]string{"temp_hash": handle}), "otp_code")
		usrExpectErr(t, usrTxComplete(h, acc, map[string]string{"otp_code": usrWrongCode(code), "temp_hash": handle}), 400, "OTP_INVALID")
		if got := usrTxIsSet(t, h, acc); got != false {
			t.Fatalf("is_set after failed completions = %#v", got)
		}

		res := usrTxComplete(h, acc, map[string]string{"otp_code": code, "temp_hash": handle}).Expect(t, 200, "")
		if res.Str(t, "message") != "Transaction password set successfully" {
			t.Errorf("message = %q", res.Str(t, "message"))
		}
		if got := usrTxIsSet(t, h, acc); got != true {
			t.Fatalf("is_set after complete = %#v", got)
		}
		usrExpectErr(t, usrTxComplete(h, acc, map[string]string{"otp_code": code, "temp_hash": handle}), 400, "INVALID_STATE")

		// A pending request lives 10 minutes.
		h.Clock.Advance(time.Minute)
		handle, code = usrTxRequestOK(t, h, acc, "654321")
		h.Clock.Advance(10*time.Minute + time.Second)
		usrExpectErr(t, usrTxComplete(h, acc, map[string]string{"otp_code": code, "temp_hash": handle}), 400, "INVALID_STATE")

		// Changing it works, and only the newest value is accepted.
		handle, code = usrTxRequestOK(t, h, acc, "654321")
		usrTxComplete(h, acc, map[string]string{"otp_code": code, "temp_hash": handle}).Expect(t, 200, "")
		if err := usrCheckTx(h, acc.ID, "654321"); err != nil {
			t.Errorf("new transaction password rejected: %v", err)
		}
		if e, _ := apperr.As(usrCheckTx(h, acc.ID, "123456")); e == nil || e.Code != "INVALID_TRANSACTION_PASSWORD" {
			t.Errorf("old transaction password: %v, want INVALID_TRANSACTION_PASSWORD", e)
		}
	})
}

func usrCheckTx(h *apptest.Harness, userID int64, pw string) error {
	ctx := context.Background()
	return h.App.DB.InTx(ctx, func(tx *sql.Tx) error {
		return h.App.Accounts.CheckTxPassword(ctx, tx, userID, pw)
	})
}

func TestUserCheckTxPasswordLockout(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "lock@example.com")
		expect := func(pw, code string) *apperr.Error {
			t.Helper()
			err := usrCheckTx(h, acc.ID, pw)
			if code == "" {
				if err != nil {
					t.Fatalf("CheckTxPassword(%q) = %v, want nil", pw, err)
				}
				return nil
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != code {
				t.Fatalf("CheckTxPassword(%q) = %v, want %s", pw, err, code)
			}
			return e
		}
		expect("123456", "TRANSACTION_PASSWORD_NOT_SET")
		handle, code := usrTxRequestOK(t, h, acc, "123456")
		usrTxComplete(h, acc, map[string]string{"otp_code": code, "temp_hash": handle}).Expect(t, 200, "")

		// A correct entry resets the count: 2 wrong + correct + 4 wrong is not a lock.
		expect("000000", "INVALID_TRANSACTION_PASSWORD")
		expect("000000", "INVALID_TRANSACTION_PASSWORD")
		expect("123456", "")
		for i := range 4 {
			if e := expect("111111", "INVALID_TRANSACTION_PASSWORD"); e.RetryAfter != 0 {
				t.Errorf("wrong try %d carries RetryAfter %v", i+1, e.RetryAfter)
			}
		}
		e := expect("111111", "TRANSACTION_PASSWORD_LOCKED")
		if e.RetryAfter < 29*time.Minute || e.RetryAfter > 31*time.Minute {
			t.Errorf("RetryAfter = %v, want about 30 min", e.RetryAfter)
		}
		expect("123456", "TRANSACTION_PASSWORD_LOCKED") // correct while locked
		h.Clock.Advance(20 * time.Minute)
		if e := expect("123456", "TRANSACTION_PASSWORD_LOCKED"); e.RetryAfter < 9*time.Minute || e.RetryAfter > 11*time.Minute {
			t.Errorf("RetryAfter 20 min into the lock = %v, want about 10 min", e.RetryAfter)
		}
		h.Clock.Advance(11 * time.Minute)
		expect("123456", "")
		for range 4 {
			expect("222222", "INVALID_TRANSACTION_PASSWORD")
		}
		expect("123456", "")
		expect("222222", "INVALID_TRANSACTION_PASSWORD")
	})
}

// TestUserCodeCooldown: a code-sending step repeated within 60 s is 429
// RATE_LIMITED with retry_after (API.md §1.10); a new code replaces the old.
func TestUserCodeCooldown(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, path string
		body       map[string]string
	}{
		{"change email", "/api/v1/user/change-email/request", map[string]string{"new_email": "cool@example.com"}},
		{"change phone", "/api/v1/user/change-phone/request", map[string]string{"new_phone": "+8613800138000"}},
		{"transaction password", usrTxRequest, map[string]string{"transaction_password": "123456", "confirm_transaction_password": "123456"}},
		{"deactivation", "/api/v1/user/deactivate/request", nil},
	}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "cooldown@example.com")
		auth := apptest.Bearer(acc.Access)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				first := h.Do(http.MethodPost, tc.path, tc.body, auth).Expect(t, 200, "")
				h.Clock.Advance(30 * time.Second)
				res := h.Do(http.MethodPost, tc.path, tc.body, auth)
				usrExpectErr(t, res, 429, "RATE_LIMITED")
				var ra int
				if p := apptest.RetryAfter(t, res); p != nil {
					ra = *p
				}
				if ra < 1 || ra > 60 || res.Header.Get("Retry-After") != strconv.Itoa(ra) {
					t.Errorf("retry_after %v, Retry-After %q", ra, res.Header.Get("Retry-After"))
				}
				h.Clock.Advance(31 * time.Second)
				second := h.Do(http.MethodPost, tc.path, tc.body, auth).Expect(t, 200, "")
				if tc.path != usrTxRequest {
					return
				}
				oldHandle, oldCode := first.Str(t, "temp_hash"), first.Str(t, "otp")
				newHandle, newCode := second.Str(t, "temp_hash"), second.Str(t, "otp")
				usrExpectErr(t, usrTxComplete(h, acc, map[string]string{"otp_code": newCode, "temp_hash": oldHandle}), 400, "INVALID_STATE")
				if oldCode != newCode {
					usrExpectErr(t, usrTxComplete(h, acc, map[string]string{"otp_code": oldCode, "temp_hash": newHandle}), 400, "OTP_INVALID")
				}
				usrTxComplete(h, acc, map[string]string{"otp_code": newCode, "temp_hash": newHandle}).Expect(t, 200, "")
			})
		}
	})
}

// TestUserProductionModeOmitsOTP: outside sandbox mode no response carries
// an otp field (API.md §1.11).
func TestUserProductionModeOmitsOTP(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		const email = "prod@example.com"
		noOTP := func(res *apptest.Response) *apptest.Response {
			t.Helper()
			// Raw shape: the member must be absent, not merely empty.
			if _, has := res.JSON["otp"]; has {
				t.Errorf("production response carries otp: %s", res.Body)
			}
			return res
		}
		noOTP(h.Do(http.MethodPost, "/api/v1/auth/signup", map[string]string{"email": email}).Expect(t, 200, ""))
		h.Do(http.MethodPost, "/api/v1/auth/verify", map[string]string{"email": email, "otp_code": h.Outbox(email, 1)[0].OTP}).Expect(t, 200, "")
		res := h.Do(http.MethodPost, "/api/v1/auth/set-password", map[string]string{"email": email, "password": apptest.Password}).Expect(t, 200, "")
		auth := apptest.Bearer(res.Str(t, "access_token"))

		noOTP(h.Do(http.MethodPost, "/api/v1/user/change-email/request", map[string]string{"new_email": "prod2@example.com"}, auth).Expect(t, 200, ""))
		code := h.Outbox("prod2@example.com", 1)[0].OTP
		noOTP(h.Do(http.MethodPost, "/api/v1/user/change-email/verify-new", map[string]string{"new_email": "prod2@example.com", "otp_code": code}, auth).Expect(t, 200, ""))
		noOTP(h.Do(http.MethodPost, "/api/v1/user/change-phone/request", map[string]string{"new_phone": "+8613800138000"}, auth).Expect(t, 200, ""))
		noOTP(h.Do(http.MethodPost, usrTxRequest, map[string]string{"transaction_password": "123456", "confirm_transaction_password": "123456"}, auth).Expect(t, 200, ""))
		noOTP(h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, auth).Expect(t, 200, ""))
	}, apptest.Staging())
}
