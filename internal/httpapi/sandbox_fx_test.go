package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

const sandboxFXPath = "/api/v1/sandbox/fx"

func usdtHKD(t *testing.T, h *apptest.Harness, acc apptest.Account) json.Number {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/wallet/exchange-rate?from=USDT&to=HKD", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	return cmData(t, res)["rate"].(json.Number)
}

// TestSandboxFXSetsTheSharedRate sets the simulated USDT→HKD rate on one
// replica: the rate endpoints and swap quotes of that replica use it at
// once, and another replica on the same database within a second or two.
func TestSandboxFXSetsTheSharedRate(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		acc, _ := h.CardHolder(t, "fx@example.com")
		if got := usdtHKD(t, h, acc); got != "7.8" {
			t.Fatalf("configured rate %s, want 7.8", got)
		}
		res := h.Do(http.MethodPost, sandboxFXPath, map[string]any{"usdt_hkd": "7.9"}).Expect(t, 200, "")
		if d := cmData(t, res); apptest.Decode[apptest.EnvelopeA](t, res).Status != "success" || d["usdt_hkd"] != json.Number("7.9") {
			t.Fatalf("answer %s", res.Body)
		}
		if got := usdtHKD(t, h, acc); got != "7.9" {
			t.Errorf("exchange-rate %s after setting 7.9", got)
		}
		d := cmData(t, previewSwap(h, acc, swapBody("USDT-TRC20", "HKD", 100)).Expect(t, 200, ""))
		expectFields(t, "quote at 7.9", d, map[string]any{"exchange_rate": json.Number("7.9"), "to_amount": json.Number("790")})

		for _, bad := range []any{nil, "", "abc", 0, "0", -7.8, "-1", "1e2", true, "7.123456789", "0.001", 100000, "1001", map[string]any{}} {
			body := map[string]any{"usdt_hkd": bad}
			if bad == nil {
				body = map[string]any{}
			}
			if res := h.Do(http.MethodPost, sandboxFXPath, body); res.Status != 400 || res.Code() != "VALIDATION_FAILED" {
				t.Errorf("usdt_hkd %#v: %d %s", bad, res.Status, res.Body)
			}
		}
		if got := usdtHKD(t, h, acc); got != "7.9" {
			t.Errorf("refused inputs changed the rate to %s", got)
		}

		// A second replica on the same database starts with the stored
		// rate and follows a change made on the first. Replicas share
		// PostgreSQL; SQLite is one process, whose memory is the truth.
		if engine != store.Postgres {
			return
		}
		shared := h.App.Config.DatabaseURL
		h2 := apptest.New(t, engine, func(c *config.Config) { c.DatabaseURL = shared })
		acc2 := h2.Login(t, "fx@example.com", apptest.Password)
		if got := usdtHKD(t, h2, acc2); got != "7.9" {
			t.Errorf("second replica starts at %s, want 7.9", got)
		}
		h.Do(http.MethodPost, sandboxFXPath, map[string]any{"usdt_hkd": 7.75}).Expect(t, 200, "")
		deadline := time.Now().Add(5 * time.Second)
		for usdtHKD(t, h2, acc2) != "7.75" {
			if time.Now().After(deadline) {
				t.Fatalf("second replica still at %s", usdtHKD(t, h2, acc2))
			}
			time.Sleep(50 * time.Millisecond)
		}
		d = cmData(t, previewSwap(h2, acc2, swapBody("USDT-TRC20", "HKD", 100)).Expect(t, 200, ""))
		expectFields(t, "quote at 7.75 on the second replica", d, map[string]any{"exchange_rate": json.Number("7.75"), "to_amount": json.Number("775")})
	})
}
