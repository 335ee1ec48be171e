package console

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
)

const (
	sessionCookie = "ccp_console"
	// preCookie carries the sign-in form's CSRF nonce before there is a
	// session (double submit; SameSite=Strict keeps other sites from
	// sending it).
	preCookie  = "ccp_console_pre"
	langCookie = "ccp_console_lang"
	tzCookie   = "ccp_console_tz"
)

// visit is one request's view of who is asking and how to answer.
type visit struct {
	Principal operator.Principal
	SignedIn  bool
	CSRF      string
	Lang      string
	TZ        *time.Location
	Path      string
}

func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/console/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.SecureCookies, MaxAge: int(maxAge / time.Second)})
}

func (c *Console) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/console/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.SecureCookies, MaxAge: -1})
}

// load reads the session cookie (an operator session token: the same
// sessions, idle time-out and revocation as the admin API), the language
// and the time zone.
func (c *Console) load(w http.ResponseWriter, r *http.Request) (*visit, error) {
	v := &visit{Lang: "en", TZ: time.UTC, Path: r.URL.Path}
	if ck, err := r.Cookie(langCookie); err == nil && (ck.Value == "zh" || ck.Value == "en") {
		v.Lang = ck.Value
	}
	if ck, err := r.Cookie(tzCookie); err == nil {
		if loc, err := time.LoadLocation(ck.Value); err == nil {
			v.TZ = loc
		}
	}
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return v, nil
	}
	p, err := c.Operators.Authenticate(r.Context(), ck.Value)
	if errors.Is(err, operator.ErrUnauthorized) {
		c.clearCookie(w, sessionCookie)
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	v.Principal, v.SignedIn = p, true
	v.CSRF = c.CSRF.Sum("console-csrf", p.SessionID)
	return v, nil
}

// preToken returns the sign-in form's nonce, setting its cookie when new.
func (c *Console) preToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(preCookie); err == nil && len(ck.Value) == 32 {
		return ck.Value
	}
	token := secret.Base62(32)
	c.setCookie(w, preCookie, token, 30*time.Minute)
	return token
}

// checkCSRF refuses a state-changing request whose form token does not
// match the session's (or, before sign-in, the pre-session cookie's).
func (c *Console) checkCSRF(r *http.Request, v *visit) bool {
	got := r.PostFormValue("csrf")
	want := v.CSRF
	if !v.SignedIn {
		ck, err := r.Cookie(preCookie)
		if err != nil {
			return false
		}
		want = ck.Value
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// actorContext is the request context with the operator as audit actor.
func (c *Console) actorContext(r *http.Request, v *visit) context.Context {
	return audit.WithActor(r.Context(), audit.Actor{Type: audit.ActorOperator, ID: v.Principal.OperatorID,
		Label: v.Principal.Email, Role: string(v.Principal.Role), IP: c.ClientIP(r), UserAgent: r.UserAgent(),
		RequestID: httpkit.RequestID(r.Context())})
}
