package didit

import (
	"fmt"
	"strings"
	"time"
)

// Error is a failed Didit call. It unwraps to one of the kyc.ErrProvider*
// sentinels (Kind) and to the transport error, if any; it never holds a
// request or response body.
type Error struct {
	Op         string
	HTTPStatus int // 0 when Didit did not answer
	Kind       error
	Delay      time.Duration // for a 429: how long to wait
	cause      error
	detail     string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.HTTPStatus)
	}
	fmt.Fprintf(&b, ": %v", e.Kind)
	if e.Delay > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.Delay)
	}
	if e.detail != "" {
		b.WriteString(": " + e.detail)
	}
	if e.cause != nil {
		fmt.Fprintf(&b, ": %v", e.cause)
	}
	return b.String()
}

// Unwrap exposes the kind and the transport error.
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Kind, e.cause}
	}
	return []error{e.Kind}
}

// RetryAfter is the delay Didit asked for (0 unless rate limited); see
// kyc.RetryAfter.
func (e *Error) RetryAfter() time.Duration { return e.Delay }
