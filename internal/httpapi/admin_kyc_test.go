package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// adminKYCRecord is a record of the review queue.
type adminKYCRecord struct {
	ID            int64  `json:"id"`
	UserID        int64  `json:"user_id"`
	Status        string `json:"status"`
	FailReason    string `json:"fail_reason"`
	Decidable     bool   `json:"decidable"`
	UserKYCStatus string `json:"user_kyc_status"`
}

func kycNotifications(t *testing.T, h *apptest.Harness, userID int64) []string {
	t.Helper()
	rows, err := h.App.DB.SQL.Query(`SELECT data FROM notifications WHERE user_id = $1 AND type = 'kyc_result' ORDER BY id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		_ = rows.Scan(&d)
		out = append(out, d)
	}
	return out
}

// TestOperatorReviewsKYC: the queue lists records without identity; the
// identity is a separate audited reveal; a rejection and an approval have
// the provider decision's effects (statuses, notifications, the issuer's
// review for an approval); only records under review are decided.
func TestOperatorReviewsKYC(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		op := h.Operator(t, "compliance@ops.example.com", operator.Compliance).Token
		auth := apptest.Bearer(op)
		alice, aliceRec := pendingKYC(t, h, "alice.kyc@example.com")
		bob, bobRec := pendingKYC(t, h, "bob.kyc@example.com")

		res := h.Do(http.MethodGet, "/api/v1/admin/kyc/records?status=pending", nil, auth).Expect(t, 200, "")
		queue := apptest.Data[struct {
			Items []adminKYCRecord `json:"items"`
			Total int              `json:"total"`
		}](t, res)
		if queue.Total != 2 || queue.Items[0].ID != bobRec || queue.Items[1].ID != aliceRec || !queue.Items[0].Decidable {
			t.Fatalf("queue %s", res.Body)
		}
		for _, identity := range []string{"JANE", "WALKER", "98765432", "Harbour"} {
			if strings.Contains(string(res.Body), identity) {
				t.Fatalf("the queue carries %q", identity)
			}
		}
		if q := apptest.Data[struct {
			Total int `json:"total"`
		}](t, h.Do(http.MethodGet, "/api/v1/admin/kyc/records?user_id="+strconv.FormatInt(alice.ID, 10), nil, auth).Expect(t, 200, "")); q.Total != 1 {
			t.Fatalf("user filter: %d records", q.Total)
		}
		h.Do(http.MethodGet, "/api/v1/admin/kyc/records?status=waiting", nil, auth).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodGet, "/api/v1/admin/kyc/records?user_id=x", nil, auth).Expect(t, 400, "VALIDATION_FAILED")
		path := func(id int64) string { return "/api/v1/admin/kyc/records/" + strconv.FormatInt(id, 10) }
		rec := apptest.Data[adminKYCRecord](t, h.Do(http.MethodGet, path(aliceRec), nil, auth).Expect(t, 200, ""))
		if rec.UserID != alice.ID || rec.Status != "pending" || rec.UserKYCStatus != "pending" {
			t.Fatalf("record %+v", rec)
		}
		h.Do(http.MethodGet, path(987654), nil, auth).Expect(t, 404, "NOT_FOUND")

		// The identity: reason required, audited with field names only.
		h.Do(http.MethodPost, path(aliceRec)+"/identity", nil, auth).Expect(t, 400, "VALIDATION_FAILED")
		res = h.Do(http.MethodPost, path(aliceRec)+"/identity", map[string]any{"reason": "name check"}, auth).Expect(t, 200, "")
		if got := apptest.Data[struct {
			RecordID int64 `json:"record_id"`
			Identity struct {
				FirstName string `json:"first_en_name"`
				Address   string `json:"address"`
			} `json:"identity"`
		}](t, res); got.RecordID != aliceRec || got.Identity.FirstName != "JANE" || got.Identity.Address != "8 Harbour Road Wan Chai" {
			t.Fatalf("identity %s", res.Body)
		}
		rows, n, _ := h.App.Audit.List(context.Background(), audit.Filter{Action: "kyc.reveal_identity"}, 1, 0)
		if n != 1 || rows[0].TargetID != strconv.FormatInt(aliceRec, 10) || !strings.Contains(rows[0].After, "kyc.first_en_name") ||
			strings.Contains(rows[0].After, "JANE") || strings.Contains(rows[0].After, "Harbour") {
			t.Fatalf("identity reveal rows %d %+v", n, rows)
		}

		// Bad decisions change nothing.
		for _, body := range []map[string]any{{"decision": "maybe", "reason": "x"}, {"decision": "reject"}, {"reason": "x"}} {
			h.Do(http.MethodPost, path(aliceRec)+"/decision", body, auth).Expect(t, 400, "VALIDATION_FAILED")
		}
		// Reject: the user reads fail_reason, never the operator's reason.
		res = h.Do(http.MethodPost, path(aliceRec)+"/decision", map[string]any{"decision": "reject", "reason": "selfie mismatch",
			"fail_reason": "Please retake the selfie"}, auth).Expect(t, 200, "")
		if got := apptest.Data[adminKYCRecord](t, res); got.Status != "rejected" || got.FailReason != "Please retake the selfie" || got.Decidable {
			t.Fatalf("rejected %s", res.Body)
		}
		st := kycStatus(t, h, alice)
		if st.UserKYCStatus != "rejected" || !st.CanSubmitKYC || strings.Contains(st.Message, "selfie mismatch") {
			t.Fatalf("alice after the rejection: %+v", st)
		}
		if ns := kycNotifications(t, h, alice.ID); len(ns) != 1 || !strings.Contains(ns[0], `"status":"rejected"`) ||
			!strings.Contains(ns[0], "Please retake the selfie") {
			t.Fatalf("alice's kyc_result notifications %q", ns)
		}
		rows, n, _ = h.App.Audit.List(context.Background(), audit.Filter{Action: "kyc."}, 1, 0)
		if n != 2 || rows[0].Action != "kyc.reject" || rows[0].Reason != "selfie mismatch" || !strings.Contains(rows[0].Before, `"pending"`) ||
			!strings.Contains(rows[0].After, `"rejected"`) {
			t.Fatalf("decision row %+v", rows[0])
		}
		h.Do(http.MethodPost, path(aliceRec)+"/decision", map[string]any{"decision": "approve", "reason": "changed my mind"}, auth).
			Expect(t, 400, "INVALID_STATE")
		startKYC(t, h, alice) // a rejected user submits again

		// Approve: the provider's part; the issuer's review then approves.
		res = h.Do(http.MethodPost, path(bobRec)+"/decision", map[string]any{"decision": "approve", "reason": "documents verified by hand"},
			auth).Expect(t, 200, "")
		if got := apptest.Data[adminKYCRecord](t, res); got.Status != "processing" {
			t.Fatalf("approved %s", res.Body)
		}
		deadline := time.Now().Add(10 * time.Second)
		for kycStatus(t, h, bob).UserKYCStatus != "verified" {
			if time.Now().After(deadline) {
				t.Fatalf("the issuer review never approved bob: %+v", kycStatus(t, h, bob))
			}
			time.Sleep(20 * time.Millisecond)
		}
		if ns := kycNotifications(t, h, bob.ID); len(ns) != 1 || !strings.Contains(ns[0], `"status":"approved"`) {
			t.Fatalf("bob's kyc_result notifications %q", ns)
		}
		h.Do(http.MethodPost, path(bobRec)+"/decision", map[string]any{"decision": "reject", "reason": "late"}, auth).Expect(t, 400, "INVALID_STATE")
		h.Do(http.MethodPost, path(987654)+"/decision", map[string]any{"decision": "reject", "reason": "x"}, auth).Expect(t, 404, "NOT_FOUND")
	})
}

// TestOperatorLists3DSRecords: challenges by user and status, never with
// the passcode, for compliance and support.
func TestOperatorLists3DSRecords(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		support := apptest.Bearer(h.Operator(t, "support@ops.example.com", operator.Support).Token)
		alice, card := h.CardHolder(t, "alice.3ds@example.com")
		otp := raise3DS(t, h, card.PublicToken, map[string]any{"auth_method": "OTP", "amount": "12.5", "currency": "USD", "merchant_name": "Coffee"})
		bio := raise3DS(t, h, card.PublicToken, map[string]any{"auth_method": "BIO", "amount": "3", "currency": "USD", "merchant_name": "Books"})
		type record struct {
			NotificationID  string `json:"notification_id"`
			UserID          int64  `json:"user_id"`
			ChallengeStatus string `json:"challenge_status"`
			Amount          string `json:"amount"`
		}
		list := func(query string) ([]record, *apptest.Response) {
			res := h.Do(http.MethodGet, "/api/v1/admin/3ds/records?"+query, nil, support).Expect(t, 200, "")
			return apptest.Data[struct {
				Items []record `json:"items"`
			}](t, res).Items, res
		}
		all, res := list("user_id=" + strconv.FormatInt(alice.ID, 10))
		if len(all) != 2 || all[0].NotificationID != bio.NotificationID || all[1].NotificationID != otp.NotificationID ||
			all[1].Amount != "12.50" || all[1].UserID != alice.ID {
			t.Fatalf("records %s", res.Body)
		}
		if strings.Contains(string(res.Body), otp.Passcode) || strings.Contains(string(res.Body), "passcode") {
			t.Fatalf("an operator sees the passcode: %s", res.Body)
		}
		if sent, _ := list("status=OTP_SENT"); len(sent) != 1 || sent[0].NotificationID != otp.NotificationID {
			t.Fatalf("status filter: %+v", sent)
		}
		if none, _ := list("user_id=987654"); len(none) != 0 {
			t.Fatalf("another user's filter: %+v", none)
		}
		h.Do(http.MethodGet, "/api/v1/admin/3ds/records?status=otp", nil, support).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodGet, "/api/v1/admin/3ds/records?user_id=0", nil, support).Expect(t, 400, "VALIDATION_FAILED")
	})
}
