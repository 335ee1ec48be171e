package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	emailsandbox "github.com/comecomepay/comecomepay/internal/providers/email/sandbox"
)

// Mail subjects of the account flows, used to count the mails of one flow.
const (
	authSubjectSignup = "Your ComeComePay sign-up code"
	authSubjectLogin  = "Your ComeComePay login code"
	authSubjectReset  = "Your ComeComePay password reset code"
	authSubjectResend = "Your ComeComePay verification code"
)

// authURL is the path of an auth endpoint.
func authURL(name string) string { return "/api/v1/auth/" + name }

// authPost sends a POST to an auth endpoint.
func authPost(h *apptest.Harness, name string, body any, headers ...apptest.Header) *apptest.Response {
	return h.Do(http.MethodPost, authURL(name), body, headers...)
}

// authExact decodes a JSON body keeping numbers as json.Number, so integer and
// float renderings can be told apart.
func authExact(t testing.TB, body []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return m
}

// authJSONInt reports whether v (from exact) is a JSON integer literal, and its value.
func authJSONInt(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok || strings.ContainsAny(n.String(), ".eE") {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// authExpectErr checks status, code and the error envelope of §1.6, including
// retry_after and Retry-After on 429.
func authExpectErr(t testing.TB, res *apptest.Response, status int, code string) map[string]any {
	t.Helper()
	res.Expect(t, status, code)
	m := authExact(t, res.Body)
	for _, k := range []string{"error", "code", "details", "message"} {
		if _, ok := m[k].(string); !ok {
			t.Fatalf("error body field %q is %T, want string; body %s", k, m[k], res.Body)
		}
	}
	if m["message"] == "" || m["error"] == "" {
		t.Fatalf("error body has empty error/message: %s", res.Body)
	}
	if status == http.StatusTooManyRequests {
		secs, ok := authJSONInt(m["retry_after"])
		if !ok || secs < 1 {
			t.Fatalf("429 retry_after = %v, want positive integer; body %s", m["retry_after"], res.Body)
		}
		if hdr := res.Header.Get("Retry-After"); hdr != strconv.FormatInt(secs, 10) {
			t.Fatalf("Retry-After header %q, body retry_after %d", hdr, secs)
		}
	}
	return m
}

// authWrongCode returns a 5-digit code that differs from code in its first digit
// (i varies the digit so that successive wrong codes differ).
func authWrongCode(code string, i int) string {
	b := []byte(code)
	b[0] = '0' + byte((int(b[0]-'0')+1+i%9)%10)
	return string(b)
}

// authStartSignup signs email up and returns the echoed code.
func authStartSignup(t testing.TB, h *apptest.Harness, email string) string {
	t.Helper()
	return authPost(h, "signup", map[string]string{"email": email}).Expect(t, 200, "").Str(t, "otp")
}

// authVerifiedSignup signs email up and verifies the code.
func authVerifiedSignup(t testing.TB, h *apptest.Harness, email string) {
	t.Helper()
	code := authStartSignup(t, h, email)
	authPost(h, "verify", map[string]string{"email": email, "otp_code": code}).Expect(t, 200, "")
}

// authStartLogin runs the password step and returns the echoed code.
func authStartLogin(t testing.TB, h *apptest.Harness, email, password string) string {
	t.Helper()
	return authPost(h, "login", map[string]string{"email": email, "password": password}).Expect(t, 200, "").Str(t, "otp")
}

// authProfileStatus is the status of GET /user/profile with token.
func authProfileStatus(t testing.TB, h *apptest.Harness, token string) int {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/user/profile", nil, apptest.Bearer(token))
	if res.Status == http.StatusUnauthorized {
		authExpectErr(t, res, 401, "UNAUTHORIZED")
	}
	return res.Status
}

// authMailsSettled waits for at least n mails to addr, then gives the job queue
// a moment to deliver any surplus, and returns all mails to addr.
func authMailsSettled(t testing.TB, h *apptest.Harness, addr string, n int) []emailsandbox.Sent {
	t.Helper()
	if n > 0 {
		h.Outbox(addr, n)
	}
	time.Sleep(300 * time.Millisecond)
	return h.App.Outbox.To(addr)
}

// authWithSubject filters mails by subject.
func authWithSubject(mails []emailsandbox.Sent, subject string) []emailsandbox.Sent {
	var out []emailsandbox.Sent
	for _, m := range mails {
		if m.Subject == subject {
			out = append(out, m)
		}
	}
	return out
}

// authDeactivate closes the account of access through the two-step flow.
func authDeactivate(t testing.TB, h *apptest.Harness, access string) {
	t.Helper()
	res := h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, apptest.Bearer(access)).Expect(t, 200, "")
	h.Do(http.MethodPost, "/api/v1/user/deactivate", map[string]string{"otp_code": res.Str(t, "otp")},
		apptest.Bearer(access)).Expect(t, 200, "")
}

var (
	authWalletIDRe     = regexp.MustCompile(`^CCP[0-9]{14}$`)
	authReferralCodeRe = regexp.MustCompile(`^[A-Z0-9]{8}$`)
	authOTPRe          = regexp.MustCompile(`^[0-9]{5}$`)
)

// authCheckNewUser checks the exact JSON types of the User object (API.md §2.1)
// of a freshly registered account and returns its id.
func authCheckNewUser(t testing.TB, u map[string]any, email string, referredBy int64) int64 {
	t.Helper()
	id, ok := authJSONInt(u["id"])
	if !ok || id <= 0 {
		t.Fatalf("user.id = %#v, want positive integer", u["id"])
	}
	if lvl, ok := authJSONInt(u["kyc_level"]); !ok || lvl != 0 {
		t.Fatalf("user.kyc_level = %#v, want integer 0", u["kyc_level"])
	}
	if referredBy == 0 {
		if v, present := u["referred_by"]; !present || v != nil {
			t.Fatalf("user.referred_by = %#v (present %v), want null", v, present)
		}
	} else if got, ok := authJSONInt(u["referred_by"]); !ok || got != referredBy {
		t.Fatalf("user.referred_by = %#v, want integer %d", u["referred_by"], referredBy)
	}
	strs := map[string]string{"email": email, "account_type": "personal", "status": "active", "kyc_status": "none"}
	for k, want := range strs {
		if u[k] != want {
			t.Fatalf("user.%s = %#v, want %q", k, u[k], want)
		}
	}
	if w, _ := u["wallet_id"].(string); !authWalletIDRe.MatchString(w) {
		t.Fatalf("user.wallet_id = %#v", u["wallet_id"])
	}
	if c, _ := u["referral_code"].(string); !authReferralCodeRe.MatchString(c) {
		t.Fatalf("user.referral_code = %#v", u["referral_code"])
	}
	for _, k := range []string{"created_at", "updated_at"} {
		s, _ := u[k].(string)
		if ts, err := time.Parse(time.RFC3339, s); err != nil || !strings.HasSuffix(s, "Z") || ts.IsZero() {
			t.Fatalf("user.%s = %#v, want RFC 3339 UTC", k, u[k])
		}
	}
	for _, k := range []string{"is_active", "two_factor_enabled"} {
		if u[k] != true {
			t.Fatalf("user.%s = %#v, want true", k, u[k])
		}
	}
	for _, k := range []string{"first_name", "last_name", "phone", "date_of_birth", "address", "area_code",
		"bill_country_code", "city", "post_code", "state"} {
		if v, present := u[k]; !present || v != nil {
			t.Fatalf("user.%s = %#v (present %v), want null", k, v, present)
		}
	}
	return id
}

// authIsJWT reports whether s looks like a compact JWS.
func authIsJWT(s string) bool { return len(strings.Split(s, ".")) == 3 && strings.HasPrefix(s, "eyJ") }
