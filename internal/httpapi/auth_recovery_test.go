package httpapi_test

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

const authNewPassword = "N3w!Passw0rd"

func authResetBody(email, code, pw, confirm string) map[string]string {
	return map[string]string{"email": email, "otp_code": code, "new_password": pw, "confirm_password": confirm}
}

// TestAuthForgotPassword: known and unknown (or deactivated) addresses get
// the same answer, but only a known one gets a code.
func TestAuthForgotPassword(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		acc := h.Register(t, "known@example.com")
		h.Do("PUT", "/api/v1/user/profile", map[string]string{"first_name": "JOHN", "last_name": "DOE"}, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		closed := h.Register(t, "closed@example.com")
		authDeactivate(t, h, closed.Access)

		known := authExact(t, authPost(h, "forgot-password", map[string]string{"email": " Known@Example.com "}).Expect(t, 200, "").Body)
		code, _ := known["otp"].(string)
		if known["status"] != "success" || known["message"] != "OTP sent to your email. Please verify to reset your password." ||
			known["email"] != acc.Email || known["name"] != "JOHN DOE" || !authOTPRe.MatchString(code) {
			t.Fatalf("forgot-password (known) body %v", known)
		}
		for _, email := range []string{"unknown@example.com", closed.Email} {
			other := authExact(t, authPost(h, "forgot-password", map[string]string{"email": email}).Expect(t, 200, "").Body)
			if _, has := other["otp"]; has {
				t.Fatalf("forgot-password for %s has an otp: %v", email, other)
			}
			if other["status"] != known["status"] || other["message"] != known["message"] || other["name"] != "" || other["email"] != email {
				t.Fatalf("forgot-password for %s: %v, known gave %v", email, other, known)
			}
			if k1, k2 := slices.Sorted(maps.Keys(known)), slices.Sorted(maps.Keys(other)); !slices.Equal(slices.DeleteFunc(k1, func(k string) bool { return k == "otp" }), k2) {
				t.Fatalf("field sets differ: known %v, %s %v", k1, email, k2)
			}
			// The verify step cannot tell either: a guess is simply wrong.
			authExpectErr(t, authPost(h, "verify-forgot-password-otp", map[string]string{"email": email, "otp_code": "12345"}), 400, "OTP_INVALID")
			// The cooldown applies alike.
			authExpectErr(t, authPost(h, "forgot-password", map[string]string{"email": email}), 429, "RATE_LIMITED")
		}
		authExpectErr(t, authPost(h, "forgot-password", map[string]string{"email": acc.Email}), 429, "RATE_LIMITED")
		if got := authWithSubject(authMailsSettled(t, h, acc.Email, 2), authSubjectReset); len(got) != 1 || got[0].OTP != code {
			t.Fatalf("reset mails to the known address: %+v", got)
		}
		if got := authMailsSettled(t, h, "unknown@example.com", 0); len(got) != 0 {
			t.Fatalf("mail sent to an unknown address: %+v", got)
		}
		if got := authWithSubject(h.App.Outbox.To(closed.Email), authSubjectReset); len(got) != 0 {
			t.Fatalf("reset mail sent to a deactivated address: %+v", got)
		}
		authExpectErr(t, authPost(h, "verify-forgot-password-otp", map[string]string{"email": "never@example.com", "otp_code": "12345"}), 400, "INVALID_STATE")
		// After the cooldown, resend answers alike too; only a known address gets a code.
		h.Clock.Advance(61 * time.Second)
		if _, has := authExact(t, authPost(h, "resend-otp", map[string]string{"email": "unknown@example.com"}).Expect(t, 200, "").Body)["otp"]; has {
			t.Fatal("resend-otp for an unknown address echoed a code")
		}
		authPost(h, "resend-otp", map[string]string{"email": acc.Email}).Expect(t, 200, "").Str(t, "otp")
		if got := authMailsSettled(t, h, "unknown@example.com", 0); len(got) != 0 {
			t.Fatalf("resend mailed an unknown address: %+v", got)
		}
	})
}

// TestAuthResetPassword: verify does not consume the code; reset checks the
// passwords, then ends every session and swaps the password.
func TestAuthResetPassword(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "reset@example.com"
		acc := h.Register(t, email)
		second := h.Login(t, email, apptest.Password)
		code := authPost(h, "forgot-password", map[string]string{"email": email}).Expect(t, 200, "").Str(t, "otp")

		for range 2 { // verifying twice: the code is not used up
			res := authPost(h, "verify-forgot-password-otp", map[string]string{"email": email, "otp_code": code}).Expect(t, 200, "")
			if m := authExact(t, res.Body); m["status"] != "success" || m["message"] != "OTP verified. Please set a new password." ||
				m["email"] != email || m["next_step"] != "reset_password" {
				t.Fatalf("verify-forgot-password-otp body %s", res.Body)
			}
		}
		authExpectErr(t, authPost(h, "reset-password", authResetBody(email, code, authNewPassword, authNewPassword+"x")), 400, "PASSWORD_MISMATCH")
		for _, weak := range []string{"short1!", "nouppercase1!", "NoDigits!!", "NoSpecial11", "A1!" + strings.Repeat("a", 126)} {
			authExpectErr(t, authPost(h, "reset-password", authResetBody(email, code, weak, weak)), 400, "PASSWORD_TOO_WEAK")
		}
		if authProfileStatus(t, h, acc.Access) != 200 || authProfileStatus(t, h, second.Access) != 200 {
			t.Fatal("sessions ended by a refused reset")
		}

		res := authPost(h, "reset-password", authResetBody(email, code, authNewPassword, authNewPassword)).Expect(t, 200, "")
		if m := authExact(t, res.Body); len(m) != 2 || m["status"] != "success" || m["message"] != "Password reset successfully" {
			t.Fatalf("reset-password body %s", res.Body)
		}
		for _, a := range []apptest.Account{acc, second} {
			if s := authProfileStatus(t, h, a.Access); s != 401 {
				t.Fatalf("access token after reset: %d, want 401", s)
			}
			authExpectErr(t, authPost(h, "refresh", map[string]string{"refresh_token": a.Refresh}), 401, "UNAUTHORIZED")
		}
		authExpectErr(t, authPost(h, "login", map[string]string{"email": email, "password": apptest.Password}), 400, "INVALID_CREDENTIALS")
		if fresh := h.Login(t, email, authNewPassword); authProfileStatus(t, h, fresh.Access) != 200 {
			t.Fatal("session after reset does not work")
		}
		authExpectErr(t, authPost(h, "reset-password", authResetBody(email, code, "An0ther!Pass", "An0ther!Pass")), 400, "OTP_EXPIRED")
		authExpectErr(t, authPost(h, "verify-forgot-password-otp", map[string]string{"email": email, "otp_code": code}), 400, "OTP_EXPIRED")
		deadline := time.Now().Add(5 * time.Second)
		for len(authWithSubject(h.App.Outbox.To(email), "Your ComeComePay password was reset")) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("no security mail after the password reset")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// TestAuthResetAttemptsShared: wrong codes at verify and at reset count
// towards the same 5 tries.
func TestAuthResetAttemptsShared(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "shared@example.com"
		h.Register(t, email)
		code := authPost(h, "forgot-password", map[string]string{"email": email}).Expect(t, 200, "").Str(t, "otp")
		for i := range 4 {
			authExpectErr(t, authPost(h, "verify-forgot-password-otp", map[string]string{"email": email, "otp_code": authWrongCode(code, i)}), 400, "OTP_INVALID")
		}
		authExpectErr(t, authPost(h, "reset-password", authResetBody(email, authWrongCode(code, 4), authNewPassword, authNewPassword)), 429, "OTP_ATTEMPTS_EXCEEDED")
		authExpectErr(t, authPost(h, "reset-password", authResetBody(email, code, authNewPassword, authNewPassword)), 429, "OTP_ATTEMPTS_EXCEEDED")
		authExpectErr(t, authPost(h, "verify-forgot-password-otp", map[string]string{"email": email, "otp_code": code}), 429, "OTP_ATTEMPTS_EXCEEDED")
		h.Login(t, email, apptest.Password) // the password is unchanged
	})
}

// authOTPFlow is one of the public code flows of §2.1.
type authOTPFlow struct {
	name    string
	start   func(t *testing.T, h *apptest.Harness, email string) string
	verify  func(h *apptest.Harness, email, code string) *apptest.Response
	consume func(h *apptest.Harness, email, code string) *apptest.Response
}

var authOTPFlows = []authOTPFlow{
	{
		name:  "signup",
		start: func(t *testing.T, h *apptest.Harness, email string) string { return authStartSignup(t, h, email) },
		verify: func(h *apptest.Harness, email, code string) *apptest.Response {
			return authPost(h, "verify", map[string]string{"email": email, "otp_code": code})
		},
	},
	{
		name: "login",
		start: func(t *testing.T, h *apptest.Harness, email string) string {
			h.Register(t, email)
			return authStartLogin(t, h, email, apptest.Password)
		},
		verify: func(h *apptest.Harness, email, code string) *apptest.Response {
			return authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": code})
		},
	},
	{
		name: "reset",
		start: func(t *testing.T, h *apptest.Harness, email string) string {
			h.Register(t, email)
			return authPost(h, "forgot-password", map[string]string{"email": email}).Expect(t, 200, "").Str(t, "otp")
		},
		verify: func(h *apptest.Harness, email, code string) *apptest.Response {
			return authPost(h, "verify-forgot-password-otp", map[string]string{"email": email, "otp_code": code})
		},
		consume: func(h *apptest.Harness, email, code string) *apptest.Response {
			return authPost(h, "reset-password", authResetBody(email, code, authNewPassword, authNewPassword))
		},
	},
}

// TestAuthOTPRules applies §1.10 to the signup, login and reset codes.
func TestAuthOTPRules(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		run  func(t *testing.T, h *apptest.Harness, f authOTPFlow, email, code string)
	}{
		{"five wrong tries burn the code", func(t *testing.T, h *apptest.Harness, f authOTPFlow, email, code string) {
			for i := range 4 {
				authExpectErr(t, f.verify(h, email, authWrongCode(code, i)), 400, "OTP_INVALID")
			}
			authExpectErr(t, f.verify(h, email, authWrongCode(code, 4)), 429, "OTP_ATTEMPTS_EXCEEDED")
			authExpectErr(t, f.verify(h, email, code), 429, "OTP_ATTEMPTS_EXCEEDED")
			authExpectErr(t, f.consume(h, email, code), 429, "OTP_ATTEMPTS_EXCEEDED")
			// A new code (resend after the cooldown) starts afresh.
			h.Clock.Advance(61 * time.Second)
			fresh := authPost(h, "resend-otp", map[string]string{"email": email}).Expect(t, 200, "").Str(t, "otp")
			f.consume(h, email, fresh).Expect(t, 200, "")
		}},
		{"valid just under 10 minutes", func(t *testing.T, h *apptest.Harness, f authOTPFlow, email, code string) {
			h.Clock.Advance(10*time.Minute - 5*time.Second)
			f.consume(h, email, code).Expect(t, 200, "")
		}},
		{"expired after 10 minutes", func(t *testing.T, h *apptest.Harness, f authOTPFlow, email, code string) {
			h.Clock.Advance(10*time.Minute + time.Second)
			authExpectErr(t, f.verify(h, email, code), 400, "OTP_EXPIRED")
			authExpectErr(t, f.consume(h, email, code), 400, "OTP_EXPIRED")
		}},
		{"a used code is expired", func(t *testing.T, h *apptest.Harness, f authOTPFlow, email, code string) {
			f.consume(h, email, code).Expect(t, 200, "")
			authExpectErr(t, f.verify(h, email, code), 400, "OTP_EXPIRED")
		}},
	}
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		for _, f := range authOTPFlows {
			if f.consume == nil {
				f.consume = f.verify
			}
			t.Run(f.name, func(t *testing.T) {
				for _, sc := range scenarios {
					t.Run(sc.name, func(t *testing.T) {
						t.Parallel()
						h := apptest.New(t, engine)
						email := "otp-" + f.name + "@example.com"
						sc.run(t, h, f, email, f.start(t, h, email))
					})
				}
			})
		}
	})
}

// TestAuthProductionNoOTPEcho: in production (staging here: its behaviour on
// the simulators) no response has an "otp" key; the codes arrive by mail and
// work.
func TestAuthProductionNoOTPEcho(t *testing.T) {
	t.Parallel()
	noOTP := func(t *testing.T, res *apptest.Response) *apptest.Response {
		t.Helper()
		res.Expect(t, 200, "")
		if _, has := authExact(t, res.Body)["otp"]; has {
			t.Fatalf("production response has an otp key: %s", res.Body)
		}
		return res
	}
	// mailCode waits for n mails and returns the code of the one with subject
	// (job delivery order is not guaranteed, so subjects tell mails apart).
	mailCode := func(t *testing.T, h *apptest.Harness, email string, n int, subject string) string {
		t.Helper()
		got := authWithSubject(h.Outbox(email, n), subject)
		if len(got) != 1 || got[0].OTP == "" {
			t.Fatalf("mails %q to %s: %+v", subject, email, got)
		}
		return got[0].OTP
	}
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, apptest.Staging())
		const email = "prod@example.com"
		noOTP(t, authPost(h, "signup", map[string]string{"email": email}))
		authPost(h, "verify", map[string]string{"email": email, "otp_code": mailCode(t, h, email, 1, authSubjectSignup)}).Expect(t, 200, "")
		authPost(h, "set-password", map[string]string{"email": email, "password": apptest.Password}).Expect(t, 200, "")

		login := map[string]string{"email": email, "password": apptest.Password}
		noOTP(t, authPost(h, "login", login))
		noOTP(t, authPost(h, "login", login)) // within 60 s: no second mail
		if got := authWithSubject(authMailsSettled(t, h, email, 2), authSubjectLogin); len(got) != 1 {
			t.Fatalf("%d login mails, want 1", len(got))
		}
		authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": mailCode(t, h, email, 2, authSubjectLogin)}).Expect(t, 200, "")

		noOTP(t, authPost(h, "forgot-password", map[string]string{"email": email}))
		h.Clock.Advance(61 * time.Second)
		noOTP(t, authPost(h, "resend-otp", map[string]string{"email": email}))
		authPost(h, "reset-password", authResetBody(email, mailCode(t, h, email, 4, authSubjectResend), authNewPassword, authNewPassword)).Expect(t, 200, "")
		noOTP(t, authPost(h, "login", map[string]string{"email": email, "password": authNewPassword}))
	})
}

// TestAuthLogsHideSecrets: after a full journey the service log holds no
// code, password or token.
func TestAuthLogsHideSecrets(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		const email = "secretive@example.com"
		var codes []string
		secrets := []string{apptest.Password, authNewPassword, "Wr0ng!Secret1", h.App.Config.JWTSecret}
		code := authStartSignup(t, h, email)
		codes = append(codes, code)
		authPost(h, "verify", map[string]string{"email": email, "otp_code": authWrongCode(code, 0)})
		authPost(h, "verify", map[string]string{"email": email, "otp_code": code}).Expect(t, 200, "")
		res := authPost(h, "set-password", map[string]string{"email": email, "password": apptest.Password}).Expect(t, 200, "")
		secrets = append(secrets, res.Str(t, "access_token"), res.Str(t, "refresh_token"))
		authPost(h, "login", map[string]string{"email": email, "password": "Wr0ng!Secret1"})
		code = authStartLogin(t, h, email, apptest.Password)
		codes = append(codes, code)
		authPost(h, "verify-otp", map[string]string{"email": email, "otp_code": code})
		res = authPost(h, "verify-login-otp", map[string]string{"email": email, "otp_code": code}).Expect(t, 200, "")
		secrets = append(secrets, res.Str(t, "access_token"), res.Str(t, "refresh_token"))
		p := authRefreshPair(t, h, res.Str(t, "refresh_token"))
		secrets = append(secrets, p.access, p.refresh)
		authProfileStatus(t, h, p.access)
		authProfileStatus(t, h, "garbage."+p.access)
		code = authPost(h, "forgot-password", map[string]string{"email": email}).Expect(t, 200, "").Str(t, "otp")
		h.Clock.Advance(61 * time.Second)
		code2 := authPost(h, "resend-otp", map[string]string{"email": email}).Expect(t, 200, "").Str(t, "otp")
		codes = append(codes, code, code2)
		authPost(h, "reset-password", authResetBody(email, code, authNewPassword, authNewPassword))
		authPost(h, "reset-password", authResetBody(email, code2, authNewPassword, authNewPassword)).Expect(t, 200, "")
		authMailsSettled(t, h, email, 5)

		log := h.Log.String()
		if !strings.Contains(log, "http request") {
			t.Fatalf("the log recorded no requests:\n%s", log)
		}
		for _, s := range secrets {
			if strings.Contains(log, s) {
				t.Errorf("the log contains the secret %q", s)
			}
		}
		for _, c := range codes {
			if line := authLogLineWithCode(t, log, c); line != "" {
				t.Errorf("the log contains the code %s: %s", c, line)
			}
		}
	})
}

// authLogLineWithCode finds code as a standalone number inside a string value
// of a JSON log line (the "time" field is skipped: its fraction digits could
// match by chance).
func authLogLineWithCode(t *testing.T, log, code string) string {
	t.Helper()
	re := regexp.MustCompile(`(^|[^0-9A-Za-z_])` + code + `([^0-9A-Za-z_]|$)`)
	var walk func(v any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return re.MatchString(x)
		case map[string]any:
			for k, e := range x {
				if k != "time" && (re.MatchString(k) || walk(e)) {
					return true
				}
			}
		case []any:
			return slices.ContainsFunc(x, walk)
		}
		return false
	}
	for line := range strings.Lines(log) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			if re.MatchString(line) {
				return line
			}
			continue
		}
		if walk(m) {
			return line
		}
	}
	return ""
}
