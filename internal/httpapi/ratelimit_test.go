package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestRequestLimits: API.md §1.14 — requests per user and per IP per
// minute, 429 RATE_LIMITED with Retry-After, webhooks exempt.
func TestRequestLimits(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, func(c *config.Config) { c.RequestsPerIP, c.RequestsPerUser = 12, 3 })
		acc := h.Register(t, "limits@example.com") // 3 public requests
		auth := apptest.Bearer(acc.Access)
		for range 3 {
			h.Do(http.MethodGet, "/api/v1/user/profile", nil, auth).Expect(t, 200, "")
		}
		res := h.Do(http.MethodGet, "/api/v1/user/profile", nil, auth).Expect(t, 429, "RATE_LIMITED")
		wait := apptest.RetryAfter(t, res)
		if res.Header.Get("Retry-After") == "" || wait == nil {
			t.Fatalf("429 without Retry-After: %v %s", res.Header, res.Body)
		}
		// Public routes count per IP only: 7 requests so far, 5 left.
		for range 5 {
			h.Do(http.MethodGet, "/api/v1/wallet/exchange-rates", nil).Expect(t, 200, "")
		}
		h.Do(http.MethodGet, "/api/v1/wallet/exchange-rates", nil).Expect(t, 429, "RATE_LIMITED")
		// Provider webhooks are never limited per IP.
		h.Do(http.MethodPost, "/api/v1/webhooks/kyc", `{"session_id":"x","status":"Approved"}`).Expect(t, 401, "SIGNATURE_INVALID")
		// The windows slide: at the end of the minute the 3 requests still
		// count in full; Retry-After is when enough of them have slid out.
		h.Clock.Advance(61 * time.Second)
		h.Do(http.MethodGet, "/api/v1/user/profile", nil, auth).Expect(t, 429, "RATE_LIMITED")
		h.Clock.Advance(time.Duration(*wait)*time.Second - 61*time.Second)
		h.Do(http.MethodGet, "/api/v1/user/profile", nil, auth).Expect(t, 200, "")
		h.Do(http.MethodGet, "/api/v1/wallet/exchange-rates", nil).Expect(t, 200, "")
	})
}

// TestRequestLimitsBehindProxy: behind a trusted proxy the limit follows
// the address the proxy appended, not what the client put before it.
func TestRequestLimitsBehindProxy(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, storetest.Engines()[0], func(c *config.Config) { c.RequestsPerIP, c.TrustProxyHeaders = 2, true })
	for i, spoof := range []string{"1.1.1.1", "2.2.2.2", "3.3.3.3"} {
		res := h.Do(http.MethodGet, "/api/v1/wallet/exchange-rates", nil,
			apptest.Header{Name: "X-Forwarded-For", Value: spoof + ", 203.0.113.7"})
		if want := map[bool]int{true: 429, false: 200}[i == 2]; res.Status != want {
			t.Fatalf("request %d from %s: %d, want %d", i, spoof, res.Status, want)
		}
	}
}
