package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
)

type principalHandler func(w http.ResponseWriter, r *http.Request, p account.Principal)

// authenticated admits requests with a valid bearer access token. Public
// routes never pass through here, so a stale token can never 401 them.
func (s *Server) authenticated(h principalHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			s.writeAppError(w, r, apperr.New(apperr.CodeUnauthorized).WithDetails("A bearer access token is required"))
			return
		}
		p, err := s.Accounts.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if s.overLimit(w, r, "user:"+strconv.FormatInt(p.UserID, 10), s.RequestsPerUser) {
			return
		}
		if r.Header.Get("Accept-Language") != "" {
			if err := s.Accounts.RememberLanguage(r.Context(), p, langOf(r)); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		h(w, r, p)
	})
}
