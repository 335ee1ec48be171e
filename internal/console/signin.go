package console

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/pquerna/otp"
)

func (c *Console) home(w http.ResponseWriter, r *http.Request, v *visit) error {
	target := "/console/sign-in"
	if v.SignedIn {
		target = "/console/dashboard"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

type signInData struct {
	PreCSRF string
	Email   string
	Error   string
	// QR is the TOTP enrolment as a PNG data URI, on first sign-in only.
	QR template.URL
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.SignedIn {
		http.Redirect(w, r, "/console/dashboard", http.StatusSeeOther)
		return nil
	}
	c.render(w, http.StatusOK, "signin", v, signInData{PreCSRF: c.preToken(w, r)})
	return nil
}

// signIn checks password and TOTP through the operator service (the same
// rules, lock-out and audit as the admin API) and sets the session cookie.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request, v *visit) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	client := audit.Actor{IP: c.ClientIP(r), UserAgent: r.UserAgent(), RequestID: httpkit.RequestID(r.Context())}
	res, err := c.Operators.SignIn(r.Context(), operator.Credentials{Email: email, Password: r.PostFormValue("password"),
		TOTPCode: strings.TrimSpace(r.PostFormValue("totp_code"))}, client)
	data := signInData{PreCSRF: c.preToken(w, r), Email: email}
	if e, ok := apperr.As(err); ok {
		data.Error = apiMessage(v.Lang, e)
		c.render(w, http.StatusBadRequest, "signin", v, data)
		return nil
	}
	if err != nil {
		return err
	}
	if res.Enrolment != "" {
		qr, err := qrDataURI(res.Enrolment)
		if err != nil {
			return err
		}
		data.QR = qr
		c.render(w, http.StatusOK, "signin", v, data)
		return nil
	}
	c.clearCookie(w, preCookie)
	// A browser-session cookie: the server ends the session (idle time-out,
	// lifetime, revocation); the cookie need not know when.
	c.setCookie(w, sessionCookie, res.Session.Token, 0)
	http.Redirect(w, r, "/console/dashboard", http.StatusSeeOther)
	return nil
}

// qrDataURI draws the otpauth:// URI as a QR code.
func qrDataURI(uri string) (template.URL, error) {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return "", err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	// A data: URI the page's CSP allows (img-src data:); it never leaves
	// this answer, which is not cached (Cache-Control: no-store).
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request, v *visit) error {
	err := c.Operators.RevokeSession(c.actorContext(r, v), v.Principal.OperatorID, v.Principal.SessionID, "signed out")
	if err != nil && !errors.Is(err, operator.ErrSessionNotFound) {
		return err
	}
	c.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/console/sign-in", http.StatusSeeOther)
	return nil
}

type preferencesData struct {
	Zones []string
	Saved bool
}

// Time zones offered; the operator's choice is a cookie of this browser.
var zones = []string{"UTC", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Singapore", "Asia/Dubai", "Europe/London", "America/New_York"}

func (c *Console) preferencesPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	c.render(w, http.StatusOK, "preferences", v, preferencesData{Zones: zones, Saved: r.URL.Query().Get("saved") == "1"})
	return nil
}

func (c *Console) savePreferences(w http.ResponseWriter, r *http.Request, v *visit) error {
	if lang := r.PostFormValue("lang"); lang == "en" || lang == "zh" {
		c.setCookie(w, langCookie, lang, 365*24*time.Hour)
	}
	if tz := r.PostFormValue("tz"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			c.setCookie(w, tzCookie, tz, 365*24*time.Hour)
		}
	}
	http.Redirect(w, r, "/console/preferences?saved=1", http.StatusSeeOther)
	return nil
}
