package httpapi

import (
	"net/http"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// envelopeC is the issuer-style success body of API.md §1.5, used only by
// the card PIN, physical-upgrade and card-trade endpoints.
type envelopeC struct {
	Code      int    `json:"code"`
	Errstr    string `json:"errstr"`
	RequestID string `json:"request_id"`
	Message   string `json:"message"`
	Data      any    `json:"data"`
}

func okC(r *http.Request, message string, data any) envelopeC {
	return envelopeC{Code: http.StatusOK, Errstr: "SUCCESS", RequestID: requestID(r.Context()),
		Message: i18n.Text(langOf(r), message), Data: data}
}

// errorC is the family-C error body: the HTTP status in code, the machine
// code in errstr, plus the fields of the common error body.
type errorC struct {
	Code       int    `json:"code"`
	Errstr     string `json:"errstr"`
	RequestID  string `json:"request_id"`
	Message    string `json:"message"`
	Error      string `json:"error"`
	Details    string `json:"details"`
	Fields     any    `json:"fields,omitempty"`
	RetryAfter *int   `json:"retry_after,omitempty"`
	Data       any    `json:"data"`
}

// errorResponseC renders e as a family-C error.
func errorResponseC(r *http.Request, e *apperr.Error) (int, errorC) {
	status, b := errorResponse(r, e)
	return status, errorC{Code: status, Errstr: b.Code, RequestID: requestID(r.Context()), Message: b.Message,
		Error: b.Error, Details: b.Details, Fields: b.Fields, RetryAfter: b.RetryAfter}
}

// writeErrorC is writeError for family-C endpoints: internal errors are
// logged and answered with generic text only.
func (s *Server) writeErrorC(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := apperr.As(err)
	if !ok {
		s.log.ErrorContext(r.Context(), "request failed", "request_id", requestID(r.Context()), "error", err)
		e = apperr.New(apperr.CodeInternal)
	}
	status, body := errorResponseC(r, e)
	if body.RetryAfter != nil {
		w.Header().Set("Retry-After", strconv.Itoa(*body.RetryAfter))
	}
	writeJSON(w, status, body)
}
