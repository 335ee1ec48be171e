package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/kyc"
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
		res := h.Do(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/reject", "reason=DOCUMENT_EXPIRED",
			apptest.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
		if res.Status != 200 || !strings.Contains(string(res.Body), "Done") {
			t.Fatalf("form reject %d %s", res.Status, res.Body)
		}
		st := kycStatus(t, h, acc)
		if st.UserKYCStatus != "rejected" || !st.CanSubmitKYC || !strings.Contains(st.Message, "The identity document has expired") {
			t.Fatalf("status after rejection %+v", st)
		}
		if again, _ := startKYC(t, h, acc); again == session {
			t.Fatal("resubmission reused the rejected session")
		}
	})
}

// kycPost sends a provider delivery signed with secret, all four headers
// as Didit sends them.
func kycPost(h *apptest.Harness, ev kyc.ProviderEvent, secret string) *apptest.Response {
	raw, _ := json.Marshal(ev)
	sig, _ := webhooksig.SignKYC(secret, raw)
	return kycPostSigned(h, raw, sig)
}

func kycPostSigned(h *apptest.Harness, raw []byte, sig webhooksig.KYCHeaders) *apptest.Response {
	var headers []apptest.Header
	for name, v := range sig.Map() {
		if v != "" {
			headers = append(headers, apptest.Header{Name: name, Value: v})
		}
	}
	return h.Do(http.MethodPost, "/api/v1/webhooks/kyc", raw, headers...)
}

// kycEvent is a status.updated delivery of a record's session, now.
func kycEvent(session string, record int64, status string) kyc.ProviderEvent {
	return kyc.NewStatusEvent(session, record, status, time.Now())
}

func kycEventStates(t *testing.T, h *apptest.Harness) map[string]int {
	t.Helper()
	rows, err := h.App.DB.SQL.Query(`SELECT state FROM webhook_events WHERE provider = 'kyc'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	states := map[string]int{}
	for rows.Next() {
		var st string
		_ = rows.Scan(&st)
		states[st]++
	}
	return states
}

func TestKYCWebhook(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "kyc-hook@example.com")
		payFee(t, h, acc)
		session, record := startKYC(t, h, acc)
		const secret = "test-kyc-webhook-secret"
		review := kycEvent(session, record, kyc.DiditInReview)
		kycPost(h, review, "forged-secret").Expect(t, 401, "SIGNATURE_INVALID")
		stale := review
		stale.Timestamp = time.Now().Add(-10 * time.Minute).Unix()
		kycPost(h, stale, secret).Expect(t, 401, "SIGNATURE_INVALID")
		noSession := review
		noSession.SessionID = ""
		kycPost(h, noSession, secret).Expect(t, 400, "VALIDATION_FAILED")
		if st := kycStatus(t, h, acc); st.UserKYCStatus != "none" {
			t.Fatalf("a refused webhook changed the status: %v", st)
		}
		for range 3 {
			kycPost(h, review, secret).Expect(t, 200, "") // one event, delivered three times
		}
		kycPost(h, kycEvent("kyc_unknown", 1, kyc.DiditApproved), secret).Expect(t, 200, "")
		wrongRecord := kycEvent(session, record+1000, kyc.DiditApproved)
		kycPost(h, wrongRecord, secret).Expect(t, 200, "")
		dataUpdate := kycEvent(session, record, kyc.DiditApproved)
		dataUpdate.WebhookType = "data.updated"
		kycPost(h, dataUpdate, secret).Expect(t, 200, "")
		processAll(t, h)
		if st := kycStatus(t, h, acc); st.UserKYCStatus != "pending" || st.CanSubmitKYC {
			t.Fatalf("after In Review: %v", st)
		}
		h.Do(http.MethodPost, "/api/v1/didit/initialize-token", kycForm, apptest.Bearer(acc.Access)).Expect(t, 400, "KYC_IN_PROGRESS")
		if states := kycEventStates(t, h); states["processed"] != 1 || states["unmatched"] != 2 || states["ignored"] != 1 || len(states) != 3 {
			t.Fatalf("stored events by state %v: the replays are one event; a foreign session or record is unmatched; data.updated ignored", states)
		}
	})
}

// TestKYCWebhookVerification: the Didit scheme through the handler.
func TestKYCWebhookVerification(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "kyc-verify@example.com")
		payFee(t, h, acc)
		session, record := startKYC(t, h, acc)
		const secret = "test-kyc-webhook-secret"
		event := func(status string) ([]byte, webhooksig.KYCHeaders) {
			ev := kycEvent(session, record, status)
			ev.Decision = &kyc.ProviderDecision{Status: status}
			raw, _ := json.MarshalIndent(ev, "", "  ") // not canonical: raw and V2 differ
			sig, err := webhooksig.SignKYC(secret, raw)
			if err != nil {
				t.Fatal(err)
			}
			return raw, sig
		}
		raw, sig := event(kyc.DiditInProgress)
		simpleOnly := webhooksig.KYCHeaders{Timestamp: sig.Timestamp, SignatureSimple: sig.SignatureSimple}
		kycPostSigned(h, raw, simpleOnly).Expect(t, 401, "SIGNATURE_INVALID")
		mismatch := sig
		mismatch.Timestamp = strconv.FormatInt(time.Now().Unix()+1, 10)
		kycPostSigned(h, raw, mismatch).Expect(t, 401, "SIGNATURE_INVALID")
		kycPostSigned(h, raw, sig).Expect(t, 200, "") // raw
		// A hop re-encoded the body: X-Signature no longer matches, V2 does.
		raw, sig = event(kyc.DiditInReview)
		canonical, _ := webhooksig.CanonicalJSON(raw)
		kycPostSigned(h, canonical, sig).Expect(t, 200, "")
		raw2, sig2 := event(kyc.DiditApproved)
		wrongRaw := sig2
		wrongRaw.Signature = strings.Repeat("0", 64)
		kycPostSigned(h, raw2, wrongRaw).Expect(t, 200, "")
		// Header values are checked, not only present.
		bad := sig2
		bad.Signature, bad.SignatureV2 = sig.SignatureV2, sig.Signature
		kycPostSigned(h, raw2, bad).Expect(t, 401, "SIGNATURE_INVALID")
		if !strings.Contains(h.Log.String(), "kyc webhook rejected") || strings.Contains(h.Log.String(), session) {
			t.Fatal("refusals are logged, without the body")
		}
	})
}

// TestKYCWebhookShuffledReplays: a session's whole history, each delivery
// sent three times, in a different shuffled order for each user, ends in
// the same record state (and one stored event per delivery).
func TestKYCWebhookShuffledReplays(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		const secret = "test-kyc-webhook-secret"
		declined := &kyc.ProviderDecision{IDVerifications: []kyc.Check{{Status: "Declined",
			Warnings: []kyc.Warning{{Risk: "DOCUMENT_EXPIRED", LogType: "error"}}}}}
		for _, tc := range []struct {
			name     string
			statuses []string
			decision *kyc.ProviderDecision
			status   string
			reason   string
		}{
			{"approved", []string{"Not Started", "In Progress", "Awaiting User", "In Progress", "In Review", "Resubmitted", "In Progress",
				"In Review", "Approved"}, nil, "approved", ""},
			{"declined", []string{"Not Started", "In Progress", "In Review", "Declined"}, declined, "rejected",
				"The identity document has expired"},
			{"abandoned", []string{"Not Started", "In Progress", "Abandoned"}, nil, "not_completed", ""},
		} {
			for round := range 3 {
				acc := h.Register(t, fmt.Sprintf("kyc-shuffle-%s-%d@example.com", tc.name, round))
				payFee(t, h, acc)
				session, record := startKYC(t, h, acc)
				var deliveries []kyc.ProviderEvent
				for i, st := range tc.statuses {
					ev := kycEvent(session, record, st)
					ev.Timestamp += int64(i) // Didit's order; the handler must not need it
					if st == kyc.DiditDeclined {
						ev.Decision = tc.decision
					}
					deliveries = append(deliveries, ev, ev, ev)
				}
				rand.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })
				for _, ev := range deliveries {
					kycPost(h, ev, secret).Expect(t, 200, "")
				}
				processAll(t, h)
				rec := waitKYCRecord(t, h, record, kyc.RecordStatus(tc.status))
				if rec.FailReason != tc.reason {
					t.Fatalf("%s round %d: fail_reason %q", tc.name, round, rec.FailReason)
				}
			}
		}
		var events int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM webhook_events WHERE provider = 'kyc'`).Scan(&events); err != nil || events != 3*(9+4+3) {
			t.Fatalf("%d events stored (%v), want one per delivery", events, err)
		}
	})
}

// waitKYCRecord waits for the background jobs (the issuer review) to bring
// a record to want.
func waitKYCRecord(t *testing.T, h *apptest.Harness, id int64, want kyc.RecordStatus) kyc.Record {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec, err := h.App.KYC.Record(context.Background(), h.App.DB.SQL, id)
		if err == nil && rec.Status == want {
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("record %d is %s (%v), want %s", id, rec.Status, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestKYCSandboxPagesAbsentInProduction(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, apptest.Staging())
		h.Do(http.MethodGet, "/api/v1/sandbox/kyc/sessions/kyc_x", nil).Expect(t, 404, "NOT_FOUND")
	})
}
