package card

import (
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/apperr"
)

// ErrIssuerDown answers an issuer call the port refused before sending it:
// the issuer failed so often in a row (time-outs, broken connections, 5xx)
// that its circuit breaker is open. Unlike ISSUER_UNAVAILABLE, nothing
// reached the issuer, so nothing was applied there: the first call under a
// fresh reference may be undone at once instead of voided. It carries the
// time until the breaker lets a probe through (Retry-After).
var ErrIssuerDown = apperr.New("ISSUER_TEMPORARILY_UNAVAILABLE")

// ErrIssuerNoAnswer marks an issuer call that ended without an answer (a
// time-out, a broken connection, a 5xx): unlike a refusal, it may have been
// applied. The issuer guard wraps such failures with it.
var ErrIssuerNoAnswer = errors.New("card issuer: no answer")

// IssuerFailure is the answer to a failed issuer call: the breaker's own
// (503, with its Retry-After) when the call never left, else fallback. The
// breaker's answer is interim: nothing was sent, so a retry under the same
// Idempotency-Key must run again once the breaker lets calls through, not
// replay the 503.
func IssuerFailure(err error, fallback *apperr.Error) error {
	if e, ok := apperr.As(err); ok && errors.Is(e, ErrIssuerDown) {
		return e.AsInterim()
	}
	return fallback
}

// WaitIfDown turns a job's call that the breaker kept back into a snooze
// until the breaker lets a probe through: an outage must not use up the
// job's attempts, whose last one gives up on the operation.
func WaitIfDown(err error) error {
	if e, ok := apperr.As(err); ok && errors.Is(e, ErrIssuerDown) {
		return river.JobSnooze(max(e.RetryAfter, time.Second))
	}
	return err
}
