package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	pushsandbox "github.com/comecomepay/comecomepay/internal/providers/push/sandbox"
)

func ntfRegisterDevice(t *testing.T, h *apptest.Harness, acc apptest.Account, token string) {
	t.Helper()
	h.Do(http.MethodPost, "/api/v1/push/devices", map[string]any{"fcm_token": token, "device_id": "dev-" + token, "platform": "ios",
		"app_version": "2.0.0"}, apptest.Bearer(acc.Access)).Expect(t, 200, "")
}

// ntfPushesSettled waits until no push or e-mail job is left to run
// (completed or given up), so the recorders can be checked for exact counts.
func ntfPushesSettled(t *testing.T, h *apptest.Harness) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pending int
		err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind IN ('notification.push', 'mail.send')
			AND state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&pending)
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d push jobs still pending", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ntfWaitPushes waits until token has received at least n pushes.
func ntfWaitPushes(t *testing.T, h *apptest.Harness, token string, n int, within time.Duration) []pushsandbox.Sent {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := h.App.Pushes.To(token)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("want %d pushes to %s within %s, got %d", n, token, within, len(got))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNotificationPush(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "ntf-push@example.com")
		const token = "fcm-push-ok-1"
		ntfRegisterDevice(t, h, acc, token)
		dep := ntfDeposit(t, h, acc, "7")
		got := ntfWaitPushes(t, h, token, 1, 20*time.Second)
		ntfPushesSettled(t, h)
		if got = h.App.Pushes.To(token); len(got) != 1 {
			t.Fatalf("%d pushes, want 1: %+v", len(got), got)
		}
		list, _, _ := ntfList(t, h, acc, "")
		n := list[0]
		p := got[0]
		if p.Token != token || p.Title != n.Title || p.Body != n.Body || p.Title == "" || p.Body == "" {
			t.Errorf("push %+v, notification %+v", p.Push, n)
		}
		if p.Data["type"] != "deposit_credited" || p.Data["notification_id"] != strconv.FormatInt(ntfID(t, n), 10) ||
			p.Data["currency"] != "USDT-TRC20" || p.Data["amount"] != "7" || p.Data["tx_hash"] != dep {
			t.Errorf("push data %v", p.Data)
		}
		var status string
		if err := h.App.DB.SQL.QueryRow(`SELECT status FROM push_deliveries WHERE notification_id = $1`, ntfID(t, n)).Scan(&status); err != nil || status != "sent" {
			t.Errorf("push_deliveries status %q (%v), want sent", status, err)
		}

		// A user without devices: the notification exists, nothing is pushed.
		other := h.Register(t, "ntf-push-none@example.com")
		h.Deposit(t, other, "USDT-TRC20", "1")
		ntfPushesSettled(t, h)
		if all := h.App.Pushes.To(""); len(all) != 1 {
			t.Errorf("pushes to all tokens %d, want 1", len(all))
		}
	})
}

func TestNotificationPushInvalidToken(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "ntf-push-invalid@example.com")
		const bad, good = "invalid-token-123", "fcm-still-good"
		ntfRegisterDevice(t, h, acc, bad)
		ntfRegisterDevice(t, h, acc, good)
		h.Deposit(t, acc, "USDT-TRC20", "3")
		ntfWaitPushes(t, h, good, 1, 20*time.Second)
		ntfPushesSettled(t, h)
		enabled := func(token string) bool {
			var on bool
			if err := h.App.DB.SQL.QueryRow(`SELECT enabled FROM push_devices WHERE fcm_token = $1`, token).Scan(&on); err != nil {
				t.Fatal(err)
			}
			return on
		}
		if enabled(bad) {
			t.Errorf("the device with an invalid token is still enabled")
		}
		if !enabled(good) {
			t.Errorf("the healthy device was disabled")
		}
		if got := h.App.Pushes.To(bad); len(got) != 0 {
			t.Errorf("pushes recorded for an invalid token: %+v", got)
		}
		var attempts int
		if err := h.App.DB.SQL.QueryRow(`SELECT MAX(attempt) FROM river_job WHERE kind = 'notification.push'`).Scan(&attempts); err != nil || attempts != 1 {
			t.Errorf("an invalid token made the push job retry: %d attempts (%v)", attempts, err)
		}
		// The disabled device is skipped from then on.
		h.Deposit(t, acc, "USDT-TRC20", "4")
		ntfWaitPushes(t, h, good, 2, 20*time.Second)
		ntfPushesSettled(t, h)
		var deliveries int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM push_deliveries p JOIN push_devices d ON d.id = p.device_id WHERE d.fcm_token = $1`, bad).Scan(&deliveries); err != nil || deliveries != 1 {
			t.Errorf("deliveries for the disabled device %d (%v), want 1 (the first attempt only)", deliveries, err)
		}
		if len(h.App.Pushes.To(good)) != 2 {
			t.Errorf("healthy device pushes %d, want 2", len(h.App.Pushes.To(good)))
		}
	})
}

func TestNotificationPushRetry(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "ntf-push-retry@example.com")
		const token = "fcm-retry-1"
		ntfRegisterDevice(t, h, acc, token)
		h.App.Pushes.FailNext(1)
		h.Deposit(t, acc, "USDT-TRC20", "5")
		ntfWaitPushes(t, h, token, 1, 25*time.Second)
		ntfPushesSettled(t, h)
		if got := h.App.Pushes.To(token); len(got) != 1 || got[0].Data["type"] != "deposit_credited" {
			t.Fatalf("pushes after a transient failure %+v, want exactly one", got)
		}
		var attempts int
		if err := h.App.DB.SQL.QueryRow(`SELECT MAX(attempt) FROM river_job WHERE kind = 'notification.push'`).Scan(&attempts); err != nil || attempts != 2 {
			t.Errorf("push job attempts %d (%v), want 2", attempts, err)
		}

		// Two devices, one push failing: the retry reaches only the one missed.
		acc2 := h.Register(t, "ntf-push-retry2@example.com")
		ntfRegisterDevice(t, h, acc2, "fcm-two-a")
		ntfRegisterDevice(t, h, acc2, "fcm-two-b")
		h.App.Pushes.FailNext(1)
		h.Deposit(t, acc2, "USDT-TRC20", "6")
		ntfWaitPushes(t, h, "fcm-two-a", 1, 25*time.Second)
		ntfWaitPushes(t, h, "fcm-two-b", 1, 25*time.Second)
		ntfPushesSettled(t, h)
		for _, tok := range []string{"fcm-two-a", "fcm-two-b"} {
			if got := h.App.Pushes.To(tok); len(got) != 1 {
				t.Errorf("%s received %d pushes, want exactly 1", tok, len(got))
			}
		}
		var sent int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM push_deliveries p JOIN push_devices d ON d.id = p.device_id
			WHERE d.user_id = $1 AND p.status = 'sent'`, acc2.ID).Scan(&sent); err != nil || sent != 2 {
			t.Errorf("sent deliveries %d (%v), want 2", sent, err)
		}
		if err := h.App.DB.SQL.QueryRow(`SELECT MAX(attempt) FROM river_job WHERE kind = 'notification.push'`).Scan(&attempts); err != nil || attempts != 2 {
			t.Errorf("push job attempts %d (%v), want 2", attempts, err)
		}
	})
}

func TestSandboxOutbox(t *testing.T) {
	t.Parallel()
	otp5 := regexp.MustCompile(`^[0-9]{5}$`)
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		const email = "ntf-outbox@example.com"
		acc := h.Register(t, email)
		other := h.Register(t, "ntf-outbox-other@example.com")
		outbox := func(q string) []map[string]any {
			t.Helper()
			res := h.Do(http.MethodGet, "/api/v1/sandbox/outbox"+q, nil).Expect(t, 200, "")
			// Entries stay raw objects: each channel has its own fields.
			out := apptest.Data[[]map[string]any](t, res)
			if out == nil {
				t.Fatalf("outbox data is not an array: %s", res.Body)
			}
			return out
		}
		byChannel := func(entries []map[string]any, channel string) []map[string]any {
			var out []map[string]any
			for _, e := range entries {
				if e["channel"] == channel {
					out = append(out, e)
				}
			}
			return out
		}
		waitFor := func(q, channel string, n int) []map[string]any {
			t.Helper()
			deadline := time.Now().Add(20 * time.Second)
			for {
				all := outbox(q)
				if len(byChannel(all, channel)) >= n {
					return all
				}
				if time.Now().After(deadline) {
					t.Fatalf("outbox%s: want %d %s entries, got %v", q, n, channel, all)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		q := "?email=" + url.QueryEscape(email)
		waitFor(q, "email", 1)
		ntfPushesSettled(t, h)
		entries := outbox(q)
		mails := byChannel(entries, "email")
		var signup map[string]any
		for _, m := range mails {
			if m["to"] != email {
				t.Errorf("outbox for %s lists a mail to %v", email, m["to"])
			}
			if otp5.MatchString(fmt.Sprint(m["otp"])) {
				signup = m
			}
		}
		if signup == nil || signup["subject"] == "" || signup["body"] == "" {
			t.Fatalf("no signup OTP e-mail in %v", mails)
		}
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(signup["created_at"])); err != nil {
			t.Errorf("created_at %v: %v", signup["created_at"], err)
		}
		if len(byChannel(entries, "push")) != 0 {
			t.Errorf("pushes before any device: %v", entries)
		}

		// A push to the account's device is listed under its e-mail, newest first.
		ntfRegisterDevice(t, h, acc, "fcm-outbox-1")
		ntfRegisterDevice(t, h, other, "fcm-outbox-other")
		h.Clock.Advance(time.Minute)
		h.Deposit(t, acc, "USDT-TRC20", "8")
		h.Deposit(t, other, "USDT-TRC20", "8")
		waitFor(q, "push", 1)
		ntfWaitPushes(t, h, "fcm-outbox-other", 1, 20*time.Second)
		ntfPushesSettled(t, h)
		entries = outbox(q)
		pushes := byChannel(entries, "push")
		if len(pushes) != 1 {
			t.Fatalf("pushes listed for %s: %v", email, pushes)
		}
		p := pushes[0]
		if p["to"] != "fcm-outbox-1" || p["subject"] == "" || p["body"] == "" || p["otp"] != "" {
			t.Errorf("push entry %v", p)
		}
		if entries[0]["channel"] != "push" {
			t.Errorf("the newest entry is not the push: %v", entries)
		}
		for _, e := range entries {
			if e["to"] == "fcm-outbox-other" || e["to"] == other.Email {
				t.Errorf("another account's message is listed: %v", e)
			}
		}
		// The e-mail filter is trimmed and case-insensitive.
		if upper := outbox("?email=" + url.QueryEscape("  NTF-OUTBOX@Example.COM ")); !reflect.DeepEqual(upper, entries) {
			t.Errorf("upper-case e-mail: %v, want %v", upper, entries)
		}
		if none := outbox("?email=nobody%40example.com"); len(none) != 0 {
			t.Errorf("unknown e-mail: %v", none)
		}

		// limit, and everything without a filter.
		if one := outbox(q + "&limit=1"); len(one) != 1 || !reflect.DeepEqual(one[0], entries[0]) {
			t.Errorf("limit=1: %v", one)
		}
		all := outbox("")
		if len(byChannel(all, "push")) != 2 || len(all) < len(entries)+2 {
			t.Errorf("unfiltered outbox has %d entries (%d pushes), want both accounts' messages", len(all), len(byChannel(all, "push")))
		}
		if two := outbox("?limit=2"); len(two) != 2 {
			t.Errorf("limit=2: %d entries", len(two))
		}
		for _, bad := range []string{"?limit=0", "?limit=-3", "?limit=abc"} {
			usrExpectErr(t, h.Do(http.MethodGet, "/api/v1/sandbox/outbox"+bad, nil), 400, "VALIDATION_FAILED")
		}
	})
}
