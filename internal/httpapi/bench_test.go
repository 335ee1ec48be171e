package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// benchHarness is a service with the production argon2 profile and one
// registered account.
func benchHarness(b *testing.B, engine store.Engine) (*apptest.Harness, apptest.Account) {
	b.Helper()
	h := apptest.New(b, engine, func(c *config.Config) { c.PasswordHashProfile = "default" })
	return h, h.Register(b, "bench@example.com")
}

// serve sends one request straight to the handler (no contract check, which
// would dominate the figures) and fails unless it answers 200.
func serve(b *testing.B, h *apptest.Harness, req *http.Request) {
	rec := httptest.NewRecorder()
	h.App.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, rec.Code, rec.Body)
	}
}

func forBenchEngines(b *testing.B, fn func(b *testing.B, engine store.Engine)) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) { fn(b, engine) })
	}
}

// BenchmarkLogin is the password step of the login: argon2id verification
// plus the login code, which the cooldown re-uses after the first request.
func BenchmarkLogin(b *testing.B) {
	forBenchEngines(b, func(b *testing.B, engine store.Engine) {
		h, acc := benchHarness(b, engine)
		body := `{"email":"` + acc.Email + `","password":"` + apptest.Password + `"}`
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			serve(b, h, req)
		}
	})
}

func profileRequest(access string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/api/v1/user/profile", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	return req
}

// BenchmarkAuthenticatedGet is GET /user/profile with a bearer token.
func BenchmarkAuthenticatedGet(b *testing.B) {
	forBenchEngines(b, func(b *testing.B, engine store.Engine) {
		h, acc := benchHarness(b, engine)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			serve(b, h, profileRequest(acc.Access))
		}
	})
}

// BenchmarkAuthenticatedGetParallel is the same request from GOMAXPROCS
// goroutines at once.
func BenchmarkAuthenticatedGetParallel(b *testing.B) {
	forBenchEngines(b, func(b *testing.B, engine store.Engine) {
		h, acc := benchHarness(b, engine)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				rec := httptest.NewRecorder()
				h.App.Handler.ServeHTTP(rec, profileRequest(acc.Access))
				if rec.Code != http.StatusOK {
					b.Errorf("GET /user/profile: %d %s", rec.Code, rec.Body)
					return
				}
			}
		})
	})
}
