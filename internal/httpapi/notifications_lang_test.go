package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// TestNotificationsInUsersLanguage: notifications are written in the
// language of the user's last authenticated request (API.md §2.8).
func TestNotificationsInUsersLanguage(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		cases := []struct{ lang, title, body string }{
			{"", "Deposit received", "12.5 USDT-TRC20 was credited to your wallet."},
			{"zh-CN", "充值到账", "12.5 USDT-TRC20 已存入您的钱包。"},
			{"ar", "تم استلام الإيداع", "تمت إضافة 12.5 USDT-TRC20 إلى محفظتك."},
			{"de", "Deposit received", "12.5 USDT-TRC20 was credited to your wallet."},
		}
		for _, tc := range cases {
			acc := h.Register(t, "lang-"+tc.lang+"@example.com")
			headers := []apptest.Header{apptest.Bearer(acc.Access)}
			if tc.lang != "" {
				headers = append(headers, apptest.Header{Name: "Accept-Language", Value: tc.lang})
			}
			h.Do(http.MethodGet, "/api/v1/user/profile", nil, headers...).Expect(t, 200, "")
			h.Deposit(t, acc, "USDT-TRC20", "12.5")
			res := h.Do(http.MethodGet, "/api/v1/notifications?limit=1", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
			n := apptest.Decode[struct {
				Notifications []notificationView `json:"notifications"`
			}](t, res).Notifications[0]
			if n.Title != tc.title || n.Body != tc.body {
				t.Errorf("%q: title %q body %q, want %q / %q", tc.lang, n.Title, n.Body, tc.title, tc.body)
			}
		}
	})
}
