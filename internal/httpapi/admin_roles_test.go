package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/httpapi/adminapi"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// adminRoutes is the admin route table as declared (the handlers are not
// called: the patterns and roles are what the matrix reads).
func adminRoutes() []adminapi.Route { return adminapi.New(adminapi.Deps{}).Routes() }

// adminPath fills a route pattern's wildcards with ids that name nothing,
// so that an allowed call reaches its handler and changes nothing.
func adminPath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	r := strings.NewReplacer("{id}", "999999", "{session_id}", "os_none", "{user_id}", "999999",
		"{card_type}", "virtual", "{platform}", "ios", "{lang}", "en", "{tier_level}", "99")
	return method, r.Replace(path)
}

// TestAdminRoleMatrix walks every admin route with every role, no token, a
// user's token, and a revoked and an idle operator session: each gets what
// the route table declares — 401 without a valid operator session, 403 for
// a role the route does not list, and anything else (its own answer) for
// one it does.
func TestAdminRoleMatrix(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		user := h.Register(t, "matrix-user@example.com")
		ops := map[operator.Role]apptest.Operator{}
		for _, role := range operator.Roles {
			ops[role] = h.Operator(t, fmt.Sprintf("%s@ops.example.com", role), role)
		}
		revoked := h.Operator(t, "revoked@ops.example.com", operator.SuperAdmin)
		h.Do(http.MethodPost, "/api/v1/admin/auth/logout", nil, apptest.Bearer(revoked.Token)).Expect(t, 200, "")

		for _, rt := range adminRoutes() {
			method, path := adminPath(rt.Pattern)
			if rt.Roles == nil {
				// Public (sign-in, refresh): never a 403, whatever the token.
				if res := h.Do(method, path, nil); res.Status == http.StatusForbidden {
					t.Errorf("%s without a token: 403", rt.Pattern)
				}
				continue
			}
			for name, token := range map[string]string{"no token": "", "user token": user.Access,
				"revoked session": revoked.Token, "garbage": "ccpop_not-a-session"} {
				var headers []apptest.Header
				if token != "" {
					headers = append(headers, apptest.Bearer(token))
				}
				h.Do(method, path, nil, headers...).Expect(t, http.StatusUnauthorized, "UNAUTHORIZED")
				_ = name
			}
			for _, role := range operator.Roles {
				// A fresh session per call: a route may end the session it
				// is called with (logout).
				token := h.OperatorSignIn(t, ops[role])
				res := h.Do(method, path, nil, apptest.Bearer(token))
				switch {
				case rt.Allows(role) && (res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden):
					t.Errorf("%s as %s: %d %s, want the route's own answer", rt.Pattern, role, res.Status, res.Body)
				case !rt.Allows(role) && (res.Status != http.StatusForbidden || res.Code() != "FORBIDDEN"):
					t.Errorf("%s as %s: %d %s, want 403 FORBIDDEN", rt.Pattern, role, res.Status, res.Body)
				case res.Status >= 500:
					t.Errorf("%s as %s: %d %s", rt.Pattern, role, res.Status, res.Body)
				}
			}
		}
	})
}

// TestOperatorAndUserTokensNeverCross: an operator session is not a user
// token on the public API, and a user token is not an operator session.
func TestOperatorAndUserTokensNeverCross(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		user := h.Register(t, "cross-user@example.com")
		op := h.Operator(t, "cross-op@ops.example.com", operator.SuperAdmin)
		h.Do(http.MethodGet, "/api/v1/user/profile", nil, apptest.Bearer(op.Token)).Expect(t, 401, "UNAUTHORIZED")
		h.Do(http.MethodGet, "/api/v1/admin/me", nil, apptest.Bearer(user.Access)).Expect(t, 401, "UNAUTHORIZED")
		h.Do(http.MethodGet, "/api/v1/admin/me", nil, apptest.Bearer(op.Token)).Expect(t, 200, "")
		h.Do(http.MethodGet, "/api/v1/user/profile", nil, apptest.Bearer(user.Access)).Expect(t, 200, "")
	})
}
