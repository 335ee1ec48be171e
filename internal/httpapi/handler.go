package httpapi

import (
	"context"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// handlerFunc is the shape of every endpoint: it writes its success answer
// and returns any failure, which the route's envelope family renders. No
// handler chooses an error envelope itself.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// principalHandler is a handlerFunc behind the bearer check.
type principalHandler func(w http.ResponseWriter, r *http.Request, p account.Principal) error

// routeState is what the adapter knows of a request beyond net/http: the
// error family of its route, and the language a handler chose for its
// answer (the content endpoints' ?lang=), which the error it returns must
// be written in too.
type routeState struct {
	family  errorFamily
	lang    i18n.Lang
	langSet bool
}

type routeStateKey struct{}

func stateOf(r *http.Request) *routeState {
	st, _ := r.Context().Value(routeStateKey{}).(*routeState)
	return st
}

// familyOf is the error family routes.go fixed for the request's route; the
// idempotency helpers render stored refusals with it.
func familyOf(r *http.Request) errorFamily {
	if st := stateOf(r); st != nil {
		return st.family
	}
	return familyAB
}

// answerIn makes lang the language of every text of the answer to r,
// errors included, over Accept-Language.
func answerIn(r *http.Request, lang i18n.Lang) {
	if st := stateOf(r); st != nil {
		st.lang, st.langSet = lang, true
	}
}

// serve adapts h to http.Handler: a returned error goes through the one
// mapper in errors.go in the route's family.
func (s *Server) serve(family errorFamily, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), routeStateKey{}, &routeState{family: family}))
		if err := h(w, r); err != nil {
			s.writeFamilyError(w, r, err, family)
		}
	})
}
