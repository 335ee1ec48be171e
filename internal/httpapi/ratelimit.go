package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
)

// limitExempt are the routes no per-IP limit applies to: provider webhooks
// (a provider retries from few addresses) and the operator probes.
func limitExempt(path string) bool {
	return !strings.HasPrefix(path, "/api/v1/") || strings.HasPrefix(path, "/api/v1/webhooks/") || path == "/api/v1/yudun/callback"
}

// overLimit counts one request against key and answers 429 when the limit
// is passed. It reports whether the request was refused.
func (s *Server) overLimit(w http.ResponseWriter, r *http.Request, key string, max int) bool {
	if max <= 0 {
		return false
	}
	d, err := s.Limiter.Allow(r.Context(), key, max)
	if err != nil {
		s.writeError(w, r, err)
		return true
	}
	if d.Allowed {
		return false
	}
	s.writeAppError(w, r, apperr.New(apperr.CodeRateLimited).WithRetryAfter(d.RetryAfter).
		WithDetails("More than "+strconv.Itoa(max)+" requests in a minute"))
	return true
}
