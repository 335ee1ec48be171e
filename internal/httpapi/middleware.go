package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
)

// requestID gives every request an opaque id, echoed in X-Request-Id.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := secret.Hex(16)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(httpkit.WithRequestID(r.Context(), id)))
	})
}

// recoverPanics turns a panic outside any route (in the middleware) into a
// 500 envelope; dispatch recovers the panics of routes itself, where the
// route is known.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer s.recoverPanic(w, r)
		next.ServeHTTP(w, r)
	})
}

// recoverPanic, deferred, answers a panic with a generic 500; the panic and
// its stack go to the log only.
func (s *Server) recoverPanic(w http.ResponseWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	s.logFailure(r, http.StatusInternalServerError, "panic", fmt.Errorf("panic: %v", p), "stack", string(debug.Stack()))
	s.writeAppError(w, r, apperr.New(apperr.CodeInternal))
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		if r.URL.Path != "/docs" && !strings.HasPrefix(r.URL.Path, "/api/v1/sandbox/kyc/") {
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		}
		next.ServeHTTP(w, r)
	})
}

// cors answers preflights and tags responses for the configured origins only.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allowed := origin != "" && (slices.Contains(s.CORSOrigins, "*") || slices.Contains(s.CORSOrigins, origin))
		if allowed {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, Idempotent-Replayed")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept-Language, Idempotency-Key, X-Sandbox-Token")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > httpkit.MaxBodyBytes {
			s.writeAppError(w, r, apperr.New(apperr.CodePayloadTooLarge).WithDetails("The request body exceeds 64 KiB"))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, httpkit.MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status written, for logs and metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// dispatch routes a request: a single trailing slash is insignificant, an
// unknown path is 404 and a known path with another method is 405, both in
// the error envelope. It logs and measures every request by route pattern
// (never by raw path or query, which may carry tokens).
func (s *Server) dispatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			r.URL.Path = p[:len(p)-1]
			r.URL.RawPath = ""
		}
		rec := &statusRecorder{ResponseWriter: w}
		mux := s.first
		_, pattern := mux.Handler(r)
		if pattern == "" {
			mux = s.mux
			_, pattern = mux.Handler(r)
		}
		// Known before the mux sets it, for the log line of a failure in
		// the rate limit below.
		r.Pattern = pattern
		ctx, span := s.startRequestSpan(r, pattern)
		defer span.End()
		r = r.WithContext(ctx)
		switch {
		case pattern != "" && !limitExempt(r.URL.Path) && s.overLimit(rec, r, "ip:"+s.clientIP(r), s.RequestsPerIP):
			pattern = "rate_limited"
		case pattern != "":
			s.serveRoute(mux, rec, r)
		case s.pathKnown(r):
			pattern = "method_not_allowed"
			s.writeAppError(rec, r, apperr.New(apperr.CodeMethodNotAllowed).WithDetails(r.Method+" is not served on this path"))
		default:
			pattern = "not_found"
			s.writeAppError(rec, r, apperr.New(apperr.CodeNotFound).WithDetails("No such route"))
		}
		took := time.Since(start)
		s.metrics.observe(pattern, rec.status, took)
		endRequestSpan(span, pattern, rec.status)
		s.log.InfoContext(r.Context(), "http request", "request_id", httpkit.RequestID(r.Context()), "method", r.Method,
			"route", pattern, "status", rec.status, "duration_ms", took.Milliseconds(), "ip", s.clientIP(r))
	})
}

// serveRoute serves a matched request. A panic is recovered here rather
// than in the outer middleware so that its log line names the route (the
// mux sets r.Pattern on this request) and the access log and metrics still
// count the request.
func (s *Server) serveRoute(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	defer s.recoverPanic(w, r)
	mux.ServeHTTP(w, r)
}

func (s *Server) pathKnown(r *http.Request) bool {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" {
			return true
		}
		if _, p := s.first.Handler(probe); p != "" {
			return true
		}
	}
	return false
}

// clientIP is the peer address, or the last X-Forwarded-For hop (the one
// the trusted proxy appended) when the service sits behind a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	if s.TrustProxyHeaders {
		// The trusted proxy appends the address it saw; anything to its
		// left was written by the client and proves nothing.
		if fwd := r.Header.Values("X-Forwarded-For"); len(fwd) > 0 {
			hops := strings.Split(fwd[len(fwd)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(hops[len(hops)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
