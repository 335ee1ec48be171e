package adminapi

import (
	"net/http"

	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// listOperators: GET /admin/admins.
func (a *API) listOperators(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	list, total, err := a.Operators.List(r.Context(), size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, viewOperator, pageNo, size, total))
}

// createOperator: POST /admin/admins {email, display_name, role, password?}.
// Without a password one is generated; the answer shows it once. The new
// operator enrols TOTP at first sign-in (never shown to the creator).
func (a *API) createOperator(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	var in struct {
		Email       *string `json:"email"`
		DisplayName *string `json:"display_name"`
		Role        *string `json:"role"`
		Password    *string `json:"password"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email := f.Required("email", in.Email)
	role := f.Required("role", in.Role)
	if err := f.Err(); err != nil {
		return err
	}
	created, err := a.Operators.Create(r.Context(), operator.NewOperator{Email: email, Role: operator.Role(role),
		DisplayName: httpkit.Optional(in.DisplayName), Password: httpkit.Optional(in.Password)})
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusCreated, struct {
		Operator          operatorView `json:"operator"`
		GeneratedPassword string       `json:"generated_password"`
	}{viewOperator(created.Operator), created.GeneratedPassword})
}

// getOperator: GET /admin/admins/{id}.
func (a *API) getOperator(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", operator.ErrNotFound)
	if err != nil {
		return err
	}
	o, err := a.Operators.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewOperator(o))
}

// updateOperator: PUT /admin/admins/{id} {display_name?, role?, status?}.
func (a *API) updateOperator(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", operator.ErrNotFound)
	if err != nil {
		return err
	}
	var in struct {
		DisplayName *string `json:"display_name"`
		Role        *string `json:"role"`
		Status      *string `json:"status"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	var c operator.Change
	c.DisplayName = in.DisplayName
	if in.Role != nil {
		role := operator.Role(*in.Role)
		c.Role = &role
	}
	if in.Status != nil {
		status := operator.Status(*in.Status)
		c.Status = &status
	}
	o, err := a.Operators.Update(r.Context(), id, c)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewOperator(o))
}

// disableOperator: DELETE /admin/admins/{id}. Operators are disabled, never
// deleted: the audit log keeps naming them.
func (a *API) disableOperator(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", operator.ErrNotFound)
	if err != nil {
		return err
	}
	disabled := operator.Disabled
	o, err := a.Operators.Update(r.Context(), id, operator.Change{Status: &disabled})
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewOperator(o))
}

// operatorSessions: GET /admin/admins/{id}/sessions.
func (a *API) operatorSessions(w http.ResponseWriter, r *http.Request, p operator.Principal) error {
	id, err := pathID(r, "id", operator.ErrNotFound)
	if err != nil {
		return err
	}
	if _, err := a.Operators.Get(r.Context(), id); err != nil {
		return err
	}
	return a.listSessions(w, r, id, p.SessionID)
}

// revokeOperatorSession: DELETE /admin/admins/{id}/sessions/{session_id}.
func (a *API) revokeOperatorSession(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", operator.ErrNotFound)
	if err != nil {
		return err
	}
	if err := a.Operators.RevokeSession(r.Context(), id, r.PathValue("session_id"), "revoked by a super_admin"); err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct{}{})
}
