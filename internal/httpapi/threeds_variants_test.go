package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

// threddVariant builds one of Thredd's three delegated-authentication
// notifications in PascalCase or camelCase keys, as issuers forward them.
func threddVariant(variant string, camel bool, nid, token string, expiry int64) []byte {
	k := func(pascal, camelKey string) string {
		if camel {
			return camelKey
		}
		return pascal
	}
	switch variant {
	case "cancel":
		return fmt.Appendf(nil, `{%q:"DelegateSCACancelNotification",%q:%q,%q:%s,%q:"Cancelled"}`,
			k("NotificationType", "notificationType"), k("NotificationId", "notificationId"), nid, k("Pubtoken", "pubtoken"), token,
			k("DelegateStatus", "delegateStatus"))
	case "otp":
		return fmt.Appendf(nil, `{%q:%q,%q:"Active",%q:%s,%q:"sms-otp",%q:"482913",`+
			`%q:{%q:"Shop OTP","Id":"M-2"},%q:{%q:"12.5",%q:{%q:"344",%q:"2"},%q:%d}}`,
			k("NotificationId", "notificationId"), nid, k("DelegateStatus", "delegateStatus"), k("Pubtoken", "pubtoken"), token,
			k("DelegateMethod", "delegateMethod"), k("Passcode", "passcode"),
			k("MerchantInfo", "merchantInfo"), k("Name", "name"), k("TransactionInfo", "transactionInfo"), k("Amount", "amount"),
			k("Currency", "currency"), k("Code", "code"), k("Exponent", "exponent"), k("ChallengeExpiry", "challengeExpiry"), expiry)
	default: // bio
		return fmt.Appendf(nil, `{%q:%q,%q:"Active",%q:%s,%q:"push-confirmation",`+
			`%q:{%q:"Shop BIO"},%q:{%q:"0.01",%q:{%q:"156",%q:"2"},%q:%d}}`,
			k("NotificationId", "notificationId"), nid, k("DelegateStatus", "delegateStatus"), k("Pubtoken", "pubtoken"), token,
			k("DelegateMethod", "delegateMethod"), k("MerchantInfo", "merchantInfo"), k("Name", "name"),
			k("TransactionInfo", "transactionInfo"), k("Amount", "amount"), k("Currency", "currency"), k("Code", "code"),
			k("Exponent", "exponent"), k("ChallengeExpiry", "challengeExpiry"), expiry)
	}
}

// TestThreeDSVariants: the BIO, OTP and cancel notifications are read in
// either key casing; a cancellation ends the live challenge it names
// (EXPIRED, passcode gone, delegate status Cancelled) and is stored under
// its own inbox key, so it is not taken for a repeat of the challenge.
func TestThreeDSVariants(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "tds-variants@example.com")
		post := func(body []byte) {
			t.Helper()
			post3DSWebhook(h, body, webhooksig.SignThreeDS(threeDSSecret, body)).Expect(t, 200, "")
		}
		for _, camel := range []bool{false, true} {
			t.Run(fmt.Sprintf("camelCase=%v", camel), func(t *testing.T) {
				expiry := h.Clock.Now().Add(5 * time.Minute).Unix()

				bio := uuid.NewString()
				post(threddVariant("bio", camel, bio, c.PublicToken, expiry))
				waitInbox(t, h, bio)
				if r := recordOf(t, h, acc, bio); r.AuthMethod != "BIO" || r.ChallengeStatus != "UNCONFIRMED" || r.MerchantName != "Shop BIO" ||
					r.Amount != "0.01" || r.Currency != "CNY" {
					t.Fatalf("BIO record %+v", r)
				}

				otp := uuid.NewString()
				post(threddVariant("otp", camel, otp, c.PublicToken, expiry))
				waitInbox(t, h, otp)
				if r := recordOf(t, h, acc, otp); r.AuthMethod != "OTP" || r.ChallengeStatus != "OTP_SENT" || r.Passcode != "482913" ||
					r.Amount != "12.50" || r.Currency != "HKD" {
					t.Fatalf("OTP record %+v", r)
				}

				for _, nid := range []string{bio, otp} {
					post(threddVariant("cancel", camel, nid, c.PublicToken, expiry))
					if st := waitInbox(t, h, nid+":cancel"); st != "processed" {
						t.Fatalf("cancel of %s: %s", nid, st)
					}
					r := recordOf(t, h, acc, nid)
					if r.ChallengeStatus != "EXPIRED" || r.Passcode != "" {
						t.Fatalf("cancelled record %+v", r)
					}
					if n := count(t, h, `SELECT COUNT(*) FROM threeds_challenges WHERE notification_id = $1 AND delegate_status = 'Cancelled'`,
						nid); n != 1 {
						t.Fatalf("delegate status of %s not Cancelled", nid)
					}
				}
				// A cancellation of a challenge never received is kept for
				// operators.
				ghost := uuid.NewString()
				post(threddVariant("cancel", camel, ghost, c.PublicToken, expiry))
				if st := waitInbox(t, h, ghost+":cancel"); st != "unmatched" {
					t.Fatalf("cancel of an unknown challenge: %s", st)
				}
			})
		}
	})
}
