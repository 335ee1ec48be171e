// Package adminapi is the operator API of API.md §5 under /api/v1/admin/:
// operator sign-in, and every capability as a route whose permitted roles
// are declared in one table (routes.go). Handlers call the same services as
// the public API; every write is audited in its own transaction through
// the audit log, and money-affecting actions above the configured amount go
// through four-eyes approval.
package adminapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
)

// Host lends the admin API what it shares with the public API's server.
type Host interface {
	// ClientIP is the caller's address as the public API sees it (the
	// same trusted-proxy rule).
	ClientIP(r *http.Request) string
}

// Deps are the admin API's collaborators.
type Deps struct {
	Host      Host
	Operators *operator.Service
	Audit     *audit.Log
	Approvals *approval.Service
	// Office performs every audited operator action.
	Office *backoffice.Service
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("adminapi", deps.Wired{"Host": d.Host != nil, "Operators": d.Operators != nil,
		"Audit": d.Audit != nil, "Approvals": d.Approvals != nil, "Office": d.Office != nil})
}

// API serves the admin routes.
type API struct{ Deps }

// New returns the admin API.
func New(d Deps) *API { return &API{Deps: d} }

// Handler is an endpoint behind the operator check.
type Handler func(w http.ResponseWriter, r *http.Request, p operator.Principal) error

// Route is one admin endpoint and the roles that may call it. Public routes
// (sign-in, refresh) have no roles; every other route names its roles here
// and nowhere else.
type Route struct {
	Pattern string
	Roles   []operator.Role // nil: no session needed
	// Audited says the route writes: every call that succeeds leaves
	// exactly one audit row (the role-matrix and audit-walk tests read it).
	Audited bool
	Handle  func(w http.ResponseWriter, r *http.Request) error
}

// Allows reports whether role may call the route.
func (rt Route) Allows(role operator.Role) bool {
	for _, x := range rt.Roles {
		if x == role {
			return true
		}
	}
	return false
}

var errForbidden = apperr.New(apperr.CodeForbidden).WithDetails("your role may not use this operation")

// guard authenticates the operator, checks the route's roles and puts the
// operator on the context as the audit actor.
func (a *API) guard(roles []operator.Role, h Handler) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return apperr.New(apperr.CodeUnauthorized).WithDetails("An operator session token is required")
		}
		p, err := a.Operators.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		if !(Route{Roles: roles}).Allows(p.Role) {
			return errForbidden
		}
		ctx := audit.WithActor(r.Context(), a.actor(r, p))
		return h(w, r.WithContext(ctx), p)
	}
}

func (a *API) actor(r *http.Request, p operator.Principal) audit.Actor {
	return audit.Actor{Type: audit.ActorOperator, ID: p.OperatorID, Label: p.Email, Role: string(p.Role),
		IP: a.Host.ClientIP(r), UserAgent: r.UserAgent(), RequestID: httpkit.RequestID(r.Context())}
}

// client is the caller of a public admin route, for the audit of sign-ins.
func (a *API) client(r *http.Request) audit.Actor {
	return audit.Actor{IP: a.Host.ClientIP(r), UserAgent: r.UserAgent(), RequestID: httpkit.RequestID(r.Context())}
}

// pathID parses a numeric path wildcard; anything else is the resource's
// not-found, as the public API answers unknown ids.
func pathID(r *http.Request, name string, notFound *apperr.Error) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound
	}
	return id, nil
}

// page is a list answer (family B data).
type page[T any] struct {
	Items      []T `json:"items"`
	Page       int `json:"page"`
	PageSize   int `json:"page_size"`
	Total      int `json:"total"`
	TotalPages int `json:"total_pages"`
}

func newPage[T any](items []T, pageNo, size, total int) page[T] {
	if items == nil {
		items = []T{}
	}
	return page[T]{Items: items, Page: pageNo, PageSize: size, Total: total, TotalPages: httpkit.TotalPages(total, size)}
}

// pageOf is one page of a list shown through view.
func pageOf[T, V any](list []T, view func(T) V, pageNo, size, total int) page[V] {
	items := make([]V, 0, len(list))
	for _, x := range list {
		items = append(items, view(x))
	}
	return newPage(items, pageNo, size, total)
}

// ok writes a family-B success answer.
func ok(w http.ResponseWriter, r *http.Request, status int, data any) error {
	httpkit.WriteJSON(w, status, httpkit.OKB(r, "OK", data))
	return nil
}
