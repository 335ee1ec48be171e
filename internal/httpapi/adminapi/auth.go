package adminapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type operatorView struct {
	ID           int64      `json:"id"`
	Email        string     `json:"email"`
	DisplayName  string     `json:"display_name"`
	Role         string     `json:"role"`
	Status       string     `json:"status"`
	TOTPEnrolled bool       `json:"totp_enrolled"`
	LockedUntil  *time.Time `json:"locked_until"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

func viewOperator(o operator.Operator) operatorView {
	v := operatorView{ID: o.ID, Email: o.Email, DisplayName: o.DisplayName, Role: string(o.Role), Status: string(o.Status),
		TOTPEnrolled: o.TOTPEnrolled, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	if !o.LockedUntil.IsZero() {
		at := o.LockedUntil
		v.LockedUntil = &at
	}
	return v
}

type sessionView struct {
	Token     string    `json:"token"`
	SessionID string    `json:"session_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

type loginAnswer struct {
	// Exactly one of Session and TOTPEnrolment is set: an operator who has
	// not confirmed TOTP yet and sent no code gets the enrolment to scan.
	Session       *sessionView  `json:"session"`
	Operator      *operatorView `json:"operator"`
	TOTPEnrolment *enrolment    `json:"totp_enrolment"`
}

type enrolment struct {
	OTPAuthURI string `json:"otpauth_uri"`
}

// login: POST /admin/auth/login {email, password, totp_code}.
func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    *string `json:"email"`
		Password *string `json:"password"`
		TOTPCode *string `json:"totp_code"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email := f.Required("email", in.Email)
	password := f.Secret("password", in.Password)
	if err := f.Err(); err != nil {
		return err
	}
	res, err := a.Operators.SignIn(r.Context(), operator.Credentials{Email: email, Password: password,
		TOTPCode: strings.TrimSpace(httpkit.Optional(in.TOTPCode))}, a.client(r))
	if err != nil {
		return err
	}
	if res.Enrolment != "" {
		return ok(w, r, http.StatusOK, loginAnswer{TOTPEnrolment: &enrolment{OTPAuthURI: res.Enrolment}})
	}
	op := viewOperator(res.Operator)
	return ok(w, r, http.StatusOK, loginAnswer{Operator: &op,
		Session: &sessionView{Token: res.Session.Token, SessionID: res.Session.ID, ExpiresAt: res.Session.ExpiresAt}})
}

// refresh: POST /admin/auth/refresh with the session's bearer token; the
// answer's token replaces it.
func (a *API) refresh(w http.ResponseWriter, r *http.Request) error {
	scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return apperr.New(apperr.CodeUnauthorized).WithDetails("An operator session token is required")
	}
	is, err := a.Operators.Refresh(r.Context(), strings.TrimSpace(token))
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, sessionView{Token: is.Token, SessionID: is.ID, ExpiresAt: is.ExpiresAt})
}

// logout: POST /admin/auth/logout ends the calling session.
func (a *API) logout(w http.ResponseWriter, r *http.Request, p operator.Principal) error {
	if err := a.Operators.RevokeSession(r.Context(), p.OperatorID, p.SessionID, "signed out"); err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct{}{})
}

// me: GET /admin/me.
func (a *API) me(w http.ResponseWriter, r *http.Request, p operator.Principal) error {
	o, err := a.Operators.Get(r.Context(), p.OperatorID)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct {
		operatorView
		SessionID string `json:"session_id"`
	}{viewOperator(o), p.SessionID})
}

type sessionListItem struct {
	ID         string    `json:"id"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Current    bool      `json:"current"`
}

func (a *API) listSessions(w http.ResponseWriter, r *http.Request, operatorID int64, current string) error {
	list, err := a.Operators.Sessions(r.Context(), operatorID)
	if err != nil {
		return err
	}
	items := make([]sessionListItem, 0, len(list))
	for _, s := range list {
		items = append(items, sessionListItem{ID: s.ID, IP: s.IP, UserAgent: s.UserAgent, CreatedAt: s.CreatedAt,
			LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt, Current: s.ID == current})
	}
	return ok(w, r, http.StatusOK, struct {
		Items []sessionListItem `json:"items"`
	}{items})
}

// mySessions: GET /admin/me/sessions.
func (a *API) mySessions(w http.ResponseWriter, r *http.Request, p operator.Principal) error {
	return a.listSessions(w, r, p.OperatorID, p.SessionID)
}

// revokeMySession: DELETE /admin/me/sessions/{session_id}.
func (a *API) revokeMySession(w http.ResponseWriter, r *http.Request, p operator.Principal) error {
	if err := a.Operators.RevokeSession(r.Context(), p.OperatorID, r.PathValue("session_id"), "revoked by the operator"); err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct{}{})
}
