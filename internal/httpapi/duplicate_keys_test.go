package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/providers/custody"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

// TestDuplicateKeysRefused sends bodies that name a member twice: encoding/json
// would keep the last copy ("amount":"1","amount":"50" moves 50), so every
// route refuses them with 400 and nothing happens.
func TestDuplicateKeysRefused(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "dup-alice@example.com"), h.Register(t, "dup-bob@example.com")
		h.Deposit(t, alice, "USDT-TRC20", "100")
		h.SetTxPassword(t, alice)
		auth := apptest.Bearer(alice.Access)
		transfer := func(members string) string {
			return fmt.Sprintf(`{"recipient_uid":%d,"currency":"USDT-TRC20","transaction_password":%q,%s}`, bob.ID, apptest.TxPassword, members)
		}
		for name, body := range map[string]string{
			"plain":   transfer(`"amount":"1","amount":"50"`),
			"escaped": transfer(`"amount":"1","am\u006funt":"50"`),
			"case":    transfer(`"amount":"1","AMOUNT":"50"`),
			"uid":     `{"recipient_uid":1,"recipient_uid":` + fmt.Sprint(bob.ID) + `,"currency":"USDT-TRC20","amount":"1","transaction_password":"` + apptest.TxPassword + `"}`,
		} {
			h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", body, auth).Expect(t, 400, "VALIDATION_FAILED")
			_ = name
		}
		if a, b := balanceOf(t, h, alice, "USDT-TRC20"), balanceOf(t, h, bob, "USDT-TRC20"); a != "100" || b != "0" {
			t.Fatalf("balances after refused transfers: alice %s, bob %s (want 100 and 0)", a, b)
		}

		// Other routes and envelopes: a public auth route, a nested object,
		// a route that reads its raw body itself.
		h.Do(http.MethodPost, "/api/v1/auth/signup", `{"email":"dup-x@example.com","email":"dup-y@example.com"}`).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPost, "/api/v1/wallet/swap/preview", `{"from_currency":"USDT-TRC20","to_currency":"HKD","amount":"1","amount":"2"}`, auth).
			Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPut, "/api/v1/user/profile", `{"nickname":"a","address":{"city":"x","city":"y"}}`, auth).Expect(t, 400, "VALIDATION_FAILED")

		// Signed provider bodies: the signature is valid, the body still
		// names a member twice.
		addr := walletOf(t, h, bob).Balances[0].Address
		event := fmt.Sprintf(`{"tradeId":"dup-1","tradeType":1,"address":%q,"mainCoinType":"195","coinType":"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t","amount":"1000000","amount":"50000000","fee":"0","decimals":6,"status":3,"txId":"0xdup1","blockHigh":"10"}`, addr)
		nonce, ts := "n0nce", "1767225600"
		form := url.Values{"body": {event}, "nonce": {nonce}, "timestamp": {ts}, "sign": {custody.NewSigner("test-custody-api-key").Sign(event, nonce, ts)}}
		formType := apptest.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}
		if res := h.Do(http.MethodPost, "/api/v1/webhooks/custody", form.Encode(), formType); res.Status != 400 {
			t.Errorf("custody event with a duplicated member: %d %s", res.Status, res.Body)
		}
		// A repeated form field: which copy counts would be the parser's choice.
		repeated := form.Encode() + "&" + url.Values{"body": {strings.Replace(event, `"amount":"1000000",`, "", 1)}}.Encode()
		if res := h.Do(http.MethodPost, "/api/v1/webhooks/custody", repeated, formType); res.Status != 400 {
			t.Errorf("custody form with a repeated field: %d %s", res.Status, res.Body)
		}
		processAll(t, h)
		if b := balanceOf(t, h, bob, "USDT-TRC20"); b != "0" {
			t.Fatalf("bob credited %s by a refused custody callback", b)
		}
		issuerEvent := []byte(`{"event_id":"dup-ev","event_type":"card.status.changed","event_type":"card.issuance.failed","data":{}}`)
		h.Do(http.MethodPost, "/api/v1/webhooks/issuer", issuerEvent,
			apptest.Header{Name: "X-Issuer-Signature", Value: webhooksig.SignIssuerEvent("test-issuer-webhook-secret", time.Now(), issuerEvent)}).
			Expect(t, 400, "VALIDATION_FAILED")
		verifyLedger(t, h)
	})
}
