package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// adminEnv is what an admin example works with: a harness, one signed-in
// operator per role (and a second finance operator for four-eyes), and a
// user whose personal data must never reach an audit row in clear.
type adminEnv struct {
	h      *apptest.Harness
	ops    map[operator.Role]apptest.Operator
	second apptest.Operator // another finance operator
	user   apptest.Account
	// personal lists values that must not appear in clear in any audit
	// row; examples add what they set up.
	personal []string
	walkSeq  int
}

func newAdminEnv(t *testing.T, h *apptest.Harness) *adminEnv {
	t.Helper()
	env := &adminEnv{h: h, ops: map[operator.Role]apptest.Operator{}}
	for _, role := range operator.Roles {
		env.ops[role] = h.Operator(t, fmt.Sprintf("walk-%s@ops.example.com", role), role)
	}
	env.second = h.Operator(t, "walk-finance-2@ops.example.com", operator.Finance)
	env.user = h.Register(t, "walk-user-jane.doe@example.com")
	env.personal = append(env.personal, "jane.doe@example.com", "walk-user-jane")
	return env
}

// token is a fresh session of the role's operator: examples may end sessions.
func (env *adminEnv) token(t *testing.T, role operator.Role) string {
	t.Helper()
	return env.h.OperatorSignIn(t, env.ops[role])
}

// adminExample makes one admin write succeed. Setup creates what the call
// needs and returns the concrete path and a valid body (nil: no body).
type adminExample struct {
	Pattern string
	Role    operator.Role
	Setup   func(t *testing.T, env *adminEnv) (path string, body any)
	// Status is the success status (default 200).
	Status int
}

var adminExamples = map[string]adminExample{}

// exampleAdmin registers an example; each group's test file calls it from
// a package-level var.
func exampleAdmin(e adminExample) bool {
	if _, dup := adminExamples[e.Pattern]; dup {
		panic("two admin examples for " + e.Pattern)
	}
	adminExamples[e.Pattern] = e
	return true
}

// adminExamplesPending lists audited routes that have no example yet, each
// with the reason; it must shrink to nothing.
var adminExamplesPending = map[string]string{}

func auditCount(t *testing.T, h *apptest.Harness) int {
	t.Helper()
	_, n, err := h.App.Audit.List(context.Background(), audit.Filter{}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEveryAdminWriteIsAuditedOnce calls every audited admin route once with
// a valid request and finds exactly one new audit row, with a state, an
// operator actor and no personal data in clear.
func TestEveryAdminWriteIsAuditedOnce(t *testing.T) {
	t.Parallel()
	for _, rt := range adminRoutes() {
		_, has := adminExamples[rt.Pattern]
		_, pending := adminExamplesPending[rt.Pattern]
		if rt.Audited && !has && !pending {
			t.Errorf("audited route %s has no example in the admin walk", rt.Pattern)
		}
		if has && !rt.Audited {
			t.Errorf("%s has an example but is not marked audited", rt.Pattern)
		}
	}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		env := newAdminEnv(t, h)
		for _, rt := range adminRoutes() {
			ex, ok := adminExamples[rt.Pattern]
			if !ok {
				continue
			}
			path, body := ex.Setup(t, env)
			method, _, _ := strings.Cut(rt.Pattern, " ")
			token := env.token(t, ex.Role)
			before := auditCount(t, h)
			res := h.Do(method, path, body, apptest.Bearer(token))
			want := ex.Status
			if want == 0 {
				want = http.StatusOK
			}
			if res.Status != want {
				t.Errorf("%s: %d %s, want %d", rt.Pattern, res.Status, res.Body, want)
				continue
			}
			rows, n, err := h.App.Audit.List(context.Background(), audit.Filter{}, 1, 0)
			if err != nil || n != before+1 {
				t.Errorf("%s: %d audit rows written, want 1 (err %v)", rt.Pattern, n-before, err)
				continue
			}
			row := rows[0]
			if row.Actor.Type != audit.ActorOperator || row.Actor.ID != env.ops[ex.Role].ID && row.Actor.Role != string(ex.Role) ||
				row.Actor.RequestID == "" || row.Actor.IP == "" {
				t.Errorf("%s: audit actor %+v", rt.Pattern, row.Actor)
			}
			if row.Before == "" && row.After == "" && !strings.Contains(rt.Pattern, "session") && !strings.HasSuffix(rt.Pattern, "/logout") {
				t.Errorf("%s: audit row %q has neither before nor after", rt.Pattern, row.Action)
			}
			all := row.Before + row.After + row.Reason + row.TargetID
			for _, p := range env.personal {
				if strings.Contains(strings.ToLower(all), strings.ToLower(p)) {
					t.Errorf("%s: audit row carries %q in clear: %+v", rt.Pattern, p, row)
				}
			}
		}
	})
}

// TestAdminBadInputChangesNothing sends every body-taking admin route a
// malformed body, each field with the wrong JSON type, and unknown ids: each
// answers 4xx in the error envelope and writes nothing.
func TestAdminBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		env := newAdminEnv(t, h)
		for _, rt := range adminRoutes() {
			ex, ok := adminExamples[rt.Pattern]
			if !ok {
				continue
			}
			method, _, _ := strings.Cut(rt.Pattern, " ")
			path, body := ex.Setup(t, env)
			token := env.token(t, ex.Role)
			var bad []any
			if body != nil {
				bad = append(bad, `{"`, `[]`, `"text"`)
				raw, _ := json.Marshal(body)
				var fields map[string]any
				_ = json.Unmarshal(raw, &fields)
				for k, v := range fields {
					mutated := map[string]any{}
					for k2, v2 := range fields {
						mutated[k2] = v2
					}
					mutated[k] = wrongType(v)
					bad = append(bad, mutated)
				}
			}
			cases := map[string]string{}
			for i, b := range bad {
				cases[fmt.Sprint(i)] = path
				before := auditCount(t, h)
				res := h.Do(method, path, b, apptest.Bearer(token))
				if res.Status < 400 || res.Status >= 500 || res.Code() == "" {
					t.Errorf("%s with body %v: %d %s, want 4xx", rt.Pattern, b, res.Status, res.Body)
				}
				if n := auditCount(t, h); n != before {
					t.Errorf("%s with body %v wrote %d audit rows", rt.Pattern, b, n-before)
				}
			}
			if unknown := unknownIDs(path); unknown != path {
				before := auditCount(t, h)
				res := h.Do(method, unknown, body, apptest.Bearer(token))
				if res.Status < 400 || res.Status >= 500 {
					t.Errorf("%s on unknown ids (%s): %d %s, want 4xx", rt.Pattern, unknown, res.Status, res.Body)
				}
				if n := auditCount(t, h); n != before {
					t.Errorf("%s on unknown ids wrote %d audit rows", rt.Pattern, n-before)
				}
			}
		}
	})
}

// wrongType returns a JSON value of another type than v.
func wrongType(v any) any {
	switch v.(type) {
	case string:
		return 12345
	case float64:
		return "not a number"
	case bool:
		return "yes"
	case []any:
		return map[string]any{"x": 1}
	case nil:
		return []any{1}
	default:
		return true
	}
}

var pathIDs = regexp.MustCompile(`/(\d+)(/|$)`)

// unknownIDs replaces every numeric path segment with one that names nothing.
func unknownIDs(path string) string {
	return pathIDs.ReplaceAllString(path, "/987654321$2")
}
