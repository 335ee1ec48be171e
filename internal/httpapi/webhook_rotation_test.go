package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/providers/custody"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// The keys a provider used before the rotation now under way.
const (
	rotCustodyPrevious = "previous-custody-api-key-0123456789"
	rotKYCPrevious     = "previous-kyc-webhook-secret-0123456789"
	rotIssuerPrevious  = "previous-issuer-webhook-secret-0123456789"
	rotThreeDSPrevious = "previous-3ds-webhook-secret-0123456789"
	rotUnknown         = "a-key-this-service-never-had-0123456789"
)

func withPreviousSecrets(c *config.Config) {
	c.CustodyPreviousAPIKey = rotCustodyPrevious
	c.KYCWebhookPreviousSecret = rotKYCPrevious
	c.IssuerWebhookPreviousSecret = rotIssuerPrevious
	c.ThreeDSWebhookPreviousSecret = rotThreeDSPrevious
}

// TestWebhookSecretRotation: during a rotation every inbound webhook takes
// the current and the previous key of its provider, and nothing else.
func TestWebhookSecretRotation(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, withPreviousSecrets)
		t.Run("custody", func(t *testing.T) {
			post := func(key, tradeID string) *apptest.Response {
				body, _ := json.Marshal(depositEvent(tradeID, "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8", 3, "1000000"))
				nonce, ts := "n0nce", "1767225600"
				form := url.Values{"body": {string(body)}, "nonce": {nonce}, "timestamp": {ts},
					"sign": {custody.NewSigner(key).Sign(string(body), nonce, ts)}}
				return h.Do(http.MethodPost, "/api/v1/webhooks/custody", form.Encode(),
					apptest.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
			}
			post("test-custody-api-key", "rot-current").Expect(t, 200, "")
			post(rotCustodyPrevious, "rot-previous").Expect(t, 200, "")
			post(rotUnknown, "rot-unknown").Expect(t, 401, "")
		})
		t.Run("issuer", func(t *testing.T) {
			post := func(key, id string) *apptest.Response {
				body := cmEvent(id, "card.transaction.authorized", "pt_none", time.Now(), map[string]any{"trade_id": 1})
				return h.Do(http.MethodPost, "/api/v1/webhooks/issuer", body,
					apptest.Header{Name: "X-Issuer-Signature", Value: webhooksig.SignIssuerEvent(key, time.Now(), body)})
			}
			post(cmIssuerKey, "rot-current").Expect(t, 200, "")
			post(rotIssuerPrevious, "rot-previous").Expect(t, 200, "")
			post(rotUnknown, "rot-unknown").Expect(t, 401, "SIGNATURE_INVALID")
		})
		t.Run("3ds", func(t *testing.T) {
			expiry := time.Now().Add(5 * time.Minute).Unix()
			post := func(key, id string) *apptest.Response {
				body := bioPayload(id, "987654321", expiry)
				return post3DSWebhook(h, body, webhooksig.SignThreeDS(key, body))
			}
			post(threeDSSecret, "rot-current").Expect(t, 200, "")
			post(rotThreeDSPrevious, "rot-previous").Expect(t, 200, "")
			post(rotUnknown, "rot-unknown").Expect(t, 401, "SIGNATURE_INVALID")
		})
		t.Run("kyc", func(t *testing.T) {
			post := func(key, session string) *apptest.Response {
				return kycPost(h, kycEvent(session, 1, "In Review"), key)
			}
			post("test-kyc-webhook-secret", "kyc_rot_current").Expect(t, 200, "")
			post(rotKYCPrevious, "kyc_rot_previous").Expect(t, 200, "")
			post(rotUnknown, "kyc_rot_unknown").Expect(t, 401, "SIGNATURE_INVALID")
			// The canonical signature (V2) takes the previous key too.
			raw, _ := json.MarshalIndent(kycEvent("kyc_rot_previous_v2", 1, "In Review"), "", " ")
			sig, _ := webhooksig.SignKYC(rotKYCPrevious, raw)
			sig.Signature = ""
			canonical, _ := webhooksig.CanonicalJSON(raw)
			kycPostSigned(h, canonical, sig).Expect(t, 200, "")
		})
	})
}
