package httpapi_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/notification"
)

const ntfPath = "/api/v1/notifications"

// notificationView is a notification as listed and opened. Data is a JSON
// string (the client parses it), read_at null until read.
type notificationView struct {
	ID        int64   `json:"id"`
	UserID    int64   `json:"user_id"`
	Type      string  `json:"type"`
	Title     string  `json:"title"`
	Body      string  `json:"body"`
	Data      string  `json:"data"`
	Status    string  `json:"status"`
	ReadAt    *string `json:"read_at"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
}

// ntfList lists the caller's notifications with the raw query q.
func ntfList(t *testing.T, h *apptest.Harness, acc apptest.Account, q string) (items []notificationView, count, total int) {
	t.Helper()
	res := h.Do(http.MethodGet, ntfPath+q, nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	b := apptest.Decode[struct {
		apptest.EnvelopeA
		Notifications []notificationView `json:"notifications"`
		Count         int                `json:"count"`
		Total         int                `json:"total"`
	}](t, res)
	if b.Message != "OK" {
		t.Errorf("list message %v", b.Message)
	}
	if b.Notifications == nil {
		t.Fatalf("notifications is not an array: %s", res.Body)
	}
	if b.Count != len(b.Notifications) {
		t.Errorf("count %v but %d items", b.Count, len(b.Notifications))
	}
	return b.Notifications, b.Count, b.Total
}

// ntfData decodes the `data` string of a notification.
func ntfData(t *testing.T, n notificationView) map[string]any {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal([]byte(n.Data), &d); err != nil {
		t.Fatalf("data %q does not parse as a JSON object: %v", n.Data, err)
	}
	return d
}

func ntfID(t *testing.T, n notificationView) int64 {
	t.Helper()
	if n.ID <= 0 {
		t.Fatalf("id %v is not a positive integer", n.ID)
	}
	return n.ID
}

func ntfUnread(t *testing.T, h *apptest.Harness, acc apptest.Account) int {
	t.Helper()
	res := h.Do(http.MethodGet, ntfPath+"/unread-count", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	return apptest.Decode[struct {
		Count int `json:"count"`
	}](t, res).Count
}

func ntfOpen(t *testing.T, h *apptest.Harness, acc apptest.Account, id int64) notificationView {
	t.Helper()
	res := h.Do(http.MethodGet, ntfPath+"/"+strconv.FormatInt(id, 10), nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	b := apptest.Decode[struct {
		Notification *notificationView `json:"notification"`
	}](t, res)
	if b.Notification == nil {
		t.Fatalf("no notification object: %s", res.Body)
	}
	return *b.Notification
}

// ntfDeposit runs a sandbox deposit and returns its tx_id.
func ntfDeposit(t *testing.T, h *apptest.Harness, acc apptest.Account, amount string) string {
	t.Helper()
	res := h.Do(http.MethodPost, "/api/v1/sandbox/deposits", map[string]any{"currency": "USDT-TRC20", "amount": amount, "user_id": acc.ID}).Expect(t, 200, "")
	return apptest.Data[struct {
		TxID string `json:"tx_id"`
	}](t, res).TxID
}

func TestNotificationsCreatedByDepositAndTransfer(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "ntf-alice@example.com"), h.Register(t, "ntf-bob@example.com")
		if items, count, total := ntfList(t, h, alice, ""); count != 0 || total != 0 || len(items) != 0 {
			t.Fatalf("a new account has notifications: %v", items)
		}
		dep := ntfDeposit(t, h, alice, "12.5")
		items, count, total := ntfList(t, h, alice, "")
		if count != 1 || total != 1 {
			t.Fatalf("after a deposit: count %d total %d", count, total)
		}
		n := items[0]
		if n.Type != "deposit_credited" || n.Status != "unread" || n.ReadAt != nil || n.UserID != alice.ID ||
			n.Title == "" || n.Body == "" {
			t.Fatalf("deposit notification %+v", n)
		}
		d := ntfData(t, n)
		if d["type"] != "deposit_credited" || d["currency"] != "USDT-TRC20" || d["amount"] != "12.5" || d["tx_hash"] != dep || d["tx_hash"] == "" {
			t.Fatalf("deposit data %v (deposit %v)", d, dep)
		}

		// A transfer notifies the recipient only.
		h.SetTxPassword(t, alice)
		h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": bob.ID, "currency": "USDT-TRC20",
			"amount": "2.25", "transaction_password": apptest.TxPassword}, apptest.Bearer(alice.Access)).Expect(t, 200, "")
		items, _, total = ntfList(t, h, bob, "")
		if total != 1 || items[0].Type != "transfer_received" || items[0].UserID != bob.ID {
			t.Fatalf("bob's notifications %v", items)
		}
		d = ntfData(t, items[0])
		if d["type"] != "transfer_received" || d["amount"] != "2.25" || d["currency"] != "USDT-TRC20" || d["from_user_id"] != float64(alice.ID) {
			t.Fatalf("transfer data %v", d)
		}
		if items, _, total := ntfList(t, h, alice, ""); total != 1 || items[0].Type != "deposit_credited" {
			t.Fatalf("the sender got a notification of her own transfer: %v", items)
		}
	})
}

func TestNotificationsListPaging(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "ntf-list@example.com")
		auth := apptest.Bearer(acc.Access)
		for _, amount := range []string{"1", "2", "3"} {
			h.Clock.Advance(time.Minute)
			h.Deposit(t, acc, "USDT-TRC20", amount)
		}
		amounts := func(items []notificationView) []string {
			var out []string
			for _, n := range items {
				out = append(out, fmt.Sprint(ntfData(t, n)["amount"]))
			}
			return out
		}
		items, count, total := ntfList(t, h, acc, "")
		if count != 3 || total != 3 || !reflect.DeepEqual(amounts(items), []string{"3", "2", "1"}) {
			t.Fatalf("list: count %d total %d amounts %v, want newest first", count, total, amounts(items))
		}
		for i := 1; i < len(items); i++ {
			if items[i-1].CreatedAt < items[i].CreatedAt {
				t.Errorf("not newest first: %v", items)
			}
		}
		if items, count, total := ntfList(t, h, acc, "?limit=2"); count != 2 || total != 3 || !reflect.DeepEqual(amounts(items), []string{"3", "2"}) {
			t.Errorf("limit=2: count %d total %d %v", count, total, amounts(items))
		}
		if items, count, total := ntfList(t, h, acc, "?limit=2&offset=2"); count != 1 || total != 3 || !reflect.DeepEqual(amounts(items), []string{"1"}) {
			t.Errorf("limit=2&offset=2: count %d total %d %v", count, total, amounts(items))
		}
		if _, count, total := ntfList(t, h, acc, "?offset=10"); count != 0 || total != 3 {
			t.Errorf("offset past the end: count %d total %d", count, total)
		}
		// The same ordering with equal timestamps: the id breaks ties.
		h.Deposit(t, acc, "USDT-TRC20", "4")
		h.Deposit(t, acc, "USDT-TRC20", "5")
		if items, _, _ := ntfList(t, h, acc, "?limit=2"); !reflect.DeepEqual(amounts(items), []string{"5", "4"}) {
			t.Errorf("same created_at: %v, want the later id first", amounts(items))
		}

		// The trailing-slash form is the same route.
		plain := h.Do(http.MethodGet, ntfPath+"?limit=3&offset=1", nil, auth).Expect(t, 200, "")
		slash := h.Do(http.MethodGet, ntfPath+"/?limit=3&offset=1", nil, auth).Expect(t, 200, "")
		if !reflect.DeepEqual(plain.JSON, slash.JSON) || slash.Header.Get("Location") != "" {
			t.Errorf("GET /notifications/ differs:\n%s\n%s", plain.Body, slash.Body)
		}

		// Status filter: read two, three stay unread.
		all, _, _ := ntfList(t, h, acc, "")
		ntfOpen(t, h, acc, ntfID(t, all[0]))
		h.Do(http.MethodPut, fmt.Sprintf("%s/%d/read", ntfPath, ntfID(t, all[3])), nil, auth).Expect(t, 200, "")
		read, count, total := ntfList(t, h, acc, "?status=read")
		if count != 2 || total != 2 || ntfID(t, read[0]) != ntfID(t, all[0]) || ntfID(t, read[1]) != ntfID(t, all[3]) {
			t.Errorf("status=read: count %d total %d %v", count, total, read)
		}
		for _, n := range read {
			if n.Status != "read" || n.ReadAt == nil {
				t.Errorf("status=read returned %v", n)
			}
		}
		unread, count, total := ntfList(t, h, acc, "?status=unread&limit=2")
		if count != 2 || total != 3 {
			t.Errorf("status=unread&limit=2: count %d total %d", count, total)
		}
		for _, n := range unread {
			if n.Status != "unread" || n.ReadAt != nil {
				t.Errorf("status=unread returned %v", n)
			}
		}
		if _, _, total := ntfList(t, h, acc, "?status=unread&offset=2"); total != 3 {
			t.Errorf("status=unread&offset=2: total %d", total)
		}

		for _, q := range []struct{ query, field string }{
			{"?limit=0", "limit"}, {"?limit=-1", "limit"}, {"?limit=abc", "limit"}, {"?limit=1.5", "limit"},
			{"?offset=-1", "offset"}, {"?offset=x", "offset"}, {"?status=unknown", "status"}, {"?status=READ", "status"},
			{"?limit=0&offset=-1", "offset"},
		} {
			fields := usrExpectErr(t, h.Do(http.MethodGet, ntfPath+q.query, nil, auth), 400, "VALIDATION_FAILED")
			if _, ok := fields[q.field]; !ok {
				t.Errorf("%s: fields %v lack %q", q.query, fields, q.field)
			}
		}
		usrExpectErr(t, h.Do(http.MethodGet, ntfPath+"/?limit=0", nil, auth), 400, "VALIDATION_FAILED")
	})
}

func TestNotificationsLimitClamped(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "ntf-many@example.com")
		store := notification.NewStore(h.Clock.Now)
		err := h.App.DB.InTx(context.Background(), func(tx *sql.Tx) error {
			for i := range 105 {
				if _, err := store.Create(context.Background(), tx, notification.New{UserID: acc.ID, Title: fmt.Sprint("n", i), Body: "b"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"": 20, "?limit=100": 100, "?limit=101": 100, "?limit=1000": 100, "?limit=100&offset=100": 5} {
			items, count, total := ntfList(t, h, acc, q)
			if count != want || total != 105 {
				t.Errorf("%q: count %d total %d, want %d/105", q, count, total, want)
			}
			if len(items) > 0 && items[0].Data != "{}" {
				t.Errorf("no payload: data %v, want \"{}\"", items[0].Data)
			}
		}
		if n := ntfUnread(t, h, acc); n != 105 {
			t.Errorf("unread-count %d, want 105", n)
		}
	})
}

func TestNotificationsReadAndAccess(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "ntf-read-a@example.com"), h.Register(t, "ntf-read-b@example.com")
		a, b := apptest.Bearer(alice.Access), apptest.Bearer(bob.Access)
		for _, amount := range []string{"1", "2", "3"} {
			h.Deposit(t, alice, "USDT-TRC20", amount)
		}
		h.Deposit(t, bob, "USDT-TRC20", "9")
		if n := ntfUnread(t, h, alice); n != 3 {
			t.Fatalf("unread-count %d, want 3", n)
		}
		list, _, _ := ntfList(t, h, alice, "")
		first, second, third := ntfID(t, list[0]), ntfID(t, list[1]), ntfID(t, list[2])

		// GET {id} marks read once; a later read keeps the first read_at.
		h.Clock.Advance(time.Minute)
		opened := ntfOpen(t, h, alice, first)
		var readAt string
		if opened.ReadAt != nil {
			readAt = *opened.ReadAt
		}
		if opened.Status != "read" || readAt == "" || ntfID(t, opened) != first || opened.Type != "deposit_credited" ||
			opened.Data != list[0].Data || opened.CreatedAt != list[0].CreatedAt {
			t.Fatalf("opened %v (listed %v)", opened, list[0])
		}
		if at, err := time.Parse(time.RFC3339, readAt); err != nil || !at.Equal(h.Clock.Now().Truncate(time.Second)) {
			t.Errorf("read_at %q, want the read time %s", readAt, h.Clock.Now())
		}
		if n := ntfUnread(t, h, alice); n != 2 {
			t.Errorf("after opening one, unread-count %d, want 2", n)
		}
		h.Clock.Advance(time.Hour)
		again := ntfOpen(t, h, alice, first)
		if again.ReadAt == nil || *again.ReadAt != readAt || again.Status != "read" || again.UpdatedAt != opened.UpdatedAt {
			t.Errorf("a second read changed it: %v, first %v", again, opened)
		}

		// PUT read: idempotent, and read_at stays the first one.
		put := func(acc apptest.Header, id any) *apptest.Response {
			return h.Do(http.MethodPut, fmt.Sprintf("%s/%v/read", ntfPath, id), nil, acc)
		}
		for range 2 {
			res := put(a, second).Expect(t, 200, "")
			if !reflect.DeepEqual(res.JSON, map[string]any{"status": "success", "message": "Operation successful"}) {
				t.Errorf("PUT read body %s", res.Body)
			}
			h.Clock.Advance(time.Minute)
		}
		if n := ntfUnread(t, h, alice); n != 1 {
			t.Errorf("after PUT read twice, unread-count %d, want 1", n)
		}
		got := ntfOpen(t, h, alice, second)
		var gotReadAt string
		if got.ReadAt != nil {
			gotReadAt = *got.ReadAt
		}
		if at, err := time.Parse(time.RFC3339, gotReadAt); err != nil || !at.Equal(h.Clock.Now().Add(-2*time.Minute).Truncate(time.Second)) {
			t.Errorf("read_at after PUT twice and GET: %v, want the first PUT's time", gotReadAt)
		}
		put(a, first).Expect(t, 200, "") // already read by GET
		res := h.Do(http.MethodPut, fmt.Sprintf("%s/%d/read", ntfPath, first), nil, a, apptest.Header{Name: "Accept-Language", Value: "zh-CN"}).Expect(t, 200, "")
		if m := apptest.Decode[apptest.EnvelopeA](t, res).Message; m != "操作成功" {
			t.Errorf("zh message %v", m)
		}

		// Another user's id and unknown ids: 404, and nothing changes.
		bobList, _, _ := ntfList(t, h, bob, "")
		bobs := ntfID(t, bobList[0])
		for _, id := range []string{strconv.FormatInt(third, 10), "99999999", "0", "-1", "abc", "1.5", "9223372036854775808"} {
			usrExpectErr(t, h.Do(http.MethodGet, ntfPath+"/"+id, nil, b), 404, "NOTIFICATION_NOT_FOUND")
			usrExpectErr(t, put(b, id), 404, "NOTIFICATION_NOT_FOUND")
		}
		usrExpectErr(t, h.Do(http.MethodGet, fmt.Sprintf("%s/%d", ntfPath, bobs), nil, a), 404, "NOTIFICATION_NOT_FOUND")
		usrExpectErr(t, put(a, bobs), 404, "NOTIFICATION_NOT_FOUND")
		if n := ntfUnread(t, h, alice); n != 1 {
			t.Errorf("bob's attempts changed alice's unread-count to %d", n)
		}
		if n := ntfUnread(t, h, bob); n != 1 {
			t.Errorf("alice's attempts changed bob's unread-count to %d", n)
		}
		if l, _, _ := ntfList(t, h, alice, "?status=unread"); len(l) != 1 || ntfID(t, l[0]) != third {
			t.Errorf("alice's unread list %v", l)
		}

		// A single trailing slash is insignificant on the other routes too; a
		// wrong method is 405.
		h.Do(http.MethodGet, ntfPath+"/unread-count/", nil, a).Expect(t, 200, "")
		if n := ntfOpen(t, h, alice, third); n.Status != "read" {
			t.Errorf("opened %v", n)
		}
		h.Do(http.MethodGet, fmt.Sprintf("%s/%d/", ntfPath, third), nil, a).Expect(t, 200, "")
		h.Do(http.MethodPut, fmt.Sprintf("%s/%d/read/", ntfPath, third), nil, a).Expect(t, 200, "")
		for _, r := range []struct{ method, path string }{
			{http.MethodPost, ntfPath}, {http.MethodDelete, fmt.Sprintf("%s/%d", ntfPath, third)},
			{http.MethodGet, fmt.Sprintf("%s/%d/read", ntfPath, third)}, {http.MethodPut, ntfPath + "/unread-count"},
		} {
			usrExpectErr(t, h.Do(r.method, r.path, nil, a), 405, "METHOD_NOT_ALLOWED")
		}

		// 401 without (or with a bad) token.
		for _, hdr := range [][]apptest.Header{nil, {apptest.Bearer("garbage")}} {
			for _, r := range []struct{ method, path string }{
				{http.MethodGet, ntfPath}, {http.MethodGet, ntfPath + "/"}, {http.MethodGet, ntfPath + "/unread-count"},
				{http.MethodGet, fmt.Sprintf("%s/%d", ntfPath, third)}, {http.MethodPut, fmt.Sprintf("%s/%d/read", ntfPath, third)},
			} {
				usrExpectErr(t, h.Do(r.method, r.path, nil, hdr...), 401, "UNAUTHORIZED")
			}
		}
		if n := ntfUnread(t, h, alice); n != 0 {
			t.Errorf("unread-count %d after reading all three, want 0", n)
		}
	})
}
