package httpapi

import (
	"context"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// handlerFunc is the shape of every endpoint: it writes its success answer
// and returns any failure, which the route's envelope family renders. No
// handler chooses an error envelope itself.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// principalHandler is a handlerFunc behind the bearer check.
type principalHandler func(w http.ResponseWriter, r *http.Request, p account.Principal) error

type familyKey struct{}

// familyOf is the error family routes.go fixed for the request's route; the
// idempotency helpers render stored refusals with it.
func familyOf(r *http.Request) errorFamily {
	if f, ok := r.Context().Value(familyKey{}).(errorFamily); ok {
		return f
	}
	return familyAB
}

// serve adapts h to http.Handler: a returned error goes through the one
// mapper in errors.go in the route's family.
func (s *Server) serve(family errorFamily, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = httpkit.WithAnswerLanguage(r.WithContext(context.WithValue(r.Context(), familyKey{}, family)))
		if err := h(w, r); err != nil {
			s.writeFamilyError(w, r, err, family)
		}
	})
}
