package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/store"
)

// statusByCode is the one table from API error code to HTTP status; codes
// not listed are user-correctable business failures (400).
var statusByCode = map[string]int{
	apperr.CodeUnauthorized:       http.StatusUnauthorized,
	"SIGNATURE_INVALID":           http.StatusUnauthorized,
	apperr.CodeForbidden:          http.StatusForbidden,
	apperr.CodeAccountFrozen:      http.StatusForbidden,
	"ACCOUNT_DEACTIVATED":         http.StatusForbidden,
	"CARD_NOT_OWNED":              http.StatusForbidden,
	"CARD_LOCKED_BY_ADMIN":        http.StatusForbidden,
	"CARD_FEE_UNPAID":             http.StatusPaymentRequired,
	apperr.CodeNotFound:           http.StatusNotFound,
	"APP_VERSION_NOT_CONFIGURED":  http.StatusNotFound,
	"CARD_FEE_NOT_CONFIGURED":     http.StatusNotFound,
	apperr.CodeMethodNotAllowed:   http.StatusMethodNotAllowed,
	"IDEMPOTENCY_CONFLICT":        http.StatusConflict,
	"IDEMPOTENCY_IN_PROGRESS":     http.StatusConflict,
	"APPLICATION_NOT_SHIPPED":     http.StatusConflict,
	apperr.CodePayloadTooLarge:    http.StatusRequestEntityTooLarge,
	apperr.CodeRateLimited:        http.StatusTooManyRequests,
	"OTP_ATTEMPTS_EXCEEDED":       http.StatusTooManyRequests,
	"TRANSACTION_PASSWORD_LOCKED": http.StatusTooManyRequests,
	"OPERATOR_LOCKED":             http.StatusTooManyRequests,
	"OPERATOR_EXISTS":             http.StatusConflict,
	"APPROVAL_PENDING":            http.StatusConflict,
	"FOUR_EYES_REQUIRED":          http.StatusForbidden,
	apperr.CodeInternal:           http.StatusInternalServerError,
	"ISSUER_UNAVAILABLE":          http.StatusBadGateway,
	"KYC_PROVIDER_UNAVAILABLE":    http.StatusBadGateway,
	"CARD_RECHARGE_FAILED":        http.StatusServiceUnavailable,
	"CARD_WITHDRAW_FAILED":        http.StatusServiceUnavailable,
	"SWAP_PENDING":                http.StatusServiceUnavailable,
	"EXCHANGE_RATE_UNAVAILABLE":   http.StatusServiceUnavailable,
	// The issuer's circuit breaker is open: nothing was sent (Retry-After).
	"ISSUER_TEMPORARILY_UNAVAILABLE": http.StatusServiceUnavailable,
	codeServiceUnavailable:           http.StatusServiceUnavailable,
}

// codeServiceUnavailable answers any request that failed because the
// database could not be reached: nothing was decided, and the same request
// (with the same Idempotency-Key) may be sent again after Retry-After.
const codeServiceUnavailable = "SERVICE_UNAVAILABLE"

// errDatabaseUnavailable is the answer while the database is down or
// restarting. A transaction cut off at its commit may have committed; a
// retry with the same Idempotency-Key then replays its stored answer.
var errDatabaseUnavailable = apperr.New(codeServiceUnavailable).
	WithDetails("The service cannot reach its database; try again shortly").WithRetryAfter(2 * time.Second)

func statusOf(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	if strings.HasSuffix(code, "_NOT_FOUND") {
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

// errorBody is the error envelope of API.md §1.6.
type errorBody struct {
	Error   string `json:"error"`
	Code    string `json:"code"`
	Details string `json:"details"`
	Message string `json:"message"`
	// Fields is an interface so that an empty map is still rendered: every
	// VALIDATION_FAILED carries a fields object, even for a malformed body.
	Fields     any  `json:"fields,omitempty"`
	RetryAfter *int `json:"retry_after,omitempty"`
}

// writeError maps err to its status and the common error envelope.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeFamilyError(w, r, err, familyAB)
}

func (s *Server) writeAppError(w http.ResponseWriter, r *http.Request, e *apperr.Error) {
	s.writeFamilyError(w, r, e, familyAB)
}

// errorFamily renders an application error in one envelope family: its
// status, body and retry_after (nil when none).
type errorFamily func(r *http.Request, e *apperr.Error) (int, any, *int)

// familyAB renders the common error body of families A and B.
func familyAB(r *http.Request, e *apperr.Error) (int, any, *int) {
	status, body := errorResponse(r, e)
	return status, body, body.RetryAfter
}

// writeFamilyError is the one error writer (render, then write).
func (s *Server) writeFamilyError(w http.ResponseWriter, r *http.Request, err error, family errorFamily) {
	status, body, retryAfter := s.render(r, err, family)
	if retryAfter != nil {
		w.Header().Set("Retry-After", strconv.Itoa(*retryAfter))
	}
	httpkit.WriteJSON(w, status, body)
}

// render maps err to its answer in family: anything that is not an
// *apperr.Error is an internal error, answered with generic text only. Every
// 5xx it renders is logged (logFailure), so on-call sees where it happened.
func (s *Server) render(r *http.Request, err error, family errorFamily) (int, any, *int) {
	e, ok := apperr.As(err)
	switch {
	case ok:
	case store.IsUnavailable(err):
		s.logFailure(r, http.StatusServiceUnavailable, "database unavailable", err)
		e = errDatabaseUnavailable
	default:
		s.logFailure(r, http.StatusInternalServerError, "request failed", err)
		e = apperr.New(apperr.CodeInternal)
	}
	status, body, retryAfter := family(r, e)
	if ok && status >= http.StatusInternalServerError {
		s.logFailure(r, status, "request failed", err, "code", e.Code)
	}
	return status, body, retryAfter
}

// logFailure writes the log line of a 5xx answer (an error for a 500, a
// warning for an upstream or database outage): the route pattern the mux
// matched ("unmatched" when none did), the method, the request id and the
// error with all it wraps. Never the path, query or body: they can carry
// tokens and personal data.
func (s *Server) logFailure(r *http.Request, status int, msg string, err error, attrs ...any) {
	level := slog.LevelWarn
	if status == http.StatusInternalServerError {
		level = slog.LevelError
	}
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	s.log.Log(r.Context(), level, msg, append([]any{"route", route, "method", r.Method,
		"request_id", httpkit.RequestID(r.Context()), "status", status, "error", err}, attrs...)...)
}

// errorResponse renders e as its status and envelope.
func errorResponse(r *http.Request, e *apperr.Error) (int, errorBody) {
	status := statusOf(e.Code)
	lang := httpkit.Lang(r)
	body := errorBody{
		Error:   i18n.ErrorSummary(e.Code),
		Code:    e.Code,
		Details: e.Details,
		Message: i18n.ErrorMessage(lang, e.Code),
	}
	if status == http.StatusInternalServerError {
		body.Details = ""
	}
	if e.Code == apperr.CodeValidation {
		fields := e.Fields
		if fields == nil {
			fields = map[string]string{}
		}
		body.Fields = fields
	}
	if status == http.StatusTooManyRequests || status == http.StatusLocked ||
		(status == http.StatusServiceUnavailable && e.RetryAfter > 0) {
		secs := int((e.RetryAfter + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		body.RetryAfter = &secs
	}
	return status, body
}
