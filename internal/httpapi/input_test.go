package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// usrBodyRoute is a POST/PUT route of routes.go that takes a JSON body.
type usrBodyRoute struct {
	method, path string
	bearer       bool
	// valid is a body that would have an effect if it were executed.
	valid map[string]any
	// required are the fields named when the body is {}; nil = none.
	required []string
	// onlyMalformed routes ignore their fields: only unparsable bodies fail.
	// They end the session if executed, so each case runs on a fresh one.
	onlyMalformed bool
}

func usrBodyRoutes(userEmail, refresh string) []usrBodyRoute {
	const victim, newPw = "victim@example.com", "N3w!Passw0rd#"
	a := func(name string) string { return "/api/v1/auth/" + name }
	u := func(name string) string { return "/api/v1/user/" + name }
	return []usrBodyRoute{
		{"POST", a("signup"), false, map[string]any{"email": victim, "referral_code": ""}, []string{"email"}, false},
		{"POST", a("verify"), false, map[string]any{"email": victim, "otp_code": "12345"}, []string{"email", "otp_code"}, false},
		{"POST", a("set-password"), false, map[string]any{"email": victim, "password": apptest.Password}, []string{"email", "password"}, false},
		{"POST", a("resend-otp"), false, map[string]any{"email": userEmail}, []string{"email"}, false},
		{"POST", a("login"), false, map[string]any{"email": userEmail, "password": apptest.Password}, []string{"email", "password"}, false},
		{"POST", a("verify-login-otp"), false, map[string]any{"email": userEmail, "otp_code": "12345"}, []string{"email", "otp_code"}, false},
		{"POST", a("refresh"), false, map[string]any{"refresh_token": refresh}, nil, false},
		{"POST", a("forgot-password"), false, map[string]any{"email": userEmail}, []string{"email"}, false},
		{"POST", a("verify-forgot-password-otp"), false, map[string]any{"email": userEmail, "otp_code": "12345"}, []string{"email", "otp_code"}, false},
		{"POST", a("reset-password"), false, map[string]any{"email": userEmail, "otp_code": "12345", "new_password": newPw, "confirm_password": newPw},
			[]string{"email", "otp_code", "new_password", "confirm_password"}, false},
		{"POST", a("logout"), true, map[string]any{"refresh_token": refresh}, nil, true},
		{"PUT", u("profile"), true, map[string]any{"first_name": "Mallory", "area_code": "44"}, nil, false},
		{"POST", u("change-password"), true, map[string]any{"old_password": apptest.Password, "new_password": newPw, "confirm_password": newPw},
			[]string{"old_password", "new_password", "confirm_password"}, false},
		{"POST", u("change-email/request"), true, map[string]any{"new_email": victim}, []string{"new_email"}, false},
		{"POST", u("change-email/verify-new"), true, map[string]any{"new_email": victim, "otp_code": "12345"}, []string{"new_email", "otp_code"}, false},
		{"POST", u("change-email/complete"), true, map[string]any{"new_email": victim, "old_email_otp": "12345"}, []string{"new_email", "old_email_otp"}, false},
		{"POST", u("change-phone/request"), true, map[string]any{"new_phone": "+8613800138000"}, []string{"new_phone"}, false},
		{"POST", u("change-phone/verify-new"), true, map[string]any{"new_phone": "+8613800138000", "otp_code": "12345"}, []string{"new_phone", "otp_code"}, false},
		{"POST", u("change-phone/complete"), true, map[string]any{"new_phone": "+8613800138000", "email_otp": "12345"}, []string{"new_phone", "email_otp"}, false},
		{"POST", u("transaction-password/request"), true, map[string]any{"transaction_password": "123456", "confirm_transaction_password": "123456"},
			[]string{"transaction_password", "confirm_transaction_password"}, false},
		{"POST", u("transaction-password/complete"), true, map[string]any{"otp_code": "12345", "temp_hash": "tph_abc"}, []string{"otp_code", "temp_hash"}, false},
		{"POST", u("deactivate"), true, map[string]any{"otp_code": "12345"}, []string{"otp_code"}, false},
	}
}

type usrBadBody struct {
	name   string
	body   string
	status int
	code   string
	field  string // a field fields must name, if any
}

func usrMustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// badBodies are the unparsable, mistyped and oversized bodies of a route.
func (r usrBodyRoute) badBodies() []usrBadBody {
	valid := usrMustJSON(r.valid)
	withPad := map[string]any{"pad": strings.Repeat("x", 70<<10)}
	for k, v := range r.valid {
		withPad[k] = v
	}
	out := []usrBadBody{
		{"malformed", `{"email":`, 400, "VALIDATION_FAILED", ""},
		{"truncated", valid[:len(valid)-1], 400, "VALIDATION_FAILED", ""},
		{"array", `[]`, 400, "VALIDATION_FAILED", ""},
		{"array of object", "[" + valid + "]", 400, "VALIDATION_FAILED", ""},
		{"string", `"hello"`, 400, "VALIDATION_FAILED", ""},
		{"number", `42`, 400, "VALIDATION_FAILED", ""},
		{"trailing object", `{} {}`, 400, "VALIDATION_FAILED", ""},
		{"valid then object", valid + ` {}`, 400, "VALIDATION_FAILED", ""},
		{"valid then garbage", valid + `x`, 400, "VALIDATION_FAILED", ""},
		{"form encoded", `email=a%40b.com&otp_code=12345`, 400, "VALIDATION_FAILED", ""},
		{"oversized", usrMustJSON(withPad), 413, "PAYLOAD_TOO_LARGE", ""},
	}
	if r.onlyMalformed {
		return out
	}
	keys := make([]string, 0, len(r.valid))
	for k := range r.valid {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for name, wrong := range map[string]any{"number": 12345, "bool": true, "array": []string{"x"}, "object": map[string]any{}} {
			b := map[string]any{}
			for k2, v := range r.valid {
				b[k2] = v
			}
			b[k] = wrong
			out = append(out, usrBadBody{k + " as " + name, usrMustJSON(b), 400, "VALIDATION_FAILED", k})
		}
	}
	return out
}

func TestInputBadBodies(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "input@example.com")
		before := usrGetUser(t, h, acc.Access)
		auth := apptest.Bearer(acc.Access)
		for _, r := range usrBodyRoutes(acc.Email, acc.Refresh) {
			var hdr []apptest.Header
			if r.bearer {
				hdr = append(hdr, auth)
			}
			for _, bb := range r.badBodies() {
				t.Run(r.method+" "+r.path+"/"+bb.name, func(t *testing.T) {
					hdr := hdr
					var own apptest.Account
					if r.onlyMalformed {
						own = h.Login(t, acc.Email, apptest.Password)
						hdr = []apptest.Header{apptest.Bearer(own.Access)}
					}
					res := h.Do(r.method, r.path, bb.body, hdr...)
					usrExpectErr(t, res, bb.status, bb.code)
					if bb.field != "" {
						usrExpectFields(t, res, bb.field)
					}
					if r.onlyMalformed && h.Do(http.MethodGet, usrProfilePath, nil, hdr...).Status != 200 {
						t.Errorf("the rejected body was executed: the session ended")
					}
				})
			}
			if r.required == nil {
				continue
			}
			nulls := map[string]any{}
			for _, f := range r.required {
				nulls[f] = nil
			}
			blanks := map[string]any{}
			for _, f := range r.required {
				blanks[f] = ""
			}
			for name, body := range map[string]string{"empty object": "{}", "empty body": "", "nulls": usrMustJSON(nulls),
				"blanks": usrMustJSON(blanks), "only unknown fields": `{"user_id":1,"extra":"x"}`} {
				t.Run(r.method+" "+r.path+"/missing: "+name, func(t *testing.T) {
					usrExpectFields(t, h.Do(r.method, r.path, body, hdr...), r.required...)
				})
			}
		}
		// Refresh treats a missing token as a token failure (API.md §2.1).
		usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/auth/refresh", "{}"), 401, "UNAUTHORIZED")

		// Nothing was executed: no mail, no state change, tokens and password intact.
		h.Do(http.MethodPost, "/api/v1/auth/signup", map[string]string{"email": "barrier@example.com"}).Expect(t, 200, "")
		h.Outbox("barrier@example.com", 1)
		time.Sleep(200 * time.Millisecond)
		for _, addr := range []string{"victim@example.com", "a@b.com"} {
			if got := h.App.Outbox.To(addr); len(got) != 0 {
				t.Errorf("rejected bodies sent mail to %s: %+v", addr, got)
			}
		}
		for _, m := range h.App.Outbox.To(acc.Email) {
			if !strings.Contains(m.Subject, "sign-up code") && !strings.Contains(m.Subject, "login code") {
				t.Errorf("rejected bodies sent mail to the user: %q", m.Subject)
			}
		}
		if got := usrGetUser(t, h, acc.Access); !reflect.DeepEqual(got, before) {
			t.Errorf("profile changed by rejected bodies: %v → %v", before, got)
		}
		if got := usrTxIsSet(t, h, acc); got != false {
			t.Errorf("transaction password set by rejected bodies")
		}
		h.Do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": acc.Refresh}).Expect(t, 200, "")
		h.Login(t, acc.Email, apptest.Password)
	})
}

// TestInputBodyLimits checks the 64 KiB limit from both sides and without a
// declared length.
func TestInputBodyLimits(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "limits@example.com")
		body := usrMustJSON(map[string]any{"first_name": "Big", "pad": strings.Repeat("x", 60<<10)})
		res := h.Do(http.MethodPut, usrProfilePath, body, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		if u := profileOf(t, res); u.FirstName != "Big" {
			t.Errorf("60 KiB body with unknown fields not applied: %+v", u)
		}

		// A chunked body (no Content-Length) is cut at the limit by the decoder.
		big := usrMustJSON(map[string]any{"first_name": "Huge", "pad": strings.Repeat("x", 70<<10)})
		req := httptest.NewRequest(http.MethodPut, usrProfilePath, io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+acc.Access)
		rec := httptest.NewRecorder()
		h.App.Handler.ServeHTTP(rec, req)
		out := &apptest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
		if err := json.Unmarshal(out.Body, &out.JSON); err != nil {
			t.Fatalf("413 body is not JSON: %s", out.Body)
		}
		usrExpectErr(t, out, 413, "PAYLOAD_TOO_LARGE")
		if u := usrGetUser(t, h, acc.Access); u["first_name"] != "Big" {
			t.Errorf("oversized chunked body was applied: first_name = %v", u["first_name"])
		}
	})
}

// TestInputVerifyOTPNoop: the compatibility no-op answers 200 to any JSON
// body and leaves the login code alone (API.md §2.1).
func TestInputVerifyOTPNoop(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "noop@example.com")
		code := h.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": acc.Email, "password": apptest.Password}).
			Expect(t, 200, "").Str(t, "otp")
		for _, body := range []string{`{}`, ``, `[]`, `{"otp_code":12345}`, `{"email":123,"referral_code":null}`,
			usrMustJSON(map[string]string{"email": acc.Email, "referral_code": "", "otp_code": usrWrongCode(code)}),
			usrMustJSON(map[string]string{"email": acc.Email, "referral_code": "", "otp_code": code})} {
			res := h.Do(http.MethodPost, "/api/v1/auth/verify-otp", body).Expect(t, 200, "")
			if res.Str(t, "status") != "success" || res.Str(t, "message") != "OK" {
				t.Errorf("verify-otp %s → %s", body, res.Body)
			}
		}
		pad := usrMustJSON(map[string]string{"pad": strings.Repeat("x", 70<<10)})
		usrExpectErr(t, h.Do(http.MethodPost, "/api/v1/auth/verify-otp", pad), 413, "PAYLOAD_TOO_LARGE")
		h.Do(http.MethodPost, "/api/v1/auth/verify-login-otp", map[string]string{"email": acc.Email, "otp_code": code}).Expect(t, 200, "")
	})
}
