package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// deliverIssuerEvent posts a signed issuer event and applies it at once
// (the harness's job workers are stopped).
func deliverIssuerEvent(t *testing.T, h *apptest.Harness, id, typ, token string, data map[string]any) {
	t.Helper()
	r := &cmRec{h: h}
	body := cmEvent(id, typ, token, time.Now(), data)
	cmExpectAck(t, cmPostEvent(r, body, webhooksig.SignIssuerEvent(cmIssuerKey, time.Now(), body)))
	var eventID int64
	if err := h.App.DB.SQL.QueryRow(`SELECT id FROM webhook_events WHERE provider = 'issuer' AND event_key = $1`, id).Scan(&eventID); err != nil {
		t.Fatal(err)
	}
	if err := h.App.Inbox.Process(context.Background(), eventID); err != nil {
		t.Fatal(err)
	}
}

// TestIssuerAsyncEvents: an issuer that answers the KYC review and the card
// issuance by event instead of synchronously completes both journeys, and
// the queued jobs that run afterwards change nothing.
func TestIssuerAsyncEvents(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.NewStopped(t, engine)
		acc := h.Register(t, "async-issuer@example.com")
		auth := apptest.Bearer(acc.Access)
		payFee(t, h, acc)
		session, recordID := startKYC(t, h, acc)
		h.Do(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/approve", nil).Expect(t, 200, "")
		// The sandbox issuer reviews at once; an issuer that answers later
		// leaves the record in processing (review code 5) until its event.
		if _, err := h.App.DB.SQL.Exec(`UPDATE kyc_records SET status = 'processing', pokepay_status = 5 WHERE id = $1`, int64(recordID)); err != nil {
			t.Fatal(err)
		}
		if st := kycStatus(t, h, acc); st.UserKYCStatus != "pending" {
			t.Fatalf("before the issuer's review: %v", st)
		}
		deliverIssuerEvent(t, h, "kyc-1", "kyc.review.completed", "", map[string]any{"kyc_ref": recordID, "pokepay_status": 2})
		if st := kycStatus(t, h, acc); st.UserKYCStatus != "verified" {
			t.Fatalf("after the issuer's review: %v", st)
		}

		task := cmInt(t, cmData(t, applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 200, ""))["task_id"])
		deliverIssuerEvent(t, h, "iss-1", "card.issuance.completed", "600000001", map[string]any{"task_ref": fmt.Sprintf("task-%d", task),
			"public_token": "600000001", "masked_pan": "424242******0001", "expiry_date": "2029-02-28 00:00:00"})
		// A repeated completion with another event id changes nothing.
		deliverIssuerEvent(t, h, "iss-2", "card.issuance.completed", "600000002", map[string]any{"task_ref": task,
			"public_token": "600000002", "masked_pan": "424242******0002", "expiry_date": "2029-02-28 00:00:00"})
		h.StartJobs() // the issuance and review jobs now run and find their work done
		d := cmData(t, h.Do(http.MethodGet, fmt.Sprintf("/api/v1/card/apply/progress/%d", task), nil, auth).Expect(t, 200, ""))
		item := d["list"].([]any)[0].(map[string]any)
		if d["status"] != "completed" || item["public_token"] != "600000001" || item["masked_pan"] != "424242******0001" {
			t.Fatalf("progress %v", d)
		}
		waitJobsDone(t, h, "card.issue")
		list := cmData(t, h.Do(http.MethodGet, "/api/v1/card/list", nil, auth).Expect(t, 200, ""))
		if !cmEq(list["total"], "1") {
			t.Fatalf("cards after the jobs ran: %v", list)
		}
		if n := cardNotifications(t, h, acc.ID, "card_issued"); len(n) != 1 {
			t.Fatalf("card_issued notifications %v", n)
		}
	})
}

// TestIssuerIssuanceFailedEvent: a failure reported by event fails the task
// and releases the fee payment for the next application.
func TestIssuerIssuanceFailedEvent(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.NewStopped(t, engine)
		acc := h.Register(t, "async-fail@example.com")
		auth := apptest.Bearer(acc.Access)
		payFee(t, h, acc)
		session, recordID := startKYC(t, h, acc)
		h.Do(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/approve", nil).Expect(t, 200, "")
		if _, err := h.App.DB.SQL.Exec(`UPDATE kyc_records SET status = 'processing', pokepay_status = 5 WHERE id = $1`, int64(recordID)); err != nil {
			t.Fatal(err)
		}
		deliverIssuerEvent(t, h, "kyc-1", "kyc.review.completed", "", map[string]any{"kyc_ref": fmt.Sprint(recordID), "pokepay_status": "2"})
		task := cmInt(t, cmData(t, applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 200, ""))["task_id"])
		deliverIssuerEvent(t, h, "iss-fail", "card.issuance.failed", "", map[string]any{"task_ref": task, "fail_reason": "BIN exhausted"})
		d := cmData(t, h.Do(http.MethodGet, fmt.Sprintf("/api/v1/card/apply/progress/%d", task), nil, auth).Expect(t, 200, ""))
		if d["status"] != "failed" || d["fail_reason"] != "BIN exhausted" {
			t.Fatalf("progress %v", d)
		}
		// The released fee pays for the next application.
		applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 200, "")
		if n := cardNotifications(t, h, acc.ID, "card_issue_failed"); len(n) != 1 {
			t.Fatalf("card_issue_failed notifications %v", n)
		}
	})
}

// waitJobsDone waits until every job of kind has finished.
func waitJobsDone(t *testing.T, h *apptest.Harness, kind string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var open int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = $1 AND state <> 'completed'`, kind).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %s jobs still open", open, kind)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
