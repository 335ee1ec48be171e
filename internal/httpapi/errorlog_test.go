package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// failureLog is the log line of a 5xx answer.
type failureLog struct {
	Level     string `json:"level"`
	Msg       string `json:"msg"`
	Route     string `json:"route"`
	Method    string `json:"method"`
	RequestID string `json:"request_id"`
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Error     string `json:"error"`
}

// failureLogOf finds the failure line logged for res by its request id,
// and the raw line.
func failureLogOf(t *testing.T, h *apptest.Harness, res *apptest.Response) (failureLog, string) {
	t.Helper()
	id := res.Header.Get("X-Request-Id")
	for raw := range strings.Lines(h.Log.String()) {
		var l failureLog
		if json.Unmarshal([]byte(raw), &l) == nil && l.RequestID == id && l.Status >= 500 {
			return l, raw
		}
	}
	t.Fatalf("no failure logged for request %q; log:\n%s", id, h.Log.String())
	return failureLog{}, ""
}

func renameTable(t *testing.T, h *apptest.Harness, from, to string) {
	t.Helper()
	if _, err := h.App.DB.SQL.Exec(`ALTER TABLE ` + from + ` RENAME TO ` + to); err != nil {
		t.Fatalf("rename %s: %v", from, err)
	}
}

// TestInternalErrorLogNamesRoute: the log line of an internal error names
// the route pattern the mux matched (never the path), the method, the
// request id the client was given and the error with what it wraps, and
// carries no personal data; the answer stays generic.
func TestInternalErrorLogNamesRoute(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "failure-log@example.com")
		noPersonalData := func(raw string) {
			t.Helper()
			for _, secret := range []string{acc.Email, acc.Access, "page=1"} {
				if strings.Contains(raw, secret) {
					t.Errorf("failure log carries %q: %s", secret, raw)
				}
			}
		}

		// A table gone from under a read: the store's error is no
		// *apperr.Error, so the answer is a generic 500.
		renameTable(t, h, "notifications", "notifications_gone")
		res := h.Do(http.MethodGet, "/api/v1/notifications?page=1", nil, apptest.Bearer(acc.Access)).Expect(t, 500, "INTERNAL_ERROR")
		if b := apptest.Decode[apptest.ErrorBody](t, res); b.Details != "" || strings.Contains(string(res.Body), "notifications") {
			t.Errorf("the 500 answer leaks its cause: %s", res.Body)
		}
		l, raw := failureLogOf(t, h, res)
		if l.Level != "ERROR" || l.Msg != "request failed" || l.Route != "GET /api/v1/notifications" || l.Method != "GET" ||
			l.Status != 500 || !strings.Contains(l.Error, "notifications") {
			t.Errorf("failure log %s", raw)
		}
		noPersonalData(raw)
		renameTable(t, h, "notifications_gone", "notifications")

		// A sandbox helper behind an Idempotency-Key: the same line, and the
		// key is released so the retry goes through.
		renameTable(t, h, "webhook_events", "webhook_events_gone")
		key := newKey()
		deposit := map[string]any{"currency": "USDT-TRC20", "amount": "5", "user_id": acc.ID}
		res = h.Do(http.MethodPost, "/api/v1/sandbox/deposits", deposit, key).Expect(t, 500, "INTERNAL_ERROR")
		l, raw = failureLogOf(t, h, res)
		if l.Level != "ERROR" || l.Route != "POST /api/v1/sandbox/deposits" || l.Method != "POST" || !strings.Contains(l.Error, "webhook_events") {
			t.Errorf("failure log %s", raw)
		}
		noPersonalData(raw)
		renameTable(t, h, "webhook_events_gone", "webhook_events")
		h.Do(http.MethodPost, "/api/v1/sandbox/deposits", deposit, key).Expect(t, 200, "")
	})
}
