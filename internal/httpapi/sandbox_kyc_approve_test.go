package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestSandboxKYCApproveOpensASession: POST /sandbox/kyc/approve approves a
// user who never opened a session (API.md §4: "creating one with profile
// data if none"), and one whose last session was rejected; an approved user
// still gets INVALID_STATE.
func TestSandboxKYCApproveOpensASession(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		fresh := h.Register(t, "sbx-kyc-fresh@example.com")
		payFee(t, h, fresh)
		res := h.Do(http.MethodPost, "/api/v1/sandbox/kyc/approve", map[string]any{"email": fresh.Email}).Expect(t, 200, "")
		if d := apptest.Data[kycDecided](t, res); d.Status != "approved" {
			t.Fatalf("approve without a session: %s", res.Body)
		}
		if st := kycStatus(t, h, fresh); st.UserKYCStatus != "verified" {
			t.Fatalf("status after the sandbox approval %v", st)
		}
		h.Do(http.MethodPost, "/api/v1/sandbox/kyc/approve", map[string]any{"email": fresh.Email}).Expect(t, 400, "INVALID_STATE")

		rejected := h.Register(t, "sbx-kyc-rejected@example.com")
		payFee(t, h, rejected)
		session, _ := startKYC(t, h, rejected)
		h.Do(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/reject", map[string]any{"reason": "blurred"}).Expect(t, 200, "")
		res = h.Do(http.MethodPost, "/api/v1/sandbox/kyc/approve", map[string]any{"email": rejected.Email}).Expect(t, 200, "")
		if d := apptest.Data[kycDecided](t, res); d.Status != "approved" {
			t.Fatalf("approve after a rejection: %s", res.Body)
		}
	})
}
