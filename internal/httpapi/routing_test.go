package httpapi_test

import (
	"bytes"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/api"
	"github.com/comecomepay/comecomepay/internal/apptest"
)

func TestRoutingNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/nope", 404, "NOT_FOUND"},
		{"POST", "/api/v1/nope/", 404, "NOT_FOUND"},
		{"GET", "/api/v1/User/profile", 404, "NOT_FOUND"},
		{"GET", "/api/v1/user/Profile", 404, "NOT_FOUND"},
		{"GET", "/API/V1/user/profile", 404, "NOT_FOUND"},
		{"POST", "/api/v1/Auth/Login", 404, "NOT_FOUND"},
		{"GET", "/api/v1/user/profile/extra", 404, "NOT_FOUND"},
		{"GET", "/api/v2/user/profile", 404, "NOT_FOUND"},
		{"GET", "/api/v1", 404, "NOT_FOUND"},
		{"GET", "/api/v1/", 404, "NOT_FOUND"},
		{"GET", "/", 404, "NOT_FOUND"},
		{"POST", "/auth/login", 404, "NOT_FOUND"},
		{"GET", "/user/profile", 404, "NOT_FOUND"},
		{"POST", "/api/v1/auth/register", 404, "NOT_FOUND"},
		{"GET", "/api/v1/auth/profile", 404, "NOT_FOUND"},
		{"DELETE", "/api/v1/user/profile", 405, "METHOD_NOT_ALLOWED"},
		{"DELETE", "/api/v1/user/profile/", 405, "METHOD_NOT_ALLOWED"},
		{"POST", "/api/v1/user/profile", 405, "METHOD_NOT_ALLOWED"},
		{"PATCH", "/api/v1/user/profile", 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/api/v1/auth/login", 405, "METHOD_NOT_ALLOWED"},
		{"PUT", "/api/v1/auth/signup", 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/api/v1/user/change-password", 405, "METHOD_NOT_ALLOWED"},
		{"POST", "/api/v1/user/transaction-password/status", 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/api/v1/user/deactivate/", 405, "METHOD_NOT_ALLOWED"},
		{"POST", "/healthz", 405, "METHOD_NOT_ALLOWED"},
	}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "routing@example.com")
		for _, tc := range cases {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				// Routing answers before authentication, with or without a token.
				for _, hdr := range [][]apptest.Header{nil, {apptest.Bearer(acc.Access)}, {apptest.Bearer("garbage")}} {
					usrExpectErr(t, h.Do(tc.method, tc.path, nil, hdr...), tc.status, tc.code)
				}
			})
		}
	})
}

func TestRoutingTrailingSlash(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "slash@example.com")
		auth := apptest.Bearer(acc.Access)
		plain := h.Do(http.MethodGet, usrProfilePath, nil, auth).Expect(t, 200, "")
		slash := h.Do(http.MethodGet, usrProfilePath+"/", nil, auth).Expect(t, 200, "")
		if !reflect.DeepEqual(plain.JSON, slash.JSON) || slash.Header.Get("Location") != "" {
			t.Errorf("GET with a slash differs: %s vs %s", plain.Body, slash.Body)
		}
		res := h.Do(http.MethodPut, usrProfilePath+"/", map[string]string{"first_name": "Slash"}, auth).Expect(t, 200, "")
		if u := profileOf(t, res); u.FirstName != "Slash" {
			t.Errorf("PUT with a slash not applied: %s", res.Body)
		}
		res = h.Do(http.MethodPost, "/api/v1/auth/login/", map[string]string{"email": acc.Email, "password": apptest.Password}).Expect(t, 200, "")
		h.Do(http.MethodPost, "/api/v1/auth/verify-login-otp/", map[string]string{"email": acc.Email, "otp_code": res.Str(t, "otp")}).Expect(t, 200, "")
		h.Do(http.MethodGet, "/api/v1/user/transaction-password/status/", nil, auth).Expect(t, 200, "")
		usrExpectErr(t, h.Do(http.MethodGet, usrProfilePath+"/", nil), 401, "UNAUTHORIZED")
		h.Do(http.MethodGet, "/healthz/", nil).Expect(t, 200, "")
	})
}

func TestRoutingHeadersAndProbes(t *testing.T) {
	t.Parallel()
	hexID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "probes@example.com")
		reqs := []struct {
			method, path string
			hdr          []apptest.Header
			status       int
		}{
			{"GET", "/healthz", []apptest.Header{apptest.Bearer("stale")}, 200},
			{"GET", "/readyz", nil, 200},
			{"GET", "/metrics", nil, 200},
			{"GET", "/docs", nil, 200},
			{"GET", "/api/v1/openapi.yaml", []apptest.Header{apptest.Bearer("stale")}, 200},
			{"GET", usrProfilePath, []apptest.Header{apptest.Bearer(acc.Access)}, 200},
			{"GET", usrProfilePath, nil, 401},
			{"POST", "/api/v1/auth/signup", nil, 400},
			{"GET", "/api/v1/nope", nil, 404},
			{"DELETE", usrProfilePath, nil, 405},
		}
		seen := map[string]bool{}
		for _, r := range reqs {
			res := h.Do(r.method, r.path, nil, r.hdr...)
			if res.Status != r.status {
				t.Errorf("%s %s = %d, want %d: %s", r.method, r.path, res.Status, r.status, res.Body)
			}
			id := res.Header.Get("X-Request-Id")
			if !hexID.MatchString(id) || seen[id] {
				t.Errorf("%s %s: X-Request-Id %q is not a fresh 32-hex id", r.method, r.path, id)
			}
			seen[id] = true
			if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s %s: security headers missing: %v", r.method, r.path, res.Header)
			}
			if res.Status >= 400 {
				usrCheckErrorBody(t, res)
			}
		}

		res := h.Do(http.MethodGet, "/healthz", nil)
		if !reflect.DeepEqual(res.JSON, map[string]any{"status": "ok"}) {
			t.Errorf("/healthz = %s", res.Body)
		}
		res = h.Do(http.MethodGet, "/readyz", nil)
		if apptest.Decode[struct {
			Status string `json:"status"`
		}](t, res).Status != "ok" {
			t.Errorf("/readyz = %s", res.Body)
		}

		// message is localized, error stays English (API.md §1.4).
		en := h.Do(http.MethodGet, "/api/v1/nope", nil)
		zh := h.Do(http.MethodGet, "/api/v1/nope", nil, apptest.Header{Name: "Accept-Language", Value: "zh-CN,zh;q=0.9"})
		if zhBody, enBody := apptest.Decode[apptest.ErrorBody](t, zh), apptest.Decode[apptest.ErrorBody](t, en); zhBody.Error != enBody.Error || zhBody.Message == enBody.Message {
			t.Errorf("Accept-Language zh: en %s, zh %s", en.Body, zh.Body)
		}

		h.Do(http.MethodGet, "/api/v1/no-such-route/secret-token-abc", nil)
		res = h.Do(http.MethodGet, "/metrics", nil)
		metrics := string(res.Body)
		if !strings.Contains(metrics, "comecomepay_http_requests_total") {
			t.Errorf("/metrics lacks comecomepay_http_requests_total")
		}
		if strings.Contains(metrics, "secret-token-abc") {
			t.Errorf("/metrics labels raw paths")
		}

		res = h.Do(http.MethodGet, "/api/v1/openapi.yaml", nil)
		if !strings.Contains(res.Header.Get("Content-Type"), "yaml") || !bytes.Equal(res.Body, api.Spec) {
			t.Errorf("openapi.yaml: content type %q, %d bytes (spec has %d)", res.Header.Get("Content-Type"), len(res.Body), len(api.Spec))
		}
		res = h.Do(http.MethodGet, "/docs", nil)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(res.Body), "<html") ||
			!strings.Contains(string(res.Body), "/api/v1/openapi.yaml") {
			t.Errorf("/docs: %q %.200s", res.Header.Get("Content-Type"), res.Body)
		}
	})
}

// usrCheckErrorBody checks an error body of any status.
func usrCheckErrorBody(t testing.TB, res *apptest.Response) {
	t.Helper()
	if res.JSON == nil {
		t.Errorf("error %d is not JSON: %s", res.Status, res.Body)
		return
	}
	usrCheckEnvelope(t, res)
}

// usrServedRoutes is the /api/v1 surface of routes.go.
var usrServedRoutes = []string{
	"GET /api/v1/openapi.yaml",
	"POST /api/v1/auth/signup", "POST /api/v1/auth/verify", "POST /api/v1/auth/set-password",
	"POST /api/v1/auth/resend-otp", "POST /api/v1/auth/login", "POST /api/v1/auth/verify-otp",
	"POST /api/v1/auth/verify-login-otp", "POST /api/v1/auth/refresh", "POST /api/v1/auth/forgot-password",
	"POST /api/v1/auth/verify-forgot-password-otp", "POST /api/v1/auth/reset-password", "POST /api/v1/auth/logout",
	"GET /api/v1/user/profile", "PUT /api/v1/user/profile", "POST /api/v1/user/change-password",
	"POST /api/v1/user/change-email/request", "POST /api/v1/user/change-email/verify-new", "POST /api/v1/user/change-email/complete",
	"POST /api/v1/user/change-phone/request", "POST /api/v1/user/change-phone/verify-new", "POST /api/v1/user/change-phone/complete",
	"GET /api/v1/user/transaction-password/status", "POST /api/v1/user/transaction-password/request",
	"POST /api/v1/user/transaction-password/complete", "POST /api/v1/user/deactivate/request", "POST /api/v1/user/deactivate",
	"GET /api/v1/wallet", "POST /api/v1/wallet/transfer-by-uid", "POST /api/v1/wallet/withdrawal",
	"GET /api/v1/wallet/withdrawals", "GET /api/v1/wallet/withdrawal-fee-info", "GET /api/v1/wallet/unified-transactions",
	"GET /api/v1/wallet/exchange-rate", "GET /api/v1/wallet/exchange-rates",
	"POST /api/v1/wallet/swap/preview", "POST /api/v1/wallet/swap", "GET /api/v1/wallet/swap/history",
	"GET /api/v1/CardFee/GetStats", "GET /api/v1/CardFee/GetConfig", "GET /api/v1/CardFee/GetCurrencies",
	"POST /api/v1/CardFee/CreatePayment", "POST /api/v1/CardFee/CompletePayment/{transaction_ref}",
	"GET /api/v1/CardFee/GetPaymentStatus", "GET /api/v1/CardFee/GetPaymentHistory", "GET /api/v1/kyc/eligibility",
	"POST /api/v1/didit/initialize-token", "GET /api/v1/didit/status", "POST /api/v1/webhooks/kyc",
	"GET /api/v1/sandbox/kyc/sessions/{session_id}", "POST /api/v1/sandbox/kyc/sessions/{session_id}/approve",
	"POST /api/v1/sandbox/kyc/sessions/{session_id}/reject",
	"POST /api/v1/sandbox/issuer/failures", "POST /api/v1/sandbox/kyc/approve",
	"GET /api/v1/coupons", "GET /api/v1/coupons/my-coupons", "POST /api/v1/coupons/claim", "POST /api/v1/coupons/check-eligibility",
	"POST /api/v1/push/devices", "DELETE /api/v1/push/devices",
	"POST /api/v1/card/apply", "GET /api/v1/card/apply/progress/{task_id}", "GET /api/v1/card/list", "GET /api/v1/card/account-details", "POST /api/v1/sandbox/withdrawals/{id}/settle",
	"POST /api/v1/webhooks/custody", "POST /api/v1/yudun/callback", "POST /api/v1/sandbox/deposits",
	"GET /api/v1/card/status", "PUT /api/v1/card/status", "GET /api/v1/card/transaction-history",
	"GET /api/v1/card/trades", "GET /api/v1/card/trade/{id}", "POST /api/v1/webhooks/issuer",
	"POST /api/v1/sandbox/cards/{public_token}/transactions",
	"PUT /api/v1/card/3ds", "GET /api/v1/3ds/my-records", "PUT /api/v1/3ds/messages/{notification_id}/confirm",
	"POST /api/v1/webhooks/3ds-callback", "POST /api/v1/sandbox/cards/{public_token}/3ds",
	"GET /api/v1/card/cvv", "POST /api/v1/card/full-number", "POST /api/v1/card/{publicToken}/pin/code/send",
	"GET /api/v1/card/{publicToken}/pin", "POST /api/v1/card/{publicToken}/pin",
	"GET /api/v1/card/physical/upgrade/fee-info", "POST /api/v1/card/physical/upgrade/email-code/send",
	"POST /api/v1/card/physical/upgrade/email-code/verify", "PUT /api/v1/card/convertToPhysical",
	"GET /api/v1/card/physical/upgrade/progress", "POST /api/v1/card/physical-application/{id}/confirm-delivery",
	"POST /api/v1/sandbox/cards/{public_token}/shipment/advance",
	"GET /api/v1/notifications", "GET /api/v1/notifications/unread-count", "GET /api/v1/notifications/{id}",
	"PUT /api/v1/notifications/{id}/read", "GET /api/v1/sandbox/outbox", "POST /api/v1/sandbox/fx",
	"GET /api/v1/partner-link", "GET /api/v1/announcements", "GET /api/v1/announcements/unread-count",
	"GET /api/v1/announcements/{id}", "GET /api/v1/site-content", "GET /api/v1/app-version",
	"GET /api/v1/user/referral-code", "GET /api/v1/user/referral-stats", "GET /api/v1/user/referrals",
	"GET /api/v1/user/commissions", "GET /api/v1/user/my-referrer", "GET /api/v1/tier-configs",
	"GET /api/v1/user/tier", "GET /api/v1/user/tier/progress",
}

func TestEveryRouteDocumented(t *testing.T) {
	t.Parallel()
	// The explicit list must match routes.go, so it cannot go stale.
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var parsed []string
	for _, m := range regexp.MustCompile(`(?m)^\s*(?:public|bearer|bearerFirst|sandbox)\("([A-Z]+) "\+v1\+"([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		parsed = append(parsed, m[1]+" /api/v1"+m[2])
	}
	served := slices.Sorted(slices.Values(usrServedRoutes))
	// The admin routes come from adminapi's route table.
	for _, rt := range adminRoutes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		parsed = append(parsed, method+" "+path)
		served = append(served, method+" "+path)
	}
	slices.Sort(served)
	slices.Sort(parsed)
	if !slices.Equal(parsed, served) {
		t.Errorf("routes.go serves %v,\nthe test lists %v", parsed, served)
	}
	documented := slices.Sorted(slices.Values(apptest.DocumentedOperations(t)))
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is served but not documented in api/openapi.yaml", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			t.Errorf("%s is documented but not in routes.go", d)
		}
	}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		for _, op := range documented {
			method, path, _ := strings.Cut(op, " ")
			// A 404 of a handler (unknown resource for the placeholder id,
			// or the KYC page's HTML) is fine; only the router's "No such
			// route" or a 405 is not.
			if res := h.Do(method, path, nil); res.Status == 405 || (res.Status == 404 && res.JSON != nil && apptest.Decode[apptest.ErrorBody](t, res).Details == "No such route") {
				t.Errorf("%s is documented but answers %d: %s", op, res.Status, res.Body)
			}
		}
	})
}
