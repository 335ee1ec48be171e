package apptest

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// OperatorPassword is the password Operator gives new operators.
const OperatorPassword = "Op3rator!Passw0rd-x"

// Operator is a signed-in operator.
type Operator struct {
	ID      int64
	Email   string
	Role    operator.Role
	TOTPURI string
	Token   string
}

// Operator creates an operator (as the CLI would) and signs them in over
// the admin API with password and a fresh TOTP code.
func (h *Harness) Operator(t testing.TB, email string, role operator.Role) Operator {
	t.Helper()
	created, err := h.App.Operators.Create(audit.WithActor(context.Background(), audit.CLI()),
		operator.NewOperator{Email: email, Role: role, Password: OperatorPassword})
	if err != nil {
		t.Fatalf("create operator %s: %v", email, err)
	}
	op := Operator{ID: created.Operator.ID, Email: email, Role: role, TOTPURI: created.TOTPURI}
	op.Token = h.OperatorSignIn(t, op)
	return op
}

// OperatorSignIn opens a new session for op and returns its token. The
// clock moves to the next TOTP step first: a code is accepted once.
func (h *Harness) OperatorSignIn(t testing.TB, op Operator) string {
	t.Helper()
	h.Clock.Advance(30 * time.Second)
	res := h.Do(http.MethodPost, "/api/v1/admin/auth/login", map[string]string{"email": op.Email,
		"password": OperatorPassword, "totp_code": h.TOTPCode(t, op)}).Expect(t, 200, "")
	body := Decode[EnvelopeB[struct {
		Session struct {
			Token string `json:"token"`
		} `json:"session"`
	}]](t, res)
	if body.Data.Session.Token == "" {
		t.Fatalf("operator sign-in gave no token: %s", res.Body)
	}
	return body.Data.Session.Token
}

// TOTPCode is op's authenticator code at the harness clock.
func (h *Harness) TOTPCode(t testing.TB, op Operator) string {
	t.Helper()
	u, err := url.Parse(op.TOTPURI)
	if err != nil {
		t.Fatal(err)
	}
	code, err := operator.TOTPCode(u.Query().Get("secret"), h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}
