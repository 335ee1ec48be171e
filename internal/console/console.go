// Package console is the operators' web console at /console/: server-rendered
// pages (html/template, no JavaScript) on the same back-office services,
// authorisation table and audit log as the admin API. A console page or
// action names the admin route it mirrors and inherits that route's roles
// (adminapi.RolesOf), so the two surfaces cannot drift apart.
package console

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Deps are the console's collaborators.
type Deps struct {
	Operators *operator.Service
	Office    *backoffice.Service
	Audit     *audit.Log
	Approvals *approval.Service
	// CSRF keys the per-session form tokens.
	CSRF *secret.Hasher
	// ClientIP is the caller's address under the server's proxy rule.
	ClientIP func(r *http.Request) string
	// SecureCookies marks cookies Secure; set when the console is served
	// over HTTPS (directly, or behind a trusted TLS-terminating proxy).
	SecureCookies bool
	Log           *slog.Logger
	Now           func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("console", deps.Wired{"Operators": d.Operators != nil, "Office": d.Office != nil,
		"Audit": d.Audit != nil, "Approvals": d.Approvals != nil, "CSRF": d.CSRF != nil, "ClientIP": d.ClientIP != nil,
		"Log": d.Log != nil, "Now": d.Now != nil})
}

// Console serves /console/.
type Console struct {
	Deps
	mux   *http.ServeMux
	pages map[string]*template.Template
}

// New builds the console.
func New(d Deps) (*Console, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	c := &Console{Deps: d, mux: http.NewServeMux(), pages: map[string]*template.Template{}}
	if err := c.parseTemplates(); err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	c.mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	c.routes()
	return c, nil
}

// ServeHTTP implements http.Handler. Every console answer carries the
// console's own security headers (they replace the API's stricter CSP,
// which would block the stylesheet).
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "+
		"frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if r.URL.Path == "/console" {
		r.URL.Path = "/console/"
	}
	c.mux.ServeHTTP(w, r)
}

var errNotFound = errors.New("console: no such page")
