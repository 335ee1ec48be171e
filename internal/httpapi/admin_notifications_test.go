package httpapi_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type adminBroadcast struct {
	ID              int64  `json:"id"`
	Status          string `json:"status"`
	Total           int    `json:"total"`
	Sent            int    `json:"sent"`
	ProgressPercent int    `json:"progress_percent"`
	LastError       string `json:"last_error"`
}

// operatorMessages returns the operator messages (type "") a user holds, by title.
func operatorMessages(t *testing.T, h *apptest.Harness, acc apptest.Account) map[string][]notificationView {
	t.Helper()
	list := apptest.Decode[struct {
		Notifications []notificationView `json:"notifications"`
	}](t, h.Do(http.MethodGet, "/api/v1/notifications?limit=100", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
	out := map[string][]notificationView{}
	for _, n := range list.Notifications {
		if n.Type == "" {
			out[n.Title] = append(out[n.Title], n)
		}
	}
	return out
}

// TestOperatorNotifiesAndBroadcasts: a message to one user arrives as an
// operator notification with its data as a string; a broadcast reaches its
// filtered audience once, through its job, with progress an operator reads;
// a retried broadcast with the same Idempotency-Key sends nothing again.
func TestOperatorNotifiesAndBroadcasts(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		support := apptest.Bearer(h.Operator(t, "support@ops.example.com", operator.Support).Token)
		finance := apptest.Bearer(h.Operator(t, "finance@ops.example.com", operator.Finance).Token)
		en, zh := h.Register(t, "en-reader@example.com"), h.Register(t, "zh-reader@example.com")
		h.Do(http.MethodGet, "/api/v1/user/profile", nil, apptest.Bearer(zh.Access), apptest.Header{Name: "Accept-Language", Value: "zh-CN"}).Expect(t, 200, "")

		send := map[string]any{"user_id": strconv.FormatInt(en.ID, 10), "title": "About your card", "body": "100% on its way", "data": map[string]any{"ticket": "T-1"}}
		h.Do(http.MethodPost, "/api/v1/admin/notifications/send", send, finance).Expect(t, 403, "FORBIDDEN")
		h.Do(http.MethodPost, "/api/v1/admin/notifications/send", map[string]any{"user_id": 987654, "title": "x", "body": "y"}, support).Expect(t, 404, "USER_NOT_FOUND")
		h.Do(http.MethodPost, "/api/v1/admin/notifications/send", map[string]any{"user_id": en.ID, "title": "x", "body": "y", "data": []any{1}}, support).
			Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPost, "/api/v1/admin/notifications/send", map[string]any{"user_id": en.ID, "title": " ", "body": "y"}, support).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPost, "/api/v1/admin/notifications/send", send, support).Expect(t, 200, "")
		got := operatorMessages(t, h, en)["About your card"]
		if len(got) != 1 || got[0].Body != "100% on its way" || got[0].Data != `{"ticket":"T-1"}` {
			t.Fatalf("the user's operator message: %+v", got)
		}

		msg := map[string]any{"title": "新功能", "body": "实体卡", "filter": map[string]any{"language": "zh"}}
		h.Do(http.MethodPost, "/api/v1/admin/notifications/broadcast", map[string]any{"title": "t", "body": "b", "filter": map[string]any{"status": "closed"}}, support).
			Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPost, "/api/v1/admin/notifications/broadcast", msg, support, apptest.Header{Name: "Idempotency-Key", Value: "short"}).
			Expect(t, 400, "VALIDATION_FAILED")
		key := apptest.Header{Name: "Idempotency-Key", Value: "broadcast-zh-0001"}
		res := h.Do(http.MethodPost, "/api/v1/admin/notifications/broadcast", msg, support, key).Expect(t, 202, "")
		b := apptest.Data[adminBroadcast](t, res)
		if b.Total != 1 || b.Status != "queued" && b.Status != "sending" && b.Status != "completed" {
			t.Fatalf("broadcast %s", res.Body)
		}
		path := "/api/v1/admin/notifications/broadcasts/" + strconv.FormatInt(b.ID, 10)
		eventually(t, "the broadcast to complete", func() bool {
			return apptest.Data[adminBroadcast](t, h.Do(http.MethodGet, path, nil, support).Expect(t, 200, "")).Status == "completed"
		})
		if done := apptest.Data[adminBroadcast](t, h.Do(http.MethodGet, path, nil, support).Expect(t, 200, "")); done.Sent != 1 || done.ProgressPercent != 100 {
			t.Fatalf("completed broadcast %+v", done)
		}

		replay := h.Do(http.MethodPost, "/api/v1/admin/notifications/broadcast", msg, support, key).Expect(t, 202, "")
		if again := apptest.Data[adminBroadcast](t, replay); again.ID != b.ID || replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %s", replay.Body)
		}
		other := map[string]any{"title": "Other", "body": "text"}
		h.Do(http.MethodPost, "/api/v1/admin/notifications/broadcast", other, support, key).Expect(t, 409, "IDEMPOTENCY_CONFLICT")

		if n := len(operatorMessages(t, h, zh)["新功能"]); n != 1 {
			t.Fatalf("the zh reader got the broadcast %d times", n)
		}
		if n := len(operatorMessages(t, h, en)["新功能"]); n != 0 {
			t.Fatalf("the en reader got the zh broadcast %d times", n)
		}
		if got := contentAuditActions(t, h, "broadcast", strconv.FormatInt(b.ID, 10)); !sameList(got, []string{"notification.broadcast"}) {
			t.Errorf("broadcast audit %v", got)
		}
		list := apptest.Data[struct {
			Total int `json:"total"`
		}](t, h.Do(http.MethodGet, "/api/v1/admin/notifications/broadcasts", nil, support).Expect(t, 200, ""))
		if list.Total != 1 {
			t.Fatalf("%d broadcasts listed", list.Total)
		}
		h.Do(http.MethodGet, "/api/v1/admin/notifications/broadcasts/987654", nil, support).Expect(t, 404, "NOT_FOUND")
	})
}

// noJobs queues nothing: the test drives the broadcast job itself.
type noJobs struct{}

func (noJobs) InsertTx(context.Context, *sql.Tx, river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return &rivertype.JobInsertResult{}, nil
}

// flakyCreator fails one call of Create (the failAt-th), like a database
// error in the middle of a batch.
type flakyCreator struct {
	mu     sync.Mutex
	inner  notification.Creator
	calls  int
	failAt int
}

func (f *flakyCreator) Create(ctx context.Context, tx *sql.Tx, n notification.New) (int64, error) {
	f.mu.Lock()
	f.calls++
	fail := f.calls == f.failAt
	f.mu.Unlock()
	if fail {
		return 0, errors.New("disk full")
	}
	return f.inner.Create(ctx, tx, n)
}

// TestBroadcastResumesAfterAFailedBatch: a batch that fails half-way
// leaves nothing behind and its cursor where it was; the operator reads the
// error in the progress; runs that resume — two at once, as when a job is
// rescued while its first run still goes — notify every user exactly once.
func TestBroadcastResumesAfterAFailedBatch(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		support := apptest.Bearer(h.Operator(t, "support@ops.example.com", operator.Support).Token)
		var users []apptest.Account
		for i := range 7 {
			users = append(users, h.Register(t, fmt.Sprintf("resume%d@example.com", i)))
		}
		// Made as the back office does, but with its job left unqueued.
		manual := notification.NewService(notification.Deps{Jobs: noJobs{}, Languages: h.App.Accounts, Now: h.Clock.Now})
		total, last, err := h.App.Accounts.AudienceSize(ctx, h.App.DB.SQL, notification.Audience{})
		if err != nil {
			t.Fatal(err)
		}
		var b notification.Broadcast
		if err := h.App.DB.InTx(ctx, func(tx *sql.Tx) error {
			b, _, err = manual.StartBroadcast(ctx, tx, notification.NewBroadcast{Message: notification.Message{Title: "Resume", Body: "once"},
				Total: total, LastUserID: last, CreatedBy: 1})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		flaky := &flakyCreator{inner: h.App.Notifications, failAt: 4}
		worker := func() *notification.BroadcastWorker {
			return notification.NewBroadcastWorker(notification.BroadcastDeps{DB: h.App.DB, Creator: flaky, Recipients: h.App.Accounts,
				Log: h.App.Log, Now: h.Clock.Now, Batch: 2})
		}
		path := "/api/v1/admin/notifications/broadcasts/" + strconv.FormatInt(b.ID, 10)
		progress := func() adminBroadcast {
			return apptest.Data[adminBroadcast](t, h.Do(http.MethodGet, path, nil, support).Expect(t, 200, ""))
		}

		if done, err := worker().Step(ctx, b.ID); err != nil || done {
			t.Fatalf("first batch: done=%v err=%v", done, err)
		}
		if _, err := worker().Step(ctx, b.ID); err == nil {
			t.Fatal("the batch with a failing notification succeeded")
		}
		if p := progress(); p.Sent != 2 || p.Status != "sending" || p.LastError == "" || p.ProgressPercent != 28 {
			t.Fatalf("after the failed batch %+v", p)
		}

		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := worker()
				for {
					done, err := w.Step(ctx, b.ID)
					if err != nil || done {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if p := progress(); p.Sent != 7 || p.Status != "completed" || p.LastError != "" || p.ProgressPercent != 100 {
			t.Fatalf("after resuming %+v", p)
		}
		for _, u := range users {
			if n := len(operatorMessages(t, h, u)["Resume"]); n != 1 {
				t.Errorf("user %d got the broadcast %d times", u.ID, n)
			}
		}
	})
}

type adminWebhookEvent struct {
	ID        int64  `json:"id"`
	Provider  string `json:"provider"`
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
}

// TestOperatorReplaysWebhookEvents: the inbox lists events by provider and
// status; replaying a processed deposit changes nothing (processors are
// idempotent); a replay whose processor fails rolls back, records the error
// and is audited; compliance reads but may not replay.
func TestOperatorReplaysWebhookEvents(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		finance := apptest.Bearer(h.Operator(t, "finance@ops.example.com", operator.Finance).Token)
		compliance := apptest.Bearer(h.Operator(t, "compliance@ops.example.com", operator.Compliance).Token)
		support := apptest.Bearer(h.Operator(t, "support@ops.example.com", operator.Support).Token)
		acc := h.Register(t, "depositor@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "50")
		credited := func() int {
			list := apptest.Decode[struct {
				Notifications []notificationView `json:"notifications"`
			}](t, h.Do(http.MethodGet, "/api/v1/notifications?limit=100", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
			n := 0
			for _, x := range list.Notifications {
				if x.Type == "deposit_credited" {
					n++
				}
			}
			return n
		}
		eventually(t, "the deposit", func() bool { return credited() == 1 })

		list := func(query string, auth apptest.Header) []adminWebhookEvent {
			return apptest.Data[struct {
				Items []adminWebhookEvent `json:"items"`
			}](t, h.Do(http.MethodGet, "/api/v1/admin/webhooks/events"+query, nil, auth).Expect(t, 200, "")).Items
		}
		h.Do(http.MethodGet, "/api/v1/admin/webhooks/events", nil, support).Expect(t, 403, "FORBIDDEN")
		h.Do(http.MethodGet, "/api/v1/admin/webhooks/events?status=lost", nil, finance).Expect(t, 400, "VALIDATION_FAILED")
		processed := list("?provider=custody&status=processed", compliance)
		if len(processed) == 0 {
			t.Fatal("no processed custody event listed")
		}
		ev := processed[0]
		replayPath := "/api/v1/admin/webhooks/events/" + strconv.FormatInt(ev.ID, 10) + "/replay"
		h.Do(http.MethodPost, replayPath, nil, compliance).Expect(t, 403, "FORBIDDEN")
		res := apptest.Data[struct {
			Outcome string            `json:"outcome"`
			Event   adminWebhookEvent `json:"event"`
		}](t, h.Do(http.MethodPost, replayPath, nil, finance).Expect(t, 200, ""))
		if res.Outcome != "applied" || res.Event.Status != "processed" || res.Event.Attempts != ev.Attempts+1 {
			t.Fatalf("replay of a processed deposit: %+v (was %+v)", res, ev)
		}
		if n := credited(); n != 1 {
			t.Fatalf("the replayed deposit was credited %d times", n)
		}

		// An event no processor knows: the replay fails, and says why.
		id, _, err := h.App.Inbox.Receive(context.Background(), noJobs{}, "retired-provider", "evt-1", []byte(`{"x":1}`))
		if err != nil {
			t.Fatal(err)
		}
		if got := list("?provider=retired-provider&status=received", finance); len(got) != 1 || got[0].ID != id {
			t.Fatalf("received events %+v", got)
		}
		failed := apptest.Data[struct {
			Outcome string            `json:"outcome"`
			Event   adminWebhookEvent `json:"event"`
		}](t, h.Do(http.MethodPost, "/api/v1/admin/webhooks/events/"+strconv.FormatInt(id, 10)+"/replay", nil, finance).Expect(t, 200, ""))
		if failed.Outcome != "failed" || failed.Event.Status != "failed" || failed.Event.LastError == "" || failed.Event.Attempts != 1 {
			t.Fatalf("failed replay %+v", failed)
		}
		if got := list("?status=failed", finance); len(got) != 1 || got[0].ID != id {
			t.Fatalf("failed events %+v", got)
		}
		for target, want := range map[int64]int{ev.ID: 1, id: 1} {
			if got := contentAuditActions(t, h, "webhook_event", strconv.FormatInt(target, 10)); len(got) != want || got[0] != "webhook.replay" {
				t.Errorf("audit of event %d: %v", target, got)
			}
		}
		h.Do(http.MethodPost, "/api/v1/admin/webhooks/events/987654/replay", nil, finance).Expect(t, 404, "NOT_FOUND")
	})
}
