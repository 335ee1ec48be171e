package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/operator"
)

var (
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/users/{id}/freeze", Role: operator.Compliance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/users/" + strconv.FormatInt(env.user.ID, 10) + "/freeze", map[string]any{"reason": "chargeback review"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/users/{id}/unfreeze", Role: operator.Compliance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/users/" + strconv.FormatInt(env.user.ID, 10) + "/unfreeze", map[string]any{"reason": "review closed"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/users/{id}/revoke-sessions", Role: operator.SuperAdmin,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/users/" + strconv.FormatInt(env.user.ID, 10) + "/revoke-sessions", map[string]any{"reason": "lost phone"}
		}})
)

// TestOperatorFreezesAndSignsOutAUser: a frozen user reads but cannot move
// money; unfreezing restores it; revoking sessions ends the user's tokens
// at once.
func TestOperatorFreezesAndSignsOutAUser(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		op := h.Operator(t, "compliance@ops.example.com", operator.Compliance)
		alice, bob := h.Register(t, "alice@example.com"), h.Register(t, "bob@example.com")
		h.SetTxPassword(t, alice)
		h.Deposit(t, alice, "USDT-TRC20", "50")
		path := "/api/v1/admin/users/" + strconv.FormatInt(alice.ID, 10)
		transfer := func() *apptest.Response {
			return h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": bob.ID,
				"currency": "USDT-TRC20", "amount": "1", "transaction_password": apptest.TxPassword}, apptest.Bearer(alice.Access))
		}
		h.Do(http.MethodPost, path+"/freeze", map[string]any{}, apptest.Bearer(op.Token)).Expect(t, 400, "VALIDATION_FAILED")
		res := h.Do(http.MethodPost, path+"/freeze", map[string]any{"reason": "fraud report"}, apptest.Bearer(op.Token)).Expect(t, 200, "")
		if got := apptest.Data[struct {
			Status string `json:"status"`
		}](t, res); got.Status != "frozen" {
			t.Fatalf("after freeze: %s", res.Body)
		}
		h.Do(http.MethodGet, "/api/v1/user/profile", nil, apptest.Bearer(alice.Access)).Expect(t, 200, "")
		transfer().Expect(t, 403, "ACCOUNT_FROZEN")
		h.Do(http.MethodPost, path+"/unfreeze", nil, apptest.Bearer(op.Token)).Expect(t, 200, "")
		transfer().Expect(t, 200, "")

		h.Do(http.MethodPost, path+"/revoke-sessions", nil, apptest.Bearer(op.Token)).Expect(t, 200, "")
		h.Do(http.MethodGet, "/api/v1/user/profile", nil, apptest.Bearer(alice.Access)).Expect(t, 401, "UNAUTHORIZED")
		h.Do(http.MethodPost, "/api/v1/admin/users/987654/freeze", map[string]any{"reason": "x"}, apptest.Bearer(op.Token)).Expect(t, 404, "USER_NOT_FOUND")
	})
}
