package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	emailsandbox "github.com/comecomepay/comecomepay/internal/providers/email/sandbox"
)

const usrNewPassword = "N3w!Passw0rd#"

func usrPwBody(old, pw, confirm string) map[string]string {
	return map[string]string{"old_password": old, "new_password": pw, "confirm_password": confirm}
}

func TestUserChangePassword(t *testing.T) {
	t.Parallel()
	rejected := []struct {
		name, code string
		body       map[string]string
		fields     []string
	}{
		{"wrong old", "INVALID_CREDENTIALS", usrPwBody("Wr0ng!Passw0rd", usrNewPassword, usrNewPassword), nil},
		{"old not trimmed", "INVALID_CREDENTIALS", usrPwBody(apptest.Password+" ", usrNewPassword, usrNewPassword), nil},
		{"mismatch", "PASSWORD_MISMATCH", usrPwBody(apptest.Password, usrNewPassword, usrNewPassword+"x"), nil},
		{"weak: no upper", "PASSWORD_TOO_WEAK", usrPwBody(apptest.Password, "n3w!passw0rd", "n3w!passw0rd"), nil},
		{"weak: no digit", "PASSWORD_TOO_WEAK", usrPwBody(apptest.Password, "New!Password", "New!Password"), nil},
		{"weak: no special", "PASSWORD_TOO_WEAK", usrPwBody(apptest.Password, "NewPassw0rd", "NewPassw0rd"), nil},
		{"weak: 7 chars", "PASSWORD_TOO_WEAK", usrPwBody(apptest.Password, "N3w!Pas", "N3w!Pas"), nil},
		{"weak: 129 chars", "PASSWORD_TOO_WEAK", usrPwBody(apptest.Password, "N3w!"+strings.Repeat("p", 125), "N3w!"+strings.Repeat("p", 125)), nil},
		{"missing old", "VALIDATION_FAILED", map[string]string{"new_password": usrNewPassword, "confirm_password": usrNewPassword}, []string{"old_password"}},
		{"missing all", "VALIDATION_FAILED", map[string]string{}, []string{"old_password", "new_password", "confirm_password"}},
	}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "pw@example.com")
		other := h.Login(t, acc.Email, apptest.Password)
		for _, tc := range rejected {
			t.Run(tc.name, func(t *testing.T) {
				res := h.Do(http.MethodPost, "/api/v1/user/change-password", tc.body, apptest.Bearer(acc.Access))
				usrExpectErr(t, res, 400, tc.code)
				if tc.fields != nil {
					usrExpectFields(t, res, tc.fields...)
				}
				usrGetUser(t, h, other.Access) // nothing revoked
			})
		}
		res := h.Do(http.MethodPost, "/api/v1/user/change-password", usrPwBody(apptest.Password, usrNewPassword, usrNewPassword),
			apptest.Bearer(acc.Access)).Expect(t, 200, "")
		if res.Str(t, "message") != "Password changed successfully" {
			t.Errorf("message = %q", res.Str(t, "message"))
		}
		usrGetUser(t, h, acc.Access) // the current session stays valid
		usrExpectErr(t, h.Do(http.MethodGet, usrProfilePath, nil, apptest.Bearer(other.Access)), 401, "UNAUTHORIZED")
		usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": other.Refresh}), 401, "UNAUTHORIZED")
		usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": acc.Email, "password": apptest.Password}),
			400, "INVALID_CREDENTIALS")
		fresh := h.Login(t, acc.Email, usrNewPassword)
		usrGetUser(t, h, fresh.Access)
		usrWaitMail(t, h, acc.Email, func(m emailsandbox.Sent) bool { return m.OTP == "" && strings.Contains(m.Subject, "password") })
	})
}

// A wrong current password counts towards the login lockout (API.md §2.2).
func TestUserChangePasswordCountsTowardsLoginLockout(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "lockout@example.com")
		for range 5 {
			usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/user/change-password", usrPwBody("Wr0ng!Passw0rd", usrNewPassword, usrNewPassword),
				apptest.Bearer(acc.Access)), 400, "INVALID_CREDENTIALS")
		}
		res := h.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": acc.Email, "password": apptest.Password})
		usrExpectErr(t, res, 429, "RATE_LIMITED")
		if ra := apptest.RetryAfter(t, res); ra == nil || *ra < 1 || res.Header.Get("Retry-After") == "" {
			t.Errorf("429 without retry_after/Retry-After: %s", res.Body)
		}
	})
}

type usrFlow struct {
	base, target, codeField string // base path, target field, code field of step 3
}

var (
	usrEmailFlow = usrFlow{"/api/v1/user/change-email/", "new_email", "old_email_otp"}
	usrPhoneFlow = usrFlow{"/api/v1/user/change-phone/", "new_phone", "email_otp"}
)

func (f usrFlow) request(h *apptest.Harness, acc apptest.Account, target string) *apptest.Response {
	return h.Do(http.MethodPost, f.base+"request", map[string]string{f.target: target}, apptest.Bearer(acc.Access))
}

func (f usrFlow) verify(h *apptest.Harness, acc apptest.Account, target, code string) *apptest.Response {
	return h.Do(http.MethodPost, f.base+"verify-new", map[string]string{f.target: target, "otp_code": code, "email": "ignored@example.com"},
		apptest.Bearer(acc.Access))
}

func (f usrFlow) complete(h *apptest.Harness, acc apptest.Account, target, code string) *apptest.Response {
	return h.Do(http.MethodPost, f.base+"complete", map[string]string{f.target: target, f.codeField: code}, apptest.Bearer(acc.Access))
}

func TestUserChangeEmail(t *testing.T) {
	t.Parallel()
	f := usrEmailFlow
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "old@example.com")
		other := h.Login(t, acc.Email, apptest.Password)

		res := f.request(h, acc, " New@Example.COM ").Expect(t, 200, "")
		if res.Str(t, "new_email") != "new@example.com" || res.Str(t, "next_step") != "verify_new_email" {
			t.Fatalf("request: %s", res.Body)
		}
		code1 := res.Str(t, "otp")
		usrWaitMail(t, h, "new@example.com", usrWithOTP(code1)) // to the NEW address
		usrExpectErr(t, f.verify(h, acc, "new@example.com", usrWrongCode(code1)), 400, "OTP_INVALID")

		res = f.verify(h, acc, "new@example.com", code1).Expect(t, 200, "")
		if res.Str(t, "current_email") != "old@example.com" || res.Str(t, "next_step") != "verify_old_email" {
			t.Fatalf("verify-new: %s", res.Body)
		}
		code2 := res.Str(t, "otp")
		usrWaitMail(t, h, "old@example.com", usrWithOTP(code2)) // to the CURRENT address
		for _, m := range h.App.Outbox.To("old@example.com") {
			if m.OTP == code1 && code1 != code2 {
				t.Errorf("the new-email code was also sent to the current address")
			}
		}
		usrExpectErr(t, f.complete(h, acc, "new@example.com", usrWrongCode(code2)), 400, "OTP_INVALID")
		usrExpectErr(t, f.complete(h, acc, "new@example.com", code1), 400, "OTP_INVALID") // step-1 code is not step 3's

		res = f.complete(h, acc, "new@example.com", code2).Expect(t, 200, "")
		if res.Str(t, "new_email") != "new@example.com" || res.Str(t, "message") != "Email changed successfully" {
			t.Fatalf("complete: %s", res.Body)
		}
		if u := usrGetUser(t, h, acc.Access); u["email"] != "new@example.com" {
			t.Errorf("profile email = %v", u["email"])
		}
		usrExpectErr(t, h.Do(http.MethodGet, usrProfilePath, nil, apptest.Bearer(other.Access)), 401, "UNAUTHORIZED")
		usrWaitMail(t, h, "old@example.com", func(m emailsandbox.Sent) bool { return strings.Contains(m.Body, "new@example.com") })
		usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "old@example.com", "password": apptest.Password}),
			400, "INVALID_CREDENTIALS")
		if u := usrGetUser(t, h, h.Login(t, "new@example.com", apptest.Password).Access); u["id"] != float64(acc.ID) {
			t.Errorf("login with the new email reached user %v", u["id"])
		}
	})
}

func TestUserChangeEmailErrors(t *testing.T) {
	t.Parallel()
	// A step moves a flow along; code holds the last code echoed.
	type step func(t *testing.T, h *apptest.Harness, acc apptest.Account, code *string)
	req := func(target string) step {
		return func(t *testing.T, h *apptest.Harness, acc apptest.Account, code *string) {
			*code = usrEmailFlow.request(h, acc, target).Expect(t, 200, "").Str(t, "otp")
		}
	}
	verify := func(target string) step {
		return func(t *testing.T, h *apptest.Harness, acc apptest.Account, code *string) {
			*code = usrEmailFlow.verify(h, acc, target, *code).Expect(t, 200, "").Str(t, "otp")
		}
	}
	wait := func(d time.Duration) step {
		return func(_ *testing.T, h *apptest.Harness, _ apptest.Account, _ *string) { h.Clock.Advance(d) }
	}
	cases := []struct {
		name   string
		setup  []step
		final  func(h *apptest.Harness, acc apptest.Account, code string) *apptest.Response
		status int
		code   string
	}{
		{"same email", nil, func(h *apptest.Harness, acc apptest.Account, _ string) *apptest.Response {
			return usrEmailFlow.request(h, acc, strings.ToUpper(acc.Email))
		}, 400, "SAME_EMAIL"},
		{"taken by another user", nil, func(h *apptest.Harness, acc apptest.Account, _ string) *apptest.Response {
			return usrEmailFlow.request(h, acc, "Taken@Example.com")
		}, 400, "EMAIL_ALREADY_REGISTERED"},
		{"verify-new without request", nil, func(h *apptest.Harness, acc apptest.Account, _ string) *apptest.Response {
			return usrEmailFlow.verify(h, acc, "n1@example.com", "12345")
		}, 400, "INVALID_STATE"},
		{"complete without request", nil, func(h *apptest.Harness, acc apptest.Account, _ string) *apptest.Response {
			return usrEmailFlow.complete(h, acc, "n1@example.com", "12345")
		}, 400, "INVALID_STATE"},
		{"complete before verify-new", []step{req("n2@example.com")}, func(h *apptest.Harness, acc apptest.Account, c string) *apptest.Response {
			return usrEmailFlow.complete(h, acc, "n2@example.com", c)
		}, 400, "INVALID_STATE"},
		{"verify-new with another email", []step{req("n3@example.com")}, func(h *apptest.Harness, acc apptest.Account, c string) *apptest.Response {
			return usrEmailFlow.verify(h, acc, "other3@example.com", c)
		}, 400, "INVALID_STATE"},
		{"complete with another email", []step{req("n4@example.com"), verify("n4@example.com")}, func(h *apptest.Harness, acc apptest.Account, c string) *apptest.Response {
			return usrEmailFlow.complete(h, acc, "other4@example.com", c)
		}, 400, "INVALID_STATE"},
		{"verify-new after 30 min", []step{req("n5@example.com"), wait(31 * time.Minute)}, func(h *apptest.Harness, acc apptest.Account, c string) *apptest.Response {
			return usrEmailFlow.verify(h, acc, "n5@example.com", c)
		}, 400, "INVALID_STATE"},
		{"complete after 30 min", []step{req("n6@example.com"), verify("n6@example.com"), wait(31 * time.Minute)},
			func(h *apptest.Harness, acc apptest.Account, c string) *apptest.Response {
				return usrEmailFlow.complete(h, acc, "n6@example.com", c)
			}, 400, "INVALID_STATE"},
		{"target registered meanwhile", []step{req("late@example.com"), verify("late@example.com"),
			func(t *testing.T, h *apptest.Harness, _ apptest.Account, _ *string) {
				h.Register(t, "late@example.com")
			}},
			func(h *apptest.Harness, acc apptest.Account, c string) *apptest.Response {
				return usrEmailFlow.complete(h, acc, "late@example.com", c)
			}, 400, "EMAIL_ALREADY_REGISTERED"},
		{"bad new_email", nil, func(h *apptest.Harness, acc apptest.Account, _ string) *apptest.Response {
			return usrEmailFlow.request(h, acc, "not-an-email")
		}, 400, "VALIDATION_FAILED"},
	}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		h.Register(t, "taken@example.com")
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				acc := h.Register(t, "user"+string(rune('a'+i))+"@example.com")
				code := "12345"
				for _, s := range tc.setup {
					s(t, h, acc, &code)
				}
				usrExpectErr(t, tc.final(h, acc, code), tc.status, tc.code)
				if u := usrGetUser(t, h, acc.Access); u["email"] != acc.Email {
					t.Errorf("email changed to %v", u["email"])
				}
			})
		}
	})
}

func TestUserChangePhone(t *testing.T) {
	t.Parallel()
	f := usrPhoneFlow
	badPhones := []string{"", "   ", "12345", "+12345", strings.Repeat("1", 21), "+" + strings.Repeat("1", 21),
		"+86 13800138000", "86-13800138000", "++8613800138000", "phone12345", "１３８００１３８０００", "8613800138000+"}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "phone@example.com")
		for _, p := range badPhones {
			t.Run("bad "+p, func(t *testing.T) {
				usrExpectFields(t, f.request(h, acc, p), "new_phone")
				usrExpectFields(t, f.verify(h, acc, p, "12345"), "new_phone")
				usrExpectFields(t, f.complete(h, acc, p, "12345"), "new_phone")
			})
		}
		usrExpectErr(t, f.verify(h, acc, "+8613800138000", "12345"), 400, "INVALID_STATE")
		usrExpectErr(t, f.complete(h, acc, "+8613800138000", "12345"), 400, "INVALID_STATE")

		res := f.request(h, acc, " +8613800138000 ").Expect(t, 200, "")
		if res.Str(t, "new_phone") != "+8613800138000" || res.Str(t, "next_step") != "verify_new_phone" {
			t.Fatalf("request: %s", res.Body)
		}
		code1 := res.Str(t, "otp")
		usrWaitMail(t, h, acc.Email, usrWithOTP(code1)) // no SMS provider: the account e-mail
		usrExpectErr(t, f.complete(h, acc, "+8613800138000", code1), 400, "INVALID_STATE")
		usrExpectErr(t, f.verify(h, acc, "+8613900139000", code1), 400, "INVALID_STATE")
		usrExpectErr(t, f.verify(h, acc, "+8613800138000", usrWrongCode(code1)), 400, "OTP_INVALID")

		res = f.verify(h, acc, "+8613800138000", code1).Expect(t, 200, "")
		if res.Str(t, "email") != acc.Email || res.Str(t, "next_step") != "verify_email" {
			t.Fatalf("verify-new: %s", res.Body)
		}
		code2 := res.Str(t, "otp")
		usrWaitMail(t, h, acc.Email, usrWithOTP(code2))
		usrExpectErr(t, f.complete(h, acc, "+8613900139000", code2), 400, "INVALID_STATE")
		usrExpectErr(t, f.complete(h, acc, "+8613800138000", usrWrongCode(code2)), 400, "OTP_INVALID")
		if u := usrGetUser(t, h, acc.Access); u["phone"] != nil {
			t.Fatalf("phone set before complete: %v", u["phone"])
		}
		res = f.complete(h, acc, "+8613800138000", code2).Expect(t, 200, "")
		if res.Str(t, "phone") != "+8613800138000" || res.Str(t, "message") != "Phone number updated successfully" {
			t.Fatalf("complete: %s", res.Body)
		}
		if u := usrGetUser(t, h, acc.Access); u["phone"] != "+8613800138000" {
			t.Errorf("profile phone = %v", u["phone"])
		}
		usrExpectErr(t, f.complete(h, acc, "+8613800138000", code2), 400, "INVALID_STATE") // single use
		usrExpectErr(t, f.request(h, acc, "+8613800138000"), 400, "SAME_PHONE")

		// A pending change expires after 30 minutes.
		h.Clock.Advance(2 * time.Minute)
		code1 = f.request(h, acc, "+85291234567").Expect(t, 200, "").Str(t, "otp")
		h.Clock.Advance(31 * time.Minute)
		usrExpectErr(t, f.verify(h, acc, "+85291234567", code1), 400, "INVALID_STATE")
		if u := usrGetUser(t, h, acc.Access); u["phone"] != "+8613800138000" {
			t.Errorf("phone after expired change = %v", u["phone"])
		}
	})
}

func TestUserDeactivation(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "leaving@example.com")
		other := h.Login(t, acc.Email, apptest.Password)
		stranger := h.Register(t, "stranger@example.com")
		auth := apptest.Bearer(acc.Access)

		usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/user/deactivate", map[string]string{"otp_code": "12345"}, auth), 400, "OTP_INVALID")
		res := h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, auth).Expect(t, 200, "")
		if res.Str(t, "email") != acc.Email || res.Str(t, "next_step") != "confirm_deactivation" {
			t.Fatalf("request: %s", res.Body)
		}
		code := res.Str(t, "otp")
		usrWaitMail(t, h, acc.Email, usrWithOTP(code))

		usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/user/deactivate", map[string]string{"otp_code": usrWrongCode(code)}, auth), 400, "OTP_INVALID")
		usrExpectFields(t, h.Do(http.MethodPost, "/api/v1/user/deactivate", map[string]string{}, auth), "otp_code")
		usrExpectFields(t, h.Do(http.MethodPost, "/api/v1/user/deactivate", map[string]string{"otp_code": "1234"}, auth), "otp_code")
		usrExpectFields(t, h.Do(http.MethodPost, "/api/v1/user/deactivate", map[string]string{"otp_code": " " + code}, auth), "otp_code")
		if u := usrGetUser(t, h, acc.Access); u["is_active"] != true || u["status"] != "active" {
			t.Fatalf("account changed by a failed confirmation: %v", u)
		}

		res = h.Do(http.MethodPost, "/api/v1/user/deactivate", map[string]string{"otp_code": code}, auth).Expect(t, 200, "")
		if res.Str(t, "message") != "Your account has been deactivated" {
			t.Errorf("message = %q", res.Str(t, "message"))
		}
		for _, tok := range []string{acc.Access, other.Access} {
			usrExpectErr(t, h.Do(http.MethodGet, usrProfilePath, nil, apptest.Bearer(tok)), 401, "UNAUTHORIZED")
		}
		usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": acc.Refresh}), 401, "UNAUTHORIZED")
		usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": acc.Email, "password": apptest.Password}),
			403, "ACCOUNT_DEACTIVATED")
		usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/auth/signup", map[string]string{"email": "Leaving@Example.com"}),
			400, "EMAIL_ALREADY_REGISTERED")
		// The address stays reserved for e-mail changes too.
		usrExpectErr(t, usrEmailFlow.request(h, stranger, acc.Email), 400, "EMAIL_ALREADY_REGISTERED")
	})
}
