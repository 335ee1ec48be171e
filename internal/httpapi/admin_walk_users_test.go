package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// Examples of the users, KYC review and 3DS routes for the admin walk.
var (
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/users/{id}/personal-data", Role: operator.Compliance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/users/" + strconv.FormatInt(env.user.ID, 10) + "/personal-data",
				map[string]any{"reason": "customer called about a card delivery"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/users/{id}/limits", Role: operator.Compliance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/users/" + strconv.FormatInt(env.user.ID, 10) + "/limits",
				map[string]any{"max_cards": 3, "withdrawal_daily_limit": 1000, "withdrawal_monthly_limit": 5000, "reason": "risk review"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/users/{id}/fee-exemption", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/users/" + strconv.FormatInt(env.user.ID, 10) + "/fee-exemption",
				map[string]any{"card_fee": true, "withdrawal_fee": false, "reason": "partner programme"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/kyc/records/{id}/identity", Role: operator.Compliance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			_, record := env.pendingKYC(t)
			return "/api/v1/admin/kyc/records/" + strconv.FormatInt(record, 10) + "/identity", map[string]any{"reason": "document check"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/kyc/records/{id}/decision", Role: operator.Compliance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			_, record := env.pendingKYC(t)
			return "/api/v1/admin/kyc/records/" + strconv.FormatInt(record, 10) + "/decision",
				map[string]any{"decision": "reject", "reason": "selfie does not match", "fail_reason": "Please retake the selfie"}
		}})
)

// kycIdentityForm is the identity the KYC examples submit; its values must
// never reach an audit row.
var kycIdentityForm = map[string]string{"first_en_name": "JANE", "last_en_name": "WALKER", "bill_country_code": "hk",
	"area_code": "+852", "phone": "98765432", "address": "8 Harbour Road Wan Chai", "city": "Hong Kong", "post_code": "000000"}

// pendingKYC registers a new user whose KYC record the provider has put
// under review (pending), and returns the user and the record.
func (env *adminEnv) pendingKYC(t *testing.T) (apptest.Account, int64) {
	t.Helper()
	env.walkSeq++
	env.personal = append(env.personal, "98765432", "Harbour Road", "WALKER")
	return pendingKYC(t, env.h, "walk-kyc-"+strconv.Itoa(env.walkSeq)+"@example.com")
}

// pendingKYC registers email, pays the card fee, submits kycIdentityForm
// and has the provider put it "In Review".
func pendingKYC(t *testing.T, h *apptest.Harness, email string) (apptest.Account, int64) {
	t.Helper()
	acc := h.Register(t, email)
	payFee(t, h, acc)
	res := h.Do(http.MethodPost, "/api/v1/didit/initialize-token", kycIdentityForm, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	b := apptest.Decode[struct {
		UserKYCID      int64  `json:"user_kyc_id"`
		VerificationID string `json:"verification_id"`
	}](t, res)
	kycPost(h, kycEvent(b.VerificationID, b.UserKYCID, "In Review"), "test-kyc-webhook-secret").Expect(t, 200, "")
	processAll(t, h)
	if st := kycStatus(t, h, acc); st.UserKYCStatus != "pending" {
		t.Fatalf("KYC of %s not pending after In Review: %+v", email, st)
	}
	return acc, b.UserKYCID
}
