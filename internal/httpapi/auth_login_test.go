package httpapi_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestAuthLoginTwoStep checks both login steps, their bodies and the mail.
func TestAuthLoginTwoStep(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "login@example.com"
		acc := h.Register(t, email)

		res := authPost(h, "login", map[string]string{"email": " Login@Example.COM ", "password": apptest.Password}).Expect(t, 200, "")
		body := authExact(t, res.Body)
		code, _ := body["otp"].(string)
		if body["status"] != "success" || body["message"] != "OTP sent to your email. Please verify to log in." ||
			body["next_step"] != "verify_login_otp" || body["email"] != email || body["name"] != "" || !authOTPRe.MatchString(code) {
			t.Fatalf("login body %s", res.Body)
		}
		if got := authWithSubject(authMailsSettled(t, h, email, 2), authSubjectLogin); len(got) != 1 || got[0].OTP != code {
			t.Fatalf("login mails %+v, want one carrying %s", got, code)
		}

		res = authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": code}).Expect(t, 200, "")
		body = authExact(t, res.Body)
		access, _ := body["access_token"].(string)
		refresh, _ := body["refresh_token"].(string)
		if body["status"] != "success" || body["message"] != "Login successful" || !authIsJWT(access) || !authIsJWT(refresh) {
			t.Fatalf("verify-login-otp body %s", res.Body)
		}
		if id := authCheckNewUser(t, body["user"].(map[string]any), email, 0); id != acc.ID {
			t.Fatalf("login user id %d, registered %d", id, acc.ID)
		}
		if authProfileStatus(t, h, access) != 200 {
			t.Fatal("login access token is not accepted")
		}

		// name is "first last" once set.
		h.Do("PUT", "/api/v1/user/profile", map[string]string{"first_name": "JOHN", "last_name": "DOE"}, apptest.Bearer(access)).Expect(t, 200, "")
		res = authPost(h, "login", map[string]string{"email": email, "password": apptest.Password}).Expect(t, 200, "")
		if res.Str(t, "name") != "JOHN DOE" {
			t.Fatalf("login name = %q, want JOHN DOE", res.Str(t, "name"))
		}
	})
}

// TestAuthLoginFailuresIndistinguishable: an unknown e-mail and a wrong
// password give the very same answer.
func TestAuthLoginFailuresIndistinguishable(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		h.Register(t, "known@example.com")
		for _, lang := range []string{"", "zh-CN"} {
			hd := apptest.Header{Name: "Accept-Language", Value: lang}
			wrong := authPost(h, "login", map[string]string{"email": "known@example.com", "password": "Wr0ng!Password"}, hd)
			unknown := authPost(h, "login", map[string]string{"email": "unknown@example.com", "password": "Wr0ng!Password"}, hd)
			authExpectErr(t, wrong, 400, "INVALID_CREDENTIALS")
			authExpectErr(t, unknown, 400, "INVALID_CREDENTIALS")
			if !bytes.Equal(wrong.Body, unknown.Body) {
				t.Fatalf("bodies differ:\nwrong password: %s\nunknown email:  %s", wrong.Body, unknown.Body)
			}
		}
	})
}

// TestAuthLoginRateLimit: 5 failures per e-mail in 15 minutes, then 429.
func TestAuthLoginRateLimit(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		for _, known := range []bool{true, false} {
			name := "unknown email"
			if known {
				name = "known email"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				h := apptest.New(t, engine)
				const email = "victim@example.com"
				if known {
					h.Register(t, email)
				}
				other := h.Register(t, "bystander@example.com")
				for i := range 5 {
					authExpectErr(t, authPost(h, "login", map[string]string{"email": email, "password": "Wr0ng!Pass" + string(rune('a'+i))}), 400, "INVALID_CREDENTIALS")
				}
				m := authExpectErr(t, authPost(h, "login", map[string]string{"email": email, "password": apptest.Password}), 429, "RATE_LIMITED")
				if s, _ := authJSONInt(m["retry_after"]); s > 15*60+1 {
					t.Fatalf("retry_after = %d, beyond the 15 min window", s)
				}
				// Other addresses are unaffected.
				h.Login(t, other.Email, apptest.Password)
				h.Clock.Advance(10 * time.Minute)
				authExpectErr(t, authPost(h, "login", map[string]string{"email": email, "password": apptest.Password}), 429, "RATE_LIMITED")
				h.Clock.Advance(5*time.Minute + 2*time.Second)
				res := authPost(h, "login", map[string]string{"email": email, "password": apptest.Password})
				if known {
					res.Expect(t, 200, "")
				} else {
					authExpectErr(t, res, 400, "INVALID_CREDENTIALS")
				}
			})
		}
	})
}

// TestAuthLoginCodeReuse: a repeated login within 60 s echoes the same code
// and sends one mail; after 60 s a new code replaces it.
func TestAuthLoginCodeReuse(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "repeat@example.com"
		h.Register(t, email)
		first := authStartLogin(t, h, email, apptest.Password)
		h.Clock.Advance(30 * time.Second)
		if again := authStartLogin(t, h, email, apptest.Password); again != first {
			t.Fatalf("second login within 60 s echoed %s, first %s", again, first)
		}
		if got := authWithSubject(authMailsSettled(t, h, email, 2), authSubjectLogin); len(got) != 1 {
			t.Fatalf("%d login mails after two logins within 60 s, want 1", len(got))
		}

		h.Clock.Advance(31 * time.Second)
		fresh := authStartLogin(t, h, email, apptest.Password)
		if got := authWithSubject(authMailsSettled(t, h, email, 3), authSubjectLogin); len(got) != 2 {
			t.Fatalf("%d login mails after a login 61 s later, want 2", len(got))
		}
		if fresh != first {
			res := authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": first})
			if res.Status != 400 || (res.Code() != "OTP_INVALID" && res.Code() != "OTP_EXPIRED") {
				t.Fatalf("replaced login code: got %d %s", res.Status, res.Code())
			}
		}
		authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": fresh}).Expect(t, 200, "")
	})
}

// TestAuthLoginAfterBurnedCode: once 5 wrong tries burned the login code, a
// new login must not hand out the burned code as if it were still valid
// (§2.1: only a "still-valid" code is re-used). Either a usable code or the
// resend cooldown is acceptable.
func TestAuthLoginAfterBurnedCode(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "burned@example.com"
		h.Register(t, email)
		code := authStartLogin(t, h, email, apptest.Password)
		for i := range 4 {
			authExpectErr(t, authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": authWrongCode(code, i)}), 400, "OTP_INVALID")
		}
		authExpectErr(t, authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": authWrongCode(code, 4)}), 429, "OTP_ATTEMPTS_EXCEEDED")
		res := authPost(h, "login", map[string]string{"email": email, "password": apptest.Password})
		if res.Status != 200 {
			authExpectErr(t, res, 429, "RATE_LIMITED")
			return
		}
		res = authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": res.Str(t, "otp")})
		if res.Status != 200 {
			t.Fatalf("login answered 200 with a code that cannot be used: verify gives %d %s", res.Status, res.Code())
		}
	})
}

// TestAuthLoginDeactivated: a deactivated account cannot log in, even with a
// login code sent before the deactivation.
func TestAuthLoginDeactivated(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "gone@example.com"
		acc := h.Register(t, email)
		pending := authStartLogin(t, h, email, apptest.Password)
		authDeactivate(t, h, acc.Access)

		authExpectErr(t, authPost(h, "login", map[string]string{"email": email, "password": apptest.Password}), 403, "ACCOUNT_DEACTIVATED")
		authExpectErr(t, authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": pending}), 403, "ACCOUNT_DEACTIVATED")
		if s := authProfileStatus(t, h, acc.Access); s != 401 {
			t.Fatalf("access token of a deactivated account: %d, want 401", s)
		}
		authExpectErr(t, authPost(h, "refresh", map[string]string{"refresh_token": acc.Refresh}), 401, "UNAUTHORIZED")
		// The e-mail stays reserved.
		authExpectErr(t, authPost(h, "signup", map[string]string{"email": email}), 400, "EMAIL_ALREADY_REGISTERED")
	})
}

// TestAuthVerifyLoginOTPInvalidState: verify-login-otp with no login pending.
func TestAuthVerifyLoginOTPInvalidState(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		h.Register(t, "idle@example.com")
		for _, email := range []string{"idle@example.com", "nobody@example.com"} {
			authExpectErr(t, authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": "12345"}), 400, "INVALID_STATE")
		}
	})
}

// TestAuthVerifyOTPNoop: /auth/verify-otp answers 200 to any body and leaves
// the login code alone (no consumption, no attempts, no mail).
func TestAuthVerifyOTPNoop(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "noop@example.com"
		h.Register(t, email)
		code := authStartLogin(t, h, email, apptest.Password)
		bodies := []any{
			map[string]string{"email": email, "referral_code": "", "otp_code": code},
			nil, "{}", "[]", "null", `"text"`,
		}
		for i := range 6 {
			bodies = append(bodies, map[string]string{"email": email, "referral_code": "", "otp_code": authWrongCode(code, i)})
		}
		for _, b := range bodies {
			res := authPost(h, "verify-otp", b)
			m := authExact(t, res.Expect(t, 200, "").Body)
			if len(m) != 2 || m["status"] != "success" || m["message"] != "OK" {
				t.Fatalf("verify-otp with %v: body %s", b, res.Body)
			}
		}
		if res := authPost(h, "verify-otp", `{"email":`); res.Status == 401 || res.Status >= 500 {
			t.Fatalf("verify-otp with malformed JSON: %d %s", res.Status, res.Body)
		}
		authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": code}).Expect(t, 200, "")
		if got := authWithSubject(authMailsSettled(t, h, email, 2), authSubjectLogin); len(got) != 1 {
			t.Fatalf("%d login mails, want 1", len(got))
		}
	})
}

// TestAuthPublicIgnoresAuthorization: public endpoints never evaluate the
// Authorization header, whatever it holds.
func TestAuthPublicIgnoresAuthorization(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		stale := h.Register(t, "stale@example.com")
		h.Clock.Advance(25 * time.Hour) // stale.Access is now expired
		headers := map[string]string{
			"garbage": "Bearer garbage", "empty bearer": "Bearer ", "basic": "Basic Zm9vOmJhcg==",
			"expired access": "Bearer " + stale.Access, "refresh as access": "Bearer " + stale.Refresh,
		}
		i := 0
		for name, value := range headers {
			i++
			email := "public" + string(rune('a'+i)) + "@example.com"
			t.Run(name, func(t *testing.T) {
				hd := apptest.Header{Name: "Authorization", Value: value}
				step := func(endpoint string, body any) *apptest.Response {
					t.Helper()
					res := authPost(h, endpoint, body, hd)
					if res.Status != 200 {
						t.Fatalf("%s with Authorization %q: %d %s", endpoint, value, res.Status, res.Body)
					}
					return res
				}
				otp := step("signup", map[string]string{"email": email}).Str(t, "otp")
				step("verify", map[string]string{"email": email, "otp_code": otp})
				step("set-password", map[string]string{"email": email, "password": apptest.Password})
				otp = step("login", map[string]string{"email": email, "password": apptest.Password}).Str(t, "otp")
				step("verify-otp", map[string]string{"email": email, "otp_code": otp})
				res := step("verify-login-otp", map[string]string{"email": email, "otp_code": otp})
				step("refresh", map[string]string{"refresh_token": res.Str(t, "refresh_token")})
				otp = step("forgot-password", map[string]string{"email": email}).Str(t, "otp")
				step("verify-forgot-password-otp", map[string]string{"email": email, "otp_code": otp})
				step("reset-password", map[string]string{"email": email, "otp_code": otp, "new_password": "N3w!Password", "confirm_password": "N3w!Password"})
				if res := authPost(h, "resend-otp", map[string]string{"email": email}, hd); res.Status == 401 {
					t.Fatalf("resend-otp with Authorization %q: 401", value)
				}
			})
		}
	})
}

// TestAuthAcceptLanguage: message is localized, error stays English.
func TestAuthAcceptLanguage(t *testing.T) {
	t.Parallel()
	hasScript := func(s string, tab *unicode.RangeTable) bool {
		return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(tab, r) }) >= 0
	}
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		n := 0
		requests := map[string]func(hd apptest.Header) *apptest.Response{
			"INVALID_CREDENTIALS": func(hd apptest.Header) *apptest.Response {
				n++ // a fresh unknown address each time, clear of the login limit
				return authPost(h, "login", map[string]string{"email": "lang" + string(rune('a'+n)) + "@example.com", "password": "Wr0ng!Password"}, hd)
			},
			"VALIDATION_FAILED": func(hd apptest.Header) *apptest.Response {
				return authPost(h, "signup", map[string]string{"email": "not-an-email"}, hd)
			},
		}
		for code, send := range requests {
			en := authExpectErr(t, send(apptest.Header{Name: "Accept-Language", Value: "en"}), 400, code)
			for _, tc := range []struct {
				header string
				script *unicode.RangeTable // nil: English expected
			}{{"zh-CN", unicode.Han}, {"ZH-cn,en;q=0.5", unicode.Han}, {"zh", unicode.Han}, {"ar-SA", unicode.Arabic}, {"fr-FR", nil}, {"", nil}} {
				m := authExpectErr(t, send(apptest.Header{Name: "Accept-Language", Value: tc.header}), 400, code)
				msg, _ := m["message"].(string)
				if m["error"] != en["error"] {
					t.Errorf("%s %q: error %q, want English %q", code, tc.header, m["error"], en["error"])
				}
				if tc.script == nil && msg != en["message"] || tc.script != nil && !hasScript(msg, tc.script) {
					t.Errorf("%s %q: message %q not in the expected language", code, tc.header, msg)
				}
			}
		}
	})
}
