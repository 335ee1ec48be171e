package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comecomepay/comecomepay/internal/apptest"
	emailsandbox "github.com/comecomepay/comecomepay/internal/providers/email/sandbox"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

const threeDSSecret = "test-3ds-webhook-secret" // apptest's ThreeDSWebhookSecret

// bioPayload is an issuer BIO challenge in the issuer's exact key casing.
func bioPayload(notificationID, token string, expiry int64) []byte {
	return fmt.Appendf(nil, `{"NotificationId":%q,"DelegateStatus":"Active","Pubtoken":%s,"DelegateMethod":"push-confirmation",`+
		`"FinancialInstitutionId":"7f1c0e1e-8a55-4f0e-9a3b-2f6a8b1d0c11","delegateScaId":"0b5f3c9e-4d1a-4c2b-8e7f-9a6b5c4d3e2f",`+
		`"language":"en","cardScheme":"VISA","CreatedMode":"API","status":1,"Device":{"Channel":"APP","IP":"203.0.113.7","Language":"en"},`+
		`"MerchantInfo":{"ChallengePreference":"01","Country":156,"Id":"M-1","Name":"Example Merchant","RedirectAppUrl":"","Url":"https://m.example"},`+
		`"TransactionInfo":{"Amount":"0.01","Currency":{"Code":"156","Exponent":"2"},"ChallengeExpiresAfter":300,"ChallengeExpiry":%d,`+
		`"ChallengedAt":%d,"Date":%d,"DsTransactionId":"ds-1","Token":"tok-1","ChallengeMethod":"BIO","Channel":"APP",`+
		`"ProtocolVersion":"2.2.0","Type":"01","Install":"","Recur":""}}`, notificationID, token, expiry, expiry-300, expiry-300)
}

func post3DSWebhook(h *apptest.Harness, body []byte, signature string) *apptest.Response {
	return h.Do(http.MethodPost, "/api/v1/webhooks/3ds-callback", body, apptest.Header{Name: "X-Signature", Value: signature})
}

// raised3DS is the data of POST /sandbox/cards/{token}/3ds.
type raised3DS struct {
	NotificationID string `json:"notification_id"`
	RecordID       *int64 `json:"record_id"`
	Passcode       string `json:"passcode"`
}

// raise3DS raises a challenge through the sandbox helper and returns data.
func raise3DS(t *testing.T, h *apptest.Harness, token string, body map[string]any) raised3DS {
	t.Helper()
	res := h.Do(http.MethodPost, "/api/v1/sandbox/cards/"+token+"/3ds", body).Expect(t, 200, "")
	return apptest.Data[raised3DS](t, res)
}

// threeDSRecord is a 3DS record as listed and confirmed.
type threeDSRecord struct {
	ID                 int64   `json:"id"`
	NotificationID     string  `json:"notification_id"`
	PublicToken        string  `json:"public_token"`
	MerchantName       string  `json:"merchant_name"`
	MerchantID         string  `json:"merchant_id"`
	Amount             string  `json:"amount"`
	Currency           string  `json:"currency"`
	Passcode           string  `json:"passcode"`
	ReceivedAt         string  `json:"received_at"`
	ExpiresAfter       int64   `json:"expires_after"`
	AuthMethod         string  `json:"auth_method"`
	ChallengeStatus    string  `json:"challenge_status"`
	ChallengeExpiresAt string  `json:"challenge_expires_at"`
	ConfirmationStatus string  `json:"confirmation_status"`
	ConfirmedAt        *string `json:"confirmed_at"`
}

// threeDSPage is the data of GET /3ds/my-records.
type threeDSPage struct {
	Page       int             `json:"page"`
	PageSize   int             `json:"page_size"`
	Total      int             `json:"total"`
	TotalPages int             `json:"total_pages"`
	Records    []threeDSRecord `json:"records"`
}

func myRecords(t *testing.T, h *apptest.Harness, acc apptest.Account, query string) threeDSPage {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/3ds/my-records"+query, nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	return apptest.Data[threeDSPage](t, res)
}

// recordOf returns the caller's record with a notification id.
func recordOf(t *testing.T, h *apptest.Harness, acc apptest.Account, notificationID string) threeDSRecord {
	t.Helper()
	for _, rec := range myRecords(t, h, acc, "?page_size=100").Records {
		if rec.NotificationID == notificationID {
			return rec
		}
	}
	t.Fatalf("no record %s", notificationID)
	return threeDSRecord{}
}

// confirmed3DS is the answer of PUT /3ds/messages/{id}/confirm.
type confirmed3DS struct {
	apptest.EnvelopeA
	Record struct {
		threeDSRecord
		DelegateMethod  string `json:"delegate_method"`
		DSTransactionID string `json:"ds_transaction_id"`
	} `json:"record"`
}

// confirmedRecord reads the record of a confirmation.
func confirmedRecord(t *testing.T, res *apptest.Response) threeDSRecord {
	t.Helper()
	return apptest.Decode[confirmed3DS](t, res).Record.threeDSRecord
}

func confirm3DS(h *apptest.Harness, acc apptest.Account, notificationID, status string, headers ...apptest.Header) *apptest.Response {
	return h.Do(http.MethodPut, "/api/v1/3ds/messages/"+notificationID+"/confirm", map[string]string{"status": status},
		append(headers, apptest.Bearer(acc.Access))...)
}

// count runs a COUNT query.
func count(t *testing.T, h *apptest.Harness, query string, args ...any) int {
	t.Helper()
	var n int
	if err := h.App.DB.SQL.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitInbox waits until the 3DS event has been processed and returns its state.
func waitInbox(t *testing.T, h *apptest.Harness, key string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var state string
		err := h.App.DB.SQL.QueryRow(`SELECT state FROM webhook_events WHERE provider = '3ds' AND event_key = $1`, key).Scan(&state)
		if err == nil && state != "received" {
			return state
		}
		if time.Now().After(deadline) {
			t.Fatalf("3ds event %s not processed (state %q, %v)", key, state, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestThreeDSWebhook(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "tds-hook@example.com")
		nid := uuid.NewString()
		expiry := h.Clock.Now().Add(5 * time.Minute).Unix()
		body := bioPayload(nid, c.PublicToken, expiry)

		forged := []struct{ name, sig string }{
			{"missing", ""}, {"garbage", "zz"}, {"other secret", webhooksig.SignThreeDS("another-secret", body)},
			{"other body", webhooksig.SignThreeDS(threeDSSecret, append([]byte(" "), body...))},
		}
		for _, tc := range forged {
			post3DSWebhook(h, body, tc.sig).Expect(t, 401, "SIGNATURE_INVALID")
		}
		if n := count(t, h, `SELECT COUNT(*) FROM webhook_events WHERE provider = '3ds'`); n != 0 {
			t.Fatalf("forged deliveries stored: %d", n)
		}
		res := post3DSWebhook(h, body, webhooksig.SignThreeDS(threeDSSecret, body)).Expect(t, 200, "")
		if string(res.Body) != "ok" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("reply %q %q", res.Header.Get("Content-Type"), res.Body)
		}
		if st := waitInbox(t, h, nid); st != "processed" {
			t.Fatalf("state %s", st)
		}
		// Replays are acknowledged and change nothing.
		for range 3 {
			post3DSWebhook(h, body, strings.ToUpper(webhooksig.SignThreeDS(threeDSSecret, body))).Expect(t, 200, "")
		}
		if n := count(t, h, `SELECT COUNT(*) FROM threeds_challenges WHERE notification_id = $1`, nid); n != 1 {
			t.Fatalf("%d records after replays", n)
		}
		if n := count(t, h, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND type LIKE '3ds%'`, acc.ID); n != 1 {
			t.Fatalf("%d notifications after replays", n)
		}
		rec := recordOf(t, h, acc, nid)
		want := threeDSRecord{ID: rec.ID, NotificationID: rec.NotificationID, ReceivedAt: rec.ReceivedAt, // not checked here
			PublicToken: c.PublicToken, MerchantName: "Example Merchant", MerchantID: "M-1", Amount: "0.01",
			Currency: "CNY", Passcode: "", ExpiresAfter: 300, AuthMethod: "BIO", ChallengeStatus: "UNCONFIRMED",
			ConfirmationStatus: "", ConfirmedAt: nil, ChallengeExpiresAt: time.Unix(expiry, 0).UTC().Format(time.RFC3339)}
		if rec != want {
			t.Errorf("record %+v, want %+v", rec, want)
		}
		var typ, data, status string
		if err := h.App.DB.SQL.QueryRow(`SELECT type, data, status FROM notifications WHERE user_id = $1 AND type LIKE '3ds%'`, acc.ID).Scan(&typ, &data, &status); err != nil {
			t.Fatal(err)
		}
		wantData := fmt.Sprintf(`{"type":"3ds_bio_confirmation","auth_method":"BIO","notification_id":"%s","challenge_expiry":%d,`+
			`"amount":"0.01","currency":"CNY","merchant_name":"Example Merchant","public_token":"%s"}`, nid, expiry, c.PublicToken)
		if typ != "3ds_bio_confirmation" || status != "unread" || data != wantData {
			t.Fatalf("notification %s %s %s\nwant data %s", typ, status, data, wantData)
		}
		var raw string
		var appSent bool
		if err := h.App.DB.SQL.QueryRow(`SELECT raw_data, app_notification_sent FROM threeds_challenges WHERE notification_id = $1`, nid).
			Scan(&raw, &appSent); err != nil || !strings.Contains(raw, `"DsTransactionId":"ds-1"`) || !appSent {
			t.Fatalf("raw_data %q app sent %v (%v)", raw, appSent, err)
		}

		// An unknown card is acknowledged and left unmatched; a signed body
		// that is not a challenge is refused and not stored.
		other := uuid.NewString()
		body = bioPayload(other, "999999999", expiry)
		post3DSWebhook(h, body, webhooksig.SignThreeDS(threeDSSecret, body)).Expect(t, 200, "")
		if st := waitInbox(t, h, other); st != "unmatched" {
			t.Fatalf("unknown card: state %s", st)
		}
		for _, bad := range []string{`{"Pubtoken":1}`, `{"NotificationId":"x y","Pubtoken":1}`, `{"NotificationId":"a","Pubtoken":"abc"}`, `[]`, `nope`} {
			post3DSWebhook(h, []byte(bad), webhooksig.SignThreeDS(threeDSSecret, []byte(bad))).Expect(t, 400, "VALIDATION_FAILED")
		}
		if n := count(t, h, `SELECT COUNT(*) FROM webhook_events WHERE provider = '3ds'`); n != 2 {
			t.Fatalf("%d 3ds events stored, want 2", n)
		}
	})
}

func TestThreeDSOTPChallenge(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "tds-otp@example.com")
		d := raise3DS(t, h, c.PublicToken, map[string]any{"auth_method": "OTP", "amount": "12.5", "currency": "USD", "merchant_name": "Coffee"})
		passcode := d.Passcode
		nid := d.NotificationID
		if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(passcode) || d.RecordID == nil {
			t.Fatalf("helper data %+v", d)
		}
		exact := authExact(t, h.Do(http.MethodGet, "/api/v1/3ds/my-records", nil, apptest.Bearer(acc.Access)).Body)
		rec := exact["data"].(map[string]any)["records"].([]any)[0].(map[string]any)
		if _, ok := authJSONInt(rec["id"]); !ok || rec["amount"] != "12.50" || rec["currency"] != "USD" || rec["passcode"] != passcode ||
			rec["challenge_status"] != "OTP_SENT" || rec["auth_method"] != "OTP" || rec["merchant_name"] != "Coffee" {
			t.Fatalf("OTP record %v", rec)
		}
		// The sign-up code's mail may land after the card holder is made,
		// so the challenge's mail is found by its code, not its position.
		var mail emailsandbox.Sent
		for deadline := time.Now().Add(10 * time.Second); mail.OTP != passcode && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			for _, m := range h.App.Outbox.To(acc.Email) {
				if m.OTP == passcode {
					mail = m
				}
			}
		}
		if mail.OTP != passcode || !strings.Contains(mail.Body, passcode) || strings.Contains(mail.Subject, passcode) {
			t.Fatalf("mail %+v", mail)
		}
		var data string
		if err := h.App.DB.SQL.QueryRow(`SELECT data FROM notifications WHERE user_id = $1 AND type = '3ds_otp'`, acc.ID).Scan(&data); err != nil ||
			strings.Contains(data, passcode) || !strings.Contains(data, `"auth_method":"OTP"`) {
			t.Fatalf("3ds_otp notification %q (%v)", data, err)
		}
		// The passcode is sealed at rest, in the record and in the inbox.
		if n := count(t, h, `SELECT COUNT(*) FROM threeds_challenges WHERE raw_data LIKE $1 OR passcode_sealed LIKE $1`, "%"+passcode+"%"); n != 0 {
			t.Fatal("passcode stored in clear in threeds_challenges")
		}
		if n := count(t, h, `SELECT COUNT(*) FROM webhook_events WHERE payload LIKE $1`, "%"+passcode+"%"); n != 0 {
			t.Fatal("passcode stored in clear in the inbox")
		}
		confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 400, "CHALLENGE_NOT_CONFIRMABLE")

		// After expiry the code is no longer shown, and the job ends it.
		h.Clock.Advance(301 * time.Second)
		if rec := recordOf(t, h, acc, nid); rec.Passcode != "" {
			t.Fatalf("passcode shown after expiry: %+v", rec)
		}
		// (The periodic job may have run first; either way the record ends EXPIRED.)
		if n, err := h.App.ThreeDS.Expire(context.Background()); err != nil || n > 1 {
			t.Fatalf("expired %d (%v)", n, err)
		}
		if rec := recordOf(t, h, acc, nid); rec.ChallengeStatus != "EXPIRED" || rec.Passcode != "" {
			t.Fatalf("after the expiry job %+v", rec)
		}
		if log := h.Log.String(); regexp.MustCompile(`(^|[^0-9])` + passcode + `([^0-9]|$)`).MatchString(log) {
			t.Fatal("the passcode appears in the logs")
		}
	})
}
