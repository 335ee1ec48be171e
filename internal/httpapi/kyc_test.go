package httpapi_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

var kycForm = map[string]string{"first_en_name": "JOHN", "last_en_name": "DOE", "bill_country_code": "hk", "area_code": "+852",
	"phone": "91234567", "address": "1 Queen's Road Central", "city": "Hong Kong", "post_code": "000000"}

// payFee deposits and pays the virtual card fee.
func payFee(t *testing.T, h *apptest.Harness, acc apptest.Account) {
	t.Helper()
	h.Deposit(t, acc, "USDT-TRC20", "5")
	ref := apptest.Decode[apptest.FeePayment](t, createPayment(h, acc, "virtual").Expect(t, 200, "")).Payment.TransactionRef
	completePayment(h, acc, ref, "USDT-TRC20").Expect(t, 200, "")
}

func startKYC(t *testing.T, h *apptest.Harness, acc apptest.Account) (sessionID string, recordID float64) {
	t.Helper()
	res := h.Do(http.MethodPost, "/api/v1/didit/initialize-token", kycForm, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	token := res.JSON["didit_token"].(map[string]any)
	data := token["data"].(map[string]any)
	if token["code"] != float64(200) || !strings.Contains(data["url"].(string), "/api/v1/sandbox/kyc/sessions/") ||
		res.JSON["verification_id"] != data["session_id"] {
		t.Fatalf("initialize-token %s", res.Body)
	}
	return data["session_id"].(string), res.JSON["user_kyc_id"].(float64)
}

func kycStatus(t *testing.T, h *apptest.Harness, acc apptest.Account) map[string]any {
	t.Helper()
	return h.Do(http.MethodGet, "/api/v1/didit/status", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "").JSON
}

func TestKYCJourney(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "kyc-journey@example.com")
		auth := apptest.Bearer(acc.Access)
		if st := kycStatus(t, h, acc); st["user_kyc_status"] != "none" || st["can_submit_kyc"] != true || st["latest_kyc"] != nil {
			t.Fatalf("status before KYC %v", st)
		}
		h.Do(http.MethodPost, "/api/v1/didit/initialize-token", kycForm, auth).Expect(t, 402, "CARD_FEE_UNPAID")
		payFee(t, h, acc)
		for field, bad := range map[string]string{"first_en_name": "john", "phone": "12ab", "area_code": "12345", "bill_country_code": "HKG"} {
			form := map[string]string{}
			for k, v := range kycForm {
				form[k] = v
			}
			form[field] = bad
			res := h.Do(http.MethodPost, "/api/v1/didit/initialize-token", form, auth).Expect(t, 400, "VALIDATION_FAILED")
			if _, ok := res.JSON["fields"].(map[string]any)[field]; !ok {
				t.Errorf("%s=%q: fields %v", field, bad, res.JSON["fields"])
			}
		}
		session, record := startKYC(t, h, acc)
		if again, _ := startKYC(t, h, acc); again != session {
			t.Fatalf("a live session was not resumed: %s vs %s", again, session)
		}
		profile := h.Do(http.MethodGet, "/api/v1/user/profile", nil, auth).Expect(t, 200, "").JSON["user"].(map[string]any)
		if profile["first_name"] != "JOHN" || profile["area_code"] != "852" || profile["bill_country_code"] != "HK" {
			t.Fatalf("KYC form not copied to the profile: %v", profile)
		}
		page := h.Do(http.MethodGet, "/api/v1/sandbox/kyc/sessions/"+session, nil)
		if page.Status != 200 || !strings.Contains(string(page.Body), "JOHN DOE") || !strings.Contains(string(page.Body), "Approve") {
			t.Fatalf("sandbox page %d %s", page.Status, page.Body)
		}
		if res := h.Do(http.MethodGet, "/api/v1/sandbox/kyc/sessions/kyc_nope", nil); res.Status != 404 {
			t.Fatalf("unknown session page: %d", res.Status)
		}
		res := h.Do(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/approve", nil).Expect(t, 200, "")
		if d := res.JSON["data"].(map[string]any); d["status"] != "approved" || d["user_kyc_id"] != record {
			t.Fatalf("approve %s", res.Body)
		}
		st := kycStatus(t, h, acc)
		latest := st["latest_kyc"].(map[string]any)
		if st["user_kyc_status"] != "verified" || st["can_submit_kyc"] != false || latest["pokepay_status"] != float64(2) {
			t.Fatalf("status after approval %v", st)
		}
		profile = h.Do(http.MethodGet, "/api/v1/user/profile", nil, auth).Expect(t, 200, "").JSON["user"].(map[string]any)
		if profile["kyc_status"] != "verified" || profile["kyc_level"] != float64(1) {
			t.Fatalf("profile after approval %v", profile)
		}
		h.Do(http.MethodPost, "/api/v1/didit/initialize-token", kycForm, auth).Expect(t, 400, "KYC_ALREADY_APPROVED")
		other := h.Register(t, "kyc-other@example.com")
		if st := kycStatus(t, h, other); st["latest_kyc"] != nil {
			t.Fatalf("another user sees a KYC record: %v", st)
		}
	})
}

func TestKYCRejectionThroughThePage(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "kyc-reject@example.com")
		payFee(t, h, acc)
		session, _ := startKYC(t, h, acc)
		res := h.Do(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/reject", "reason=Photo+too+dark",
			apptest.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
		if res.Status != 200 || !strings.Contains(string(res.Body), "Done") {
			t.Fatalf("form reject %d %s", res.Status, res.Body)
		}
		st := kycStatus(t, h, acc)
		if st["user_kyc_status"] != "rejected" || st["can_submit_kyc"] != true || !strings.Contains(st["message"].(string), "Photo too dark") {
			t.Fatalf("status after rejection %v", st)
		}
		if again, _ := startKYC(t, h, acc); again == session {
			t.Fatal("resubmission reused the rejected session")
		}
	})
}

// kycPost sends a provider decision, signed unless forged.
func kycPost(h *apptest.Harness, body map[string]any, secret string, at time.Time) *apptest.Response {
	raw, _ := json.Marshal(body)
	ts, signature := webhooksig.SignKYC(secret, at, raw)
	return h.Do(http.MethodPost, "/api/v1/webhooks/kyc", raw,
		apptest.Header{Name: "X-Signature", Value: signature}, apptest.Header{Name: "X-Timestamp", Value: ts})
}

func TestKYCWebhook(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "kyc-hook@example.com")
		payFee(t, h, acc)
		session, _ := startKYC(t, h, acc)
		const secret = "test-kyc-webhook-secret"
		review := map[string]any{"session_id": session, "status": "In Review"}
		kycPost(h, review, "forged-secret", time.Now()).Expect(t, 401, "SIGNATURE_INVALID")
		kycPost(h, review, secret, time.Now().Add(-10*time.Minute)).Expect(t, 401, "SIGNATURE_INVALID")
		kycPost(h, map[string]any{"status": "Approved"}, secret, time.Now()).Expect(t, 400, "VALIDATION_FAILED")
		if st := kycStatus(t, h, acc); st["user_kyc_status"] != "none" {
			t.Fatalf("a refused webhook changed the status: %v", st)
		}
		for range 3 {
			kycPost(h, review, secret, time.Now()).Expect(t, 200, "")
		}
		kycPost(h, map[string]any{"session_id": "kyc_unknown", "status": "Approved"}, secret, time.Now()).Expect(t, 200, "")
		processAll(t, h)
		if st := kycStatus(t, h, acc); st["user_kyc_status"] != "pending" || st["can_submit_kyc"] != false {
			t.Fatalf("after In Review: %v", st)
		}
		h.Do(http.MethodPost, "/api/v1/didit/initialize-token", kycForm, apptest.Bearer(acc.Access)).Expect(t, 400, "KYC_IN_PROGRESS")
		var events int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM webhook_events WHERE provider = 'kyc'`).Scan(&events); err != nil || events != 2 {
			t.Fatalf("%d kyc events stored (err %v), want 2: the replays are one event", events, err)
		}
	})
}

// TestKYCSandboxPagesAbsentInProduction: outside sandbox mode (staging here,
// production's routing on the simulators) the hosted KYC page is not served.
// TestKYCWebhookReplayWithNewTimestamp: the timestamp is signed, so a
// captured delivery replayed under a fresh X-Timestamp is refused, as are a
// timestamp written another way and a signature of the bare body (the
// scheme before the timestamp was signed).
func TestKYCWebhookReplayWithNewTimestamp(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "kyc-replay@example.com")
		payFee(t, h, acc)
		session, _ := startKYC(t, h, acc)
		const secret = "test-kyc-webhook-secret"
		raw, _ := json.Marshal(map[string]any{"session_id": session, "status": "Declined"})
		post := func(ts, signature string) *apptest.Response {
			return h.Do(http.MethodPost, "/api/v1/webhooks/kyc", raw,
				apptest.Header{Name: "X-Signature", Value: signature}, apptest.Header{Name: "X-Timestamp", Value: ts})
		}
		now := time.Now()
		_, captured := webhooksig.SignKYC(secret, now.Add(-10*time.Minute), raw) // delivered ten minutes ago
		post(strconv.FormatInt(now.Unix(), 10), captured).Expect(t, 401, "SIGNATURE_INVALID")
		ts, fresh := webhooksig.SignKYC(secret, now, raw)
		post("0"+ts, fresh).Expect(t, 401, "SIGNATURE_INVALID")
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(raw)
		post(ts, hex.EncodeToString(m.Sum(nil))).Expect(t, 401, "SIGNATURE_INVALID")
		if st := kycStatus(t, h, acc); st["user_kyc_status"] != "none" {
			t.Fatalf("a refused replay changed the status: %v", st)
		}
		post(ts, fresh).Expect(t, 200, "")
	})
}

func TestKYCSandboxPagesAbsentInProduction(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, apptest.Staging())
		h.Do(http.MethodGet, "/api/v1/sandbox/kyc/sessions/kyc_x", nil).Expect(t, 404, "NOT_FOUND")
	})
}
