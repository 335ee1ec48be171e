package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/store"
)

// BenchmarkSwapRecharge is POST /wallet/swap, 1 USDT → HKD on a card: the
// hold transaction, the (in-process) issuer call and the settlement.
func BenchmarkSwapRecharge(b *testing.B) {
	forBenchEngines(b, func(b *testing.B, engine store.Engine) {
		h := apptest.New(b, engine)
		acc, c := h.CardHolder(b, "bench-swap@example.com")
		h.Deposit(b, acc, "USDT-TRC20", "1000000")
		body := fmt.Sprintf(`{"from_currency":"USDT-TRC20","to_currency":"HKD","amount":2,"card_id":%d}`, c.ID)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/wallet/swap", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+acc.Access)
			serve(b, h, req)
		}
	})
}

// BenchmarkNotificationPoll is GET /notifications?limit=5, which the app
// sends every 30 s to find BIO challenges, against 1 000 notifications.
func BenchmarkNotificationPoll(b *testing.B) {
	forBenchEngines(b, func(b *testing.B, engine store.Engine) {
		h := apptest.New(b, engine)
		acc := h.Register(b, "bench-poll@example.com")
		for i := 0; i < 1000; i++ {
			if _, err := h.App.DB.SQL.Exec(`INSERT INTO notifications (user_id, type, title, body, data, status, created_at, updated_at)
				VALUES ($1, 'deposit_credited', 't', 'b', '{}', 'unread', $2, $2)`, acc.ID, int64(i)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/notifications?limit=5", nil)
			req.Header.Set("Authorization", "Bearer "+acc.Access)
			serve(b, h, req)
		}
	})
}

// BenchmarkAuthenticatedGetLimited is GET /user/profile with the request
// limits on (their counters are a database write per request).
func BenchmarkAuthenticatedGetLimited(b *testing.B) {
	forBenchEngines(b, func(b *testing.B, engine store.Engine) {
		h := apptest.New(b, engine, func(c *config.Config) { c.RequestsPerIP, c.RequestsPerUser = 1<<30, 1<<30 })
		acc := h.Register(b, "bench-limited@example.com")
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			serve(b, h, profileRequest(acc.Access))
		}
	})
}
