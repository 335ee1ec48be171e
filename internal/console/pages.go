package console

import (
	"errors"
	"net/http"
	"slices"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/adminapi"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type handler func(w http.ResponseWriter, r *http.Request, v *visit) error

// Access says who may reach a console route.
type access struct {
	public  bool   // no session needed (sign-in)
	mirrors string // the admin route whose roles apply; "" = any operator
}

var anyOperator = access{}

func mirror(pattern string) access { return access{mirrors: pattern} }

// allowed reports whether role may use a route of access a.
func (a access) allowed(role operator.Role) bool {
	if a.public || a.mirrors == "" {
		return true
	}
	roles, ok := adminapi.RolesOf(a.mirrors)
	return ok && slices.Contains(roles, role)
}

// handle registers a console route.
func (c *Console) handle(pattern string, a access, h handler) {
	if a.mirrors != "" {
		if _, ok := adminapi.RolesOf(a.mirrors); !ok {
			panic("console: " + pattern + " mirrors an unknown admin route " + a.mirrors)
		}
	}
	c.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		v, err := c.load(w, r)
		if err != nil {
			c.fail(w, r, &visit{Lang: "en"}, err)
			return
		}
		if !a.public && !v.SignedIn {
			http.Redirect(w, r, "/console/sign-in", http.StatusSeeOther)
			return
		}
		if v.SignedIn && !a.allowed(v.Principal.Role) {
			c.render(w, http.StatusForbidden, "error", v, errorPage{Title: "Not permitted",
				Message: "Your role may not use this page."})
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := r.ParseForm(); err != nil || !c.checkCSRF(r, v) {
				c.render(w, http.StatusForbidden, "error", v, errorPage{Title: "Form expired",
					Message: "This form is no longer valid. Go back, reload the page and try again."})
				return
			}
		}
		if err := h(w, r, v); err != nil {
			c.fail(w, r, v, err)
		}
	})
}

type errorPage struct {
	Title   string
	Message string
}

// fail answers an error a handler did not render itself: a domain refusal
// with its localized message, anything else as a logged internal error.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	if errors.Is(err, errNotFound) {
		c.render(w, http.StatusNotFound, "error", v, errorPage{Title: "Not found", Message: "There is no such page."})
		return
	}
	if e, ok := apperr.As(err); ok {
		c.render(w, http.StatusBadRequest, "error", v, errorPage{Title: "Refused", Message: apiMessage(v.Lang, e)})
		return
	}
	c.Log.ErrorContext(r.Context(), "console request failed", "route", r.Pattern, "method", r.Method, "error", err)
	c.render(w, http.StatusInternalServerError, "error", v, errorPage{Title: "Something went wrong",
		Message: "The request failed; it has been logged. Try again shortly."})
}

// navItem is one entry of the navigation, shown only to roles that may use it.
type navItem struct {
	Label  string
	Path   string
	access access
}

// navigation is the menu in order: the core pages, then each area's.
var navigation = slices.Concat(
	[]navItem{{"Dashboard", "/console/dashboard", anyOperator}},
	navUsers, navMoney, navCards, navContent,
	[]navItem{
		{"Approvals", "/console/approvals", mirror("GET /api/v1/admin/approvals")},
		{"Audit log", "/console/audit", mirror("GET /api/v1/admin/audit-logs")},
		{"Operators", "/console/operators", mirror("GET /api/v1/admin/admins")},
		{"Preferences", "/console/preferences", anyOperator},
	},
)

func (c *Console) routes() {
	c.handle("GET /console/{$}", access{public: true}, c.home)
	c.handle("GET /console/sign-in", access{public: true}, c.signInPage)
	c.handle("POST /console/sign-in", access{public: true}, c.signIn)
	c.handle("POST /console/sign-out", anyOperator, c.signOut)
	c.handle("GET /console/dashboard", anyOperator, c.dashboard)
	c.handle("GET /console/preferences", anyOperator, c.preferencesPage)
	c.handle("POST /console/preferences", anyOperator, c.savePreferences)
	c.handle("GET /console/approvals", mirror("GET /api/v1/admin/approvals"), c.approvalsPage)
	c.handle("POST /console/approvals/{id}/approve", mirror("POST /api/v1/admin/approvals/{id}/approve"), c.decide(true))
	c.handle("POST /console/approvals/{id}/reject", mirror("POST /api/v1/admin/approvals/{id}/reject"), c.decide(false))
	c.handle("GET /console/audit", mirror("GET /api/v1/admin/audit-logs"), c.auditPage)
	c.handle("GET /console/operators", mirror("GET /api/v1/admin/admins"), c.operatorsPage)
	c.handle("POST /console/operators", mirror("POST /api/v1/admin/admins"), c.createOperator)
	c.handle("POST /console/operators/{id}/disable", mirror("DELETE /api/v1/admin/admins/{id}"), c.disableOperator)
	c.routesUsers()
	c.routesMoney()
	c.routesCards()
	c.routesContent()
	c.handle("/console/", anyOperator, func(http.ResponseWriter, *http.Request, *visit) error { return errNotFound })
}
