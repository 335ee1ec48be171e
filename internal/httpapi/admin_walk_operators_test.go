package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// Examples of the operator and session routes for the admin walk.
var (
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/auth/logout", Role: operator.Support,
		Setup: func(t *testing.T, env *adminEnv) (string, any) { return "/api/v1/admin/auth/logout", nil }})
	_ = exampleAdmin(adminExample{Pattern: "DELETE /api/v1/admin/me/sessions/{session_id}", Role: operator.Content,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/me/sessions/" + sessionID(t, env, env.ops[operator.Content]), nil
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/admins", Role: operator.SuperAdmin, Status: http.StatusCreated,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			env.walkSeq++
			email := "walk-new-" + strconv.Itoa(env.walkSeq) + "@ops.example.com"
			return "/api/v1/admin/admins", map[string]any{"email": email, "role": "support", "display_name": "Walk"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/admins/{id}", Role: operator.SuperAdmin,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/admins/" + strconv.FormatInt(env.ops[operator.Content].ID, 10),
				map[string]any{"display_name": "Content team"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "DELETE /api/v1/admin/admins/{id}", Role: operator.SuperAdmin,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			env.walkSeq++
			op := env.h.Operator(t, "walk-leaver-"+strconv.Itoa(env.walkSeq)+"@ops.example.com", operator.Support)
			return "/api/v1/admin/admins/" + strconv.FormatInt(op.ID, 10), nil
		}})
	_ = exampleAdmin(adminExample{Pattern: "DELETE /api/v1/admin/admins/{id}/sessions/{session_id}", Role: operator.SuperAdmin,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			op := env.ops[operator.Support]
			return "/api/v1/admin/admins/" + strconv.FormatInt(op.ID, 10) + "/sessions/" + sessionID(t, env, op), nil
		}})
)

// sessionID opens a session of op and returns its id.
func sessionID(t *testing.T, env *adminEnv, op apptest.Operator) string {
	t.Helper()
	token := env.h.OperatorSignIn(t, op)
	me := apptest.Data[struct {
		SessionID string `json:"session_id"`
	}](t, env.h.Do(http.MethodGet, "/api/v1/admin/me", nil, apptest.Bearer(token)).Expect(t, 200, ""))
	return me.SessionID
}
