// Package apperr is the error vocabulary shared by domains and the HTTP layer:
// a domain returns an *Error carrying a stable API code (API.md §1.6), and the
// HTTP layer alone decides the status and the localized text for it.
package apperr

import (
	"errors"
	"maps"
	"time"
)

// Codes used across domains. Domain-specific codes live beside their domain.
const (
	CodeValidation       = "VALIDATION_FAILED"
	CodeUnauthorized     = "UNAUTHORIZED"
	CodeForbidden        = "FORBIDDEN"
	CodeNotFound         = "NOT_FOUND"
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	CodeRateLimited      = "RATE_LIMITED"
	CodePayloadTooLarge  = "PAYLOAD_TOO_LARGE"
	CodeInternal         = "INTERNAL_ERROR"
	CodeInvalidState     = "INVALID_STATE"
	CodeAccountFrozen    = "ACCOUNT_FROZEN"
)

// Error is an expected, user-facing failure.
type Error struct {
	Code       string
	Details    string
	Fields     map[string]string
	RetryAfter time.Duration
	// Interim marks an answer that is not the operation's last word (the
	// outcome is still being resolved): an Idempotency-Key is not bound to
	// it, so a retry reaches the operation and learns the outcome.
	Interim bool
}

func (e *Error) Error() string {
	if e.Details == "" {
		return e.Code
	}
	return e.Code + ": " + e.Details
}

// Is makes errors.Is match two *Error values by code, so sentinel errors can
// be compared even after WithDetails.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// New returns an error with the given code.
func New(code string) *Error { return &Error{Code: code} }

// WithDetails returns a copy of e with details set.
func (e *Error) WithDetails(details string) *Error {
	c := *e
	c.Details = details
	return &c
}

// WithRetryAfter returns a copy of e telling the client when to retry.
func (e *Error) WithRetryAfter(d time.Duration) *Error {
	c := *e
	c.RetryAfter = d
	return &c
}

// AsInterim returns a copy of e marked Interim.
func (e *Error) AsInterim() *Error {
	c := *e
	c.Interim = true
	return &c
}

// Validation returns a VALIDATION_FAILED error listing the invalid fields.
func Validation(fields map[string]string) *Error {
	return &Error{Code: CodeValidation, Details: "One or more fields are invalid", Fields: maps.Clone(fields)}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Fields collects per-field validation failures while parsing a request.
type Fields map[string]string

// Add records reason for field unless the field already has one.
func (f Fields) Add(field, reason string) {
	if _, ok := f[field]; !ok {
		f[field] = reason
	}
}

// Err returns nil when no field failed, else a VALIDATION_FAILED error.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Validation(f)
}
