package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestAuthSignupHappyPath runs signup → verify → set-password and checks
// every body field and JSON type the client casts strictly.
func TestAuthSignupHappyPath(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "new.user@example.com"

		res := authPost(h, "signup", map[string]any{"email": " New.User@Example.COM ", "unknown_field": 1}).Expect(t, 200, "")
		body := authExact(t, res.Body)
		if body["status"] != "success" || body["message"] != "OTP sent to your email. Please verify to continue registration." || body["email"] != email {
			t.Fatalf("signup body %s", res.Body)
		}
		code, _ := body["otp"].(string)
		if !authOTPRe.MatchString(code) {
			t.Fatalf("signup otp = %#v, want a 5-digit string", body["otp"])
		}
		if mails := h.Outbox(email, 1); mails[0].OTP != code || mails[0].Subject != authSubjectSignup || !strings.Contains(mails[0].Body, code) {
			t.Fatalf("signup mail %+v does not carry the echoed code %s", mails[0], code)
		}

		res = authPost(h, "verify", map[string]string{"email": email, "otp_code": code}).Expect(t, 200, "")
		body = authExact(t, res.Body)
		if body["status"] != "success" || body["next_step"] != "set_password" || body["email"] != email ||
			body["referral_code"] != "" || body["message"] != "Email verified successfully. Please set your password to complete registration." {
			t.Fatalf("verify body %s", res.Body)
		}

		res = authPost(h, "set-password", map[string]string{"email": email, "password": apptest.Password}).Expect(t, 200, "")
		body = authExact(t, res.Body)
		if body["status"] != "success" || body["next_step"] != "complete_profile" ||
			body["message"] != "Registration completed successfully. Please complete your profile." {
			t.Fatalf("set-password body %s", res.Body)
		}
		access, _ := body["access_token"].(string)
		refresh, _ := body["refresh_token"].(string)
		if !authIsJWT(access) || !authIsJWT(refresh) || access == refresh {
			t.Fatalf("set-password tokens %q / %q", access, refresh)
		}
		user, ok := body["user"].(map[string]any)
		if !ok {
			t.Fatalf("set-password user = %#v", body["user"])
		}
		id := authCheckNewUser(t, user, email, 0)

		// The returned tokens are valid and the profile is the same user.
		res = h.Do("GET", "/api/v1/user/profile", nil, apptest.Bearer(access)).Expect(t, 200, "")
		prof := authExact(t, res.Body)["user"].(map[string]any)
		authCheckNewUser(t, prof, email, 0)
		for _, k := range []string{"wallet_id", "referral_code"} {
			if prof[k] != user[k] {
				t.Fatalf("profile %s = %v, set-password gave %v", k, prof[k], user[k])
			}
		}
		if pid, _ := authJSONInt(prof["id"]); pid != id {
			t.Fatalf("profile id %d, set-password id %d", pid, id)
		}
		// The password works for a two-step login.
		if acc := h.Login(t, email, apptest.Password); acc.ID != id {
			t.Fatalf("login id %d, want %d", acc.ID, id)
		}
	})
}

// TestAuthSignupReferral covers referral codes at each step, case-insensitive
// input and invalid or unknown codes.
func TestAuthSignupReferral(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		referrer := h.Register(t, "referrer@example.com")
		res := h.Do("GET", "/api/v1/user/profile", nil, apptest.Bearer(referrer.Access)).Expect(t, 200, "")
		code := apptest.Decode[apptest.Session](t, res).User.ReferralCode
		unknown := "ZZZZZZZZ"
		if code == unknown {
			unknown = "YYYYYYYY"
		}
		cases := []struct {
			name                  string
			signup, verify, setPw string
			failAt, failCode      string // step expected to fail
			wantRef               string // referral_code echoed by verify
		}{
			{name: "none", wantRef: ""},
			{name: "at signup", signup: code, wantRef: code},
			{name: "lower-case at signup", signup: " " + strings.ToLower(code) + " ", wantRef: code},
			{name: "at verify", verify: strings.ToLower(code), wantRef: code},
			{name: "verify replaces signup", signup: code, verify: code, wantRef: code},
			{name: "at set-password", setPw: strings.ToLower(code)},
			{name: "too short at signup", signup: "ABC12", failAt: "signup"},
			{name: "bad character at signup", signup: "ABCD-123", failAt: "signup"},
			{name: "too long at signup", signup: code + "X", failAt: "signup"},
			{name: "unknown at signup", signup: unknown, failAt: "signup"},
			{name: "unknown at verify", verify: unknown, failAt: "verify"},
			{name: "unknown at set-password", setPw: unknown, failAt: "set"},
			{name: "malformed at set-password", setPw: "abc", failAt: "set"},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				email := "referred" + string(rune('a'+i)) + "@example.com"
				res := authPost(h, "signup", map[string]string{"email": email, "referral_code": tc.signup})
				if tc.failAt == "signup" {
					authExpectErr(t, res, 400, "INVALID_REFERRAL_CODE")
					return
				}
				otp := res.Expect(t, 200, "").Str(t, "otp")
				res = authPost(h, "verify", map[string]string{"email": email, "otp_code": otp, "referral_code": tc.verify})
				if tc.failAt == "verify" {
					authExpectErr(t, res, 400, "INVALID_REFERRAL_CODE")
					// The code is not consumed by the rejected attempt.
					authPost(h, "verify", map[string]string{"email": email, "otp_code": otp}).Expect(t, 200, "")
					return
				}
				if got := res.Expect(t, 200, "").Str(t, "referral_code"); got != tc.wantRef {
					t.Fatalf("verify referral_code = %q, want %q", got, tc.wantRef)
				}
				res = authPost(h, "set-password", map[string]string{"email": email, "password": apptest.Password, "referral_code": tc.setPw})
				if tc.failAt == "set" {
					authExpectErr(t, res, 400, "INVALID_REFERRAL_CODE")
					return
				}
				var want int64
				if tc.signup != "" || tc.verify != "" || tc.setPw != "" {
					want = referrer.ID
				}
				authCheckNewUser(t, authExact(t, res.Expect(t, 200, "").Body)["user"].(map[string]any), email, want)
			})
		}
	})
}

// TestAuthSignupEmailRules covers EMAIL_ALREADY_REGISTERED, EMAIL_NOT_VERIFIED
// and INVALID_STATE on verify.
func TestAuthSignupEmailRules(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		h.Register(t, "taken@example.com")
		for _, e := range []string{"taken@example.com", " TAKEN@Example.com "} {
			authExpectErr(t, authPost(h, "signup", map[string]string{"email": e}), 400, "EMAIL_ALREADY_REGISTERED")
		}

		// set-password before (or without) verification.
		setPw := func(email string) *apptest.Response {
			return authPost(h, "set-password", map[string]string{"email": email, "password": apptest.Password})
		}
		authExpectErr(t, setPw("never@example.com"), 400, "EMAIL_NOT_VERIFIED")
		code := authStartSignup(t, h, "pending@example.com")
		authExpectErr(t, setPw("pending@example.com"), 400, "EMAIL_NOT_VERIFIED")
		authExpectErr(t, authPost(h, "verify", map[string]string{"email": "pending@example.com", "otp_code": authWrongCode(code, 0)}), 400, "OTP_INVALID")
		authExpectErr(t, setPw("pending@example.com"), 400, "EMAIL_NOT_VERIFIED")
		// No account was created by the refused attempts.
		authExpectErr(t, authPost(h, "login", map[string]string{"email": "pending@example.com", "password": apptest.Password}), 400, "INVALID_CREDENTIALS")

		// A verification is good for set-password for 30 minutes only.
		authVerifiedSignup(t, h, "slow@example.com")
		h.Clock.Advance(31 * time.Minute)
		if res := setPw("slow@example.com"); res.Status != 400 || (res.Code() != "EMAIL_NOT_VERIFIED" && res.Code() != "INVALID_STATE") {
			t.Fatalf("set-password 31 min after verify: %d %s, want 400 EMAIL_NOT_VERIFIED or INVALID_STATE", res.Status, res.Code())
		}

		// verify without a pending registration.
		authExpectErr(t, authPost(h, "verify", map[string]string{"email": "nobody@example.com", "otp_code": "12345"}), 400, "INVALID_STATE")
		// A pending registration expires 30 minutes after its last activity.
		late := authStartSignup(t, h, "late@example.com")
		h.Clock.Advance(31 * time.Minute)
		authExpectErr(t, authPost(h, "verify", map[string]string{"email": "late@example.com", "otp_code": late}), 400, "INVALID_STATE")
	})
}

// TestAuthSignupPasswordTooWeak applies the password policy of §2.1.
func TestAuthSignupPasswordTooWeak(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "weak@example.com"
		authVerifiedSignup(t, h, email)
		for _, tc := range []struct{ name, password string }{
			{"seven characters", "Ab1!xyz"},
			{"no upper-case", "str0ng!passw0rd"},
			{"no digit", "Strong!Password"},
			{"no special", "Str0ngPassw0rd"},
			{"only non-ASCII upper-case", "ÄÖÜäöü1!x"},
			{"129 characters", "A1!" + strings.Repeat("a", 126)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				authExpectErr(t, authPost(h, "set-password", map[string]string{"email": email, "password": tc.password}), 400, "PASSWORD_TOO_WEAK")
			})
		}
		// The boundaries are accepted, and the refusals above did not use
		// up the verified registration.
		authPost(h, "set-password", map[string]string{"email": email, "password": "A1!" + strings.Repeat("a", 125)}).Expect(t, 200, "")
		authVerifiedSignup(t, h, "eight@example.com")
		authPost(h, "set-password", map[string]string{"email": "eight@example.com", "password": "Abcdef1!"}).Expect(t, 200, "")
	})
}

// TestAuthSignupResendCooldown checks the 60 s resend cooldown and that a
// re-issued code replaces the old one.
func TestAuthSignupResendCooldown(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "cooldown@example.com"
		authExpectErr(t, authPost(h, "resend-otp", map[string]string{"email": email}), 400, "INVALID_STATE")
		old := authStartSignup(t, h, email)

		m := authExpectErr(t, authPost(h, "resend-otp", map[string]string{"email": email}), 429, "RATE_LIMITED")
		if s, _ := authJSONInt(m["retry_after"]); s != 60 {
			t.Fatalf("retry_after right after signup = %v, want 60", m["retry_after"])
		}
		authExpectErr(t, authPost(h, "signup", map[string]string{"email": email}), 429, "RATE_LIMITED")
		h.Clock.Advance(45 * time.Second)
		m = authExpectErr(t, authPost(h, "resend-otp", map[string]string{"email": email}), 429, "RATE_LIMITED")
		if s, _ := authJSONInt(m["retry_after"]); s != 15 {
			t.Fatalf("retry_after 45 s after signup = %v, want 15", m["retry_after"])
		}

		h.Clock.Advance(16 * time.Second)
		res := authPost(h, "resend-otp", map[string]string{"email": email}).Expect(t, 200, "")
		fresh := res.Str(t, "otp")
		if res.Str(t, "message") != "New OTP sent to your email" || !authOTPRe.MatchString(fresh) {
			t.Fatalf("resend body %s", res.Body)
		}
		if mails := h.Outbox(email, 2); mails[0].OTP != fresh && mails[1].OTP != fresh {
			t.Fatalf("mails carry %q and %q, resend echoed %q", mails[0].OTP, mails[1].OTP, fresh)
		}
		if fresh != old {
			res = authPost(h, "verify", map[string]string{"email": email, "otp_code": old})
			if res.Status != 400 || (res.Code() != "OTP_INVALID" && res.Code() != "OTP_EXPIRED") {
				t.Fatalf("replaced code: got %d %s, want 400 OTP_INVALID/OTP_EXPIRED", res.Status, res.Code())
			}
		}
		authPost(h, "verify", map[string]string{"email": email, "otp_code": fresh}).Expect(t, 200, "")
		// The flow is complete: nothing is open to resend.
		authExpectErr(t, authPost(h, "resend-otp", map[string]string{"email": email}), 400, "INVALID_STATE")
	})
}

// TestAuthSignupValidation covers malformed input on the signup steps.
func TestAuthSignupValidation(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		for _, tc := range []struct {
			name, endpoint string
			body           any
			field          string
		}{
			{"bad email", "signup", map[string]string{"email": "not-an-email"}, "email"},
			{"missing email", "signup", map[string]string{}, "email"},
			{"email wrong type", "signup", map[string]any{"email": 42}, "email"},
			{"malformed JSON", "signup", `{"email":`, ""},
			{"four-digit code", "verify", map[string]string{"email": "a@example.com", "otp_code": "1234"}, "otp_code"},
			{"code with letters", "verify", map[string]string{"email": "a@example.com", "otp_code": "12a45"}, "otp_code"},
			{"numeric code", "verify", map[string]any{"email": "a@example.com", "otp_code": 12345}, "otp_code"},
			{"missing password", "set-password", map[string]string{"email": "a@example.com"}, "password"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				m := authExpectErr(t, authPost(h, tc.endpoint, tc.body), 400, "VALIDATION_FAILED")
				if tc.field == "" {
					return // no particular field is at fault
				}
				fields, ok := m["fields"].(map[string]any)
				if !ok {
					t.Fatalf("fields = %#v, want object", m["fields"])
				}
				if _, has := fields[tc.field]; !has {
					t.Fatalf("fields %v lack %q", fields, tc.field)
				}
			})
		}
	})
}

// TestAuthResendLatestFlow: resend-otp re-issues the code of the most
// recently started open flow and leaves the other flows' codes alone.
func TestAuthResendLatestFlow(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "flows@example.com"
		h.Register(t, email)
		login := authStartLogin(t, h, email, apptest.Password)
		h.Clock.Advance(61 * time.Second)
		authPost(h, "forgot-password", map[string]string{"email": email}).Expect(t, 200, "")
		h.Clock.Advance(61 * time.Second)
		reset := authPost(h, "resend-otp", map[string]string{"email": email}).Expect(t, 200, "").Str(t, "otp")
		authExpectErr(t, authPost(h, "resend-otp", map[string]string{"email": email}), 429, "RATE_LIMITED")
		authPost(h, "verify-forgot-password-otp", map[string]string{"email": email, "otp_code": reset}).Expect(t, 200, "")
		authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": login}).Expect(t, 200, "")
	})
}
