package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// authSubjectReuse is the subject of the e-mail a refresh-token reuse sends.
const authSubjectReuse = "Security alert: your ComeComePay sessions were signed out"

// authSecurityAlerts counts the user's security_alert notifications.
func authSecurityAlerts(t testing.TB, h *apptest.Harness, userID int64) int {
	t.Helper()
	var n int
	if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND type = 'security_alert'`,
		userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// authMailsWithSubject counts the mails delivered to addr with subject.
func authMailsWithSubject(h *apptest.Harness, addr, subject string) int {
	n := 0
	for _, m := range h.App.Outbox.To(addr) {
		if m.Subject == subject {
			n++
		}
	}
	return n
}

// TestAuthRefreshReuseAlertsUser: reuse of a rotated refresh token after the
// grace answers 401 and, in the revocation's transaction, leaves the user an
// in-app notification and an e-mail that carry no token; a retry within the
// grace alerts no one.
func TestAuthRefreshReuseAlertsUser(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		acc := h.Register(t, "reuse-alert@example.com")

		p1 := authRefreshPair(t, h, acc.Refresh)
		h.Clock.Advance(30 * time.Second)
		authRefreshPair(t, h, acc.Refresh) // a retry within the grace
		if n := authSecurityAlerts(t, h, acc.ID); n != 0 {
			t.Fatalf("a retry within the grace created %d security notifications, want 0", n)
		}

		h.Clock.Advance(31 * time.Second)
		authExpectErr(t, authPost(h, "refresh", map[string]string{"refresh_token": acc.Refresh}), 401, "UNAUTHORIZED")
		if n := authSecurityAlerts(t, h, acc.ID); n != 1 {
			t.Fatalf("reuse after the grace created %d security notifications, want 1", n)
		}
		var title, body, data string
		if err := h.App.DB.SQL.QueryRow(`SELECT title, body, data FROM notifications WHERE user_id = $1 AND type = 'security_alert'`,
			acc.ID).Scan(&title, &body, &data); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, "change your password") || data != `{"type":"security_alert","reason":"refresh_token_reuse"}` {
			t.Fatalf("notification %q / %q / %s", title, body, data)
		}
		deadline := time.Now().Add(10 * time.Second)
		for authMailsWithSubject(h, acc.Email, authSubjectReuse) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		var mailBody string
		for _, m := range h.App.Outbox.To(acc.Email) {
			if m.Subject == authSubjectReuse {
				mailBody = m.Body
			}
		}
		if !strings.Contains(mailBody, "change your password") {
			t.Fatalf("no reuse alert e-mail (body %q)", mailBody)
		}
		for _, secret := range []string{acc.Refresh, p1.refresh, p1.access, acc.Access} {
			for _, where := range []string{title, body, data, mailBody, h.Log.String()} {
				if strings.Contains(where, secret) {
					t.Fatal("a token reached the alert or the log")
				}
			}
		}

		// A second reuse finds the session already ended: no second alert.
		authExpectErr(t, authPost(h, "refresh", map[string]string{"refresh_token": acc.Refresh}), 401, "UNAUTHORIZED")
		if n := authSecurityAlerts(t, h, acc.ID); n != 1 {
			t.Fatalf("after a second reuse %d security notifications, want 1", n)
		}
		// The user reads it from another session.
		again := h.Login(t, acc.Email, apptest.Password)
		res := h.Do(http.MethodGet, "/api/v1/notifications", nil, apptest.Bearer(again.Access)).Expect(t, 200, "")
		if !strings.Contains(string(res.Body), "security_alert") {
			t.Fatalf("notification list %s", res.Body)
		}
	})
}
