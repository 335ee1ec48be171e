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

func startKYC(t *testing.T, h *apptest.Harness, acc apptest.Account) (sessionID string, recordID int64) {
	t.Helper()
	res := h.Do(http.MethodPost, "/api/v1/didit/initialize-token", kycForm, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	b := apptest.Decode[struct {
		DiditToken apptest.EnvelopeC[struct {
			SessionID string `json:"session_id"`
			URL       string `json:"url"`
		}] `json:"didit_token"`
		UserKYCID      int64  `json:"user_kyc_id"`
		VerificationID string `json:"verification_id"`
	}](t, res)
	data := b.DiditToken.Data
	if b.DiditToken.Code != 200 || !strings.Contains(data.URL, "/api/v1/sandbox/kyc/sessions/") ||
		b.VerificationID != data.SessionID {
		t.Fatalf("initialize-token %s", res.Body)
	}
	return data.SessionID, b.UserKYCID
}

// kycDecided is the data of a sandbox KYC decision.
type kycDecided struct {
	UserKYCID int64  `json:"user_kyc_id"`
	Status    string `json:"status"`
}

// kycStatusView is the answer of GET /didit/status.
type kycStatusView struct {
	Message       string `json:"message"`
	UserKYCStatus string `json:"user_kyc_status"`
	CanSubmitKYC  bool   `json:"can_submit_kyc"`
	LatestKYC     *struct {
		PokepayStatus int `json:"pokepay_status"`
	} `json:"latest_kyc"`
}

func kycStatus(t *testing.T, h *apptest.Harness, acc apptest.Account) kycStatusView {
	t.Helper()
	return apptest.Decode[kycStatusView](t, h.Do(http.MethodGet, "/api/v1/didit/status", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
}

// profileUser is the user object of GET /user/profile (the fields the
// tests read).
type profileUser struct {
	ID              int64  `json:"id"`
	Email           string `json:"email"`
	FirstName       string `json:"first_name"`
	AreaCode        string `json:"area_code"`
	BillCountryCode string `json:"bill_country_code"`
	KYCStatus       string `json:"kyc_status"`
	KYCLevel        int    `json:"kyc_level"`
	Status          string `json:"status"`
}

func profileOf(t *testing.T, res *apptest.Response) profileUser {
	t.Helper()
	return apptest.Decode[struct {
		User profileUser `json:"user"`
	}](t, res).User
}

func TestKYCJourney(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "kyc-journey@example.com")
		auth := apptest.Bearer(acc.Access)
		if st := kycStatus(t, h, acc); st.UserKYCStatus != "none" || !st.CanSubmitKYC || st.LatestKYC != nil {
			t.Fatalf("status before KYC %+v", st)
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
			if fields := apptest.Decode[apptest.ErrorBody](t, res).Fields; fields[field] == "" {
				t.Errorf("%s=%q: fields %v", field, bad, fields)
			}
		}
		session, record := startKYC(t, h, acc)
		if again, _ := startKYC(t, h, acc); again != session {
			t.Fatalf("a live session was not resumed: %s vs %s", again, session)
		}
		profile := profileOf(t, h.Do(http.MethodGet, "/api/v1/user/profile", nil, auth).Expect(t, 200, ""))
		if profile.FirstName != "JOHN" || profile.AreaCode != "852" || profile.BillCountryCode != "HK" {
			t.Fatalf("KYC form not copied to the profile: %+v", profile)
		}
		page := h.Do(http.MethodGet, "/api/v1/sandbox/kyc/sessions/"+session, nil)
		if page.Status != 200 || !strings.Contains(string(page.Body), "JOHN DOE") || !strings.Contains(string(page.Body), "Approve") {
			t.Fatalf("sandbox page %d %s", page.Status, page.Body)
		}
		if res := h.Do(http.MethodGet, "/api/v1/sandbox/kyc/sessions/kyc_nope", nil); res.Status != 404 {
			t.Fatalf("unknown session page: %d", res.Status)
		}
		res := h.Do(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/approve", nil).Expect(t, 200, "")
		if d := apptest.Data[kycDecided](t, res); d.Status != "approved" || d.UserKYCID != record {
			t.Fatalf("approve %s", res.Body)
		}
		st := kycStatus(t, h, acc)
		if st.UserKYCStatus != "verified" || st.CanSubmitKYC || st.LatestKYC == nil || st.LatestKYC.PokepayStatus != 2 {
			t.Fatalf("status after approval %+v", st)
		}
		profile = profileOf(t, h.Do(http.MethodGet, "/api/v1/user/profile", nil, auth).Expect(t, 200, ""))
		if profile.KYCStatus != "verified" || profile.KYCLevel != 1 {
			t.Fatalf("profile after approval %+v", profile)
		}
		h.Do(http.MethodPost, "/api/v1/didit/initialize-token", kycForm, auth).Expect(t, 400, "KYC_ALREADY_APPROVED")
		other := h.Register(t, "kyc-other@example.com")
		if st := kycStatus(t, h, other); st.LatestKYC != nil {
			t.Fatalf("another user sees a KYC record: %+v", st)
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
		if st.UserKYCStatus != "rejected" || !st.CanSubmitKYC || !strings.Contains(st.Message, "Photo too dark") {
			t.Fatalf("status after rejection %+v", st)
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
		if st := kycStatus(t, h, acc); st.UserKYCStatus != "none" {
			t.Fatalf("a refused webhook changed the status: %v", st)
		}
		for range 3 {
			kycPost(h, review, secret, time.Now()).Expect(t, 200, "")
		}
		kycPost(h, map[string]any{"session_id": "kyc_unknown", "status": "Approved"}, secret, time.Now()).Expect(t, 200, "")
		processAll(t, h)
		if st := kycStatus(t, h, acc); st.UserKYCStatus != "pending" || st.CanSubmitKYC {
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
		if st := kycStatus(t, h, acc); st.UserKYCStatus != "none" {
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
