package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
)

// requestWindow is the window of the request limits of API.md §1.14.
const requestWindow = time.Minute

// limitExempt are the routes no per-IP limit applies to: provider webhooks
// (a provider retries from few addresses) and the operator probes.
func limitExempt(path string) bool {
	return !strings.HasPrefix(path, "/api/v1/") || strings.HasPrefix(path, "/api/v1/webhooks/") || path == "/api/v1/yudun/callback"
}

// overLimit counts one request against key and answers 429 when the limit
// is passed. It reports whether the request was refused.
func (s *Server) overLimit(w http.ResponseWriter, r *http.Request, key string, max int) bool {
	if max <= 0 || s.Limiter == nil {
		return false
	}
	hits, ends, err := s.Limiter.Hit(r.Context(), s.DB.SQL, key, ratelimit.Rule{Max: max, Window: requestWindow})
	if err != nil {
		s.writeError(w, r, err)
		return true
	}
	if hits <= max {
		return false
	}
	wait := time.Until(ends)
	if s.Deps.Now != nil {
		wait = ends.Sub(s.Deps.Now())
	}
	s.writeAppError(w, r, apperr.New(apperr.CodeRateLimited).WithRetryAfter(wait).
		WithDetails("More than "+strconv.Itoa(max)+" requests in a minute"))
	return true
}
