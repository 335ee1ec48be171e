package httpapi

import (
	"net/http"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

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
	return status, errorC{Code: status, Errstr: b.Code, RequestID: httpkit.RequestID(r.Context()), Message: b.Message,
		Error: b.Error, Details: b.Details, Fields: b.Fields, RetryAfter: b.RetryAfter}
}

// familyC renders the issuer-style error body of family C.
func familyC(r *http.Request, e *apperr.Error) (int, any, *int) {
	status, body := errorResponseC(r, e)
	return status, body, body.RetryAfter
}
