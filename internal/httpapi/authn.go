package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// authenticated admits requests with a valid bearer access token. Public
// routes never pass through here, so a stale token can never 401 them. Its
// own refusals use the common envelope on every route, family C included:
// the client's token refresh reads that body.
func (s *Server) authenticated(h principalHandler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			s.writeFamilyError(w, r, apperr.New(apperr.CodeUnauthorized).WithDetails("A bearer access token is required"), familyAB)
			return nil
		}
		p, err := s.Accounts.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			s.writeFamilyError(w, r, err, familyAB)
			return nil
		}
		// The user id (never a name or e-mail) lets a trace be found from a
		// support ticket.
		trace.SpanFromContext(r.Context()).SetAttributes(attribute.Int64("enduser.id", p.UserID))
		if s.overLimit(w, r, "user:"+strconv.FormatInt(p.UserID, 10), s.RequestsPerUser) {
			return nil
		}
		if r.Header.Get("Accept-Language") != "" {
			if err := s.Accounts.RememberLanguage(r.Context(), p, httpkit.Lang(r)); err != nil {
				s.writeFamilyError(w, r, err, familyAB)
				return nil
			}
		}
		return h(w, r, p)
	}
}
