package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

func TestPushDevices(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "push-a@example.com"), h.Register(t, "push-b@example.com")
		register := func(acc apptest.Account, token, device string) *apptest.Response {
			return h.Do(http.MethodPost, "/api/v1/push/devices", map[string]any{"fcm_token": token, "device_id": device,
				"platform": "android", "app_version": "1.0.0+14", "user_id": 999999}, apptest.Bearer(acc.Access))
		}
		res := register(alice, "tok-1", "a1b2").Expect(t, 200, "")
		type device struct {
			ID       int64  `json:"id"`
			DeviceID string `json:"device_id"`
			Enabled  bool   `json:"enabled"`
			Platform string `json:"platform"`
		}
		deviceOf := func(res *apptest.Response) device {
			return apptest.Decode[struct {
				Device device `json:"device"`
			}](t, res).Device
		}
		dev := deviceOf(res)
		if dev.DeviceID != "a1b2" || !dev.Enabled || dev.Platform != "android" {
			t.Fatalf("device %+v", dev)
		}
		again := deviceOf(register(alice, "tok-1", "a1b2").Expect(t, 200, ""))
		if again.ID != dev.ID {
			t.Fatalf("re-registering created a new row: %v vs %v", again.ID, dev.ID)
		}
		// The token moves to whoever registers it last.
		register(bob, "tok-1", "b-phone").Expect(t, 200, "")
		h.Do(http.MethodDelete, "/api/v1/push/devices", map[string]string{"fcm_token": "tok-1"}, apptest.Bearer(alice.Access)).Expect(t, 404, "DEVICE_NOT_FOUND")
		h.Do(http.MethodDelete, "/api/v1/push/devices?fcm_token=tok-1", nil, apptest.Bearer(bob.Access)).Expect(t, 200, "")
		h.Do(http.MethodDelete, "/api/v1/push/devices", nil, apptest.Bearer(bob.Access)).Expect(t, 400, "VALIDATION_FAILED")
		for name, body := range map[string]map[string]any{
			"no token":     {"device_id": "x", "platform": "ios"},
			"bad platform": {"fcm_token": "t", "device_id": "x", "platform": "symbian"},
		} {
			if res := h.Do(http.MethodPost, "/api/v1/push/devices", body, apptest.Bearer(alice.Access)); res.Status != 400 {
				t.Errorf("%s: %d", name, res.Status)
			}
		}
		// At most 10 devices: the least recently seen goes.
		for i := range 11 {
			h.Clock.Advance(1)
			register(alice, fmt.Sprintf("many-%02d", i), fmt.Sprintf("d%d", i)).Expect(t, 200, "")
		}
		var n int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM push_devices WHERE user_id = $1`, alice.ID).Scan(&n); err != nil || n != 10 {
			t.Fatalf("alice has %d devices (err %v), want 10", n, err)
		}
		h.Do(http.MethodDelete, "/api/v1/push/devices", map[string]string{"fcm_token": "many-00"}, apptest.Bearer(alice.Access)).Expect(t, 404, "DEVICE_NOT_FOUND")
		// Deactivation forgets every device.
		code := h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, apptest.Bearer(alice.Access)).Expect(t, 200, "").Str(t, "otp")
		h.Do(http.MethodPost, "/api/v1/user/deactivate", map[string]string{"otp_code": code}, apptest.Bearer(alice.Access)).Expect(t, 200, "")
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM push_devices WHERE user_id = $1`, alice.ID).Scan(&n); err != nil || n != 0 {
			t.Fatalf("after deactivation %d devices remain", n)
		}
	})
}
