// Package guard wraps any card issuer adapter (the simulator today, the
// real one later) with a bounded time per call and a circuit breaker, so a
// slow or dead issuer costs a request seconds, never a hang, and an issuer
// that keeps failing is left alone instead of hammered.
//
// Only outages count towards opening the breaker: time-outs, broken
// connections and 5xx answers. A business refusal (insufficient card
// balance, an unknown card) is an issuer that works. While the breaker is
// open every call fails at once with card.ErrIssuerDown, which says that the
// call never left: callers may undo the first call under a fresh reference
// instead of voiding it. After the cool-down one probe call goes through;
// its success closes the breaker, its failure opens it again.
//
// The breaker lives in the process: each replica learns on its own that the
// issuer is down (after a handful of failed calls) and probes on its own.
// That costs a few extra calls per replica and needs no shared state; the
// issuer's correctness never depends on it, since every money call is
// idempotent by reference and resolved by the recovery jobs.
package guard

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/threeds"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Port is every issuer call the domains make.
type Port interface {
	card.Issuer
	card.StatusIssuer
	card.SecretsIssuer
	card.TradeSource
	card.BalanceSource
	physical.Issuer
	threeds.Issuer
}

// Defaults for a zero Settings field.
const (
	// DefaultCallTimeout is well above the issuer's normal answer time (a
	// card issuance takes a few seconds) and well below the HTTP server's
	// write timeout, so a request always gets its answer.
	DefaultCallTimeout = 15 * time.Second
	// DefaultFailures outages in a row open the breaker.
	DefaultFailures = 5
	// DefaultCooldown is how long the breaker stays open before a probe.
	DefaultCooldown = 30 * time.Second
)

// Settings tune the guard; zero fields take the defaults.
type Settings struct {
	CallTimeout time.Duration
	Failures    uint32
	Cooldown    time.Duration
	Log         *slog.Logger
	// Tracing makes each call a client span "issuer <operation>".
	Tracing trace.TracerProvider
}

// Issuer is the guarded issuer port.
type Issuer struct {
	next     Port
	timeout  time.Duration
	cooldown time.Duration
	breaker  *gobreaker.CircuitBreaker[any]
	log      *slog.Logger
	tracer   trace.Tracer

	mu       sync.Mutex
	openedAt time.Time
}

// New wraps next.
func New(next Port, s Settings) *Issuer {
	if s.CallTimeout <= 0 {
		s.CallTimeout = DefaultCallTimeout
	}
	if s.Failures == 0 {
		s.Failures = DefaultFailures
	}
	if s.Cooldown <= 0 {
		s.Cooldown = DefaultCooldown
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Tracing == nil {
		s.Tracing = noop.NewTracerProvider()
	}
	g := &Issuer{next: next, timeout: s.CallTimeout, cooldown: s.Cooldown, log: s.Log,
		tracer: s.Tracing.Tracer("github.com/comecomepay/comecomepay/internal/providers/issuer/guard")}
	g.breaker = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:        "issuer",
		MaxRequests: 1,
		Timeout:     s.Cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= s.Failures },
		IsSuccessful: func(err error) bool {
			return err == nil || !Outage(err)
		},
		// The caller went away, or its own deadline (a job's time-out
		// shorter than ours) ran out: that says nothing about the issuer.
		IsExcluded: func(err error) bool {
			var gone callerGone
			return errors.Is(err, context.Canceled) || errors.As(err, &gone)
		},
		OnStateChange: g.stateChanged,
	})
	return g
}

func (g *Issuer) stateChanged(_ string, from, to gobreaker.State) {
	if to == gobreaker.StateOpen {
		g.mu.Lock()
		g.openedAt = time.Now()
		g.mu.Unlock()
		g.log.Warn("card issuer circuit breaker opened: calls fail fast until a probe succeeds",
			"from", from.String(), "cooldown", g.cooldown.String())
		return
	}
	g.log.Info("card issuer circuit breaker changed state", "from", from.String(), "to", to.String())
}

// State is the breaker's state: closed, half-open or open.
func (g *Issuer) State() string { return g.breaker.State().String() }

// retryAfter is the time left until the breaker lets a probe through.
func (g *Issuer) retryAfter() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	left := g.cooldown - time.Since(g.openedAt)
	if left < time.Second {
		return time.Second
	}
	return left
}

// ServerError is an issuer answer with a 5xx status. Adapters return it
// (or any error with an UpstreamStatus() int method) so the breaker can
// tell an outage from a refusal.
type ServerError struct {
	Operation string
	Status    int
}

func (e *ServerError) Error() string {
	return "issuer " + e.Operation + ": HTTP " + strconv.Itoa(e.Status)
}

// UpstreamStatus is the issuer's HTTP status.
func (e *ServerError) UpstreamStatus() int { return e.Status }

// TimeoutError is a call the guard gave up on: the issuer may still apply it.
type TimeoutError struct {
	Operation string
	After     time.Duration
	Cause     error
}

func (e *TimeoutError) Error() string {
	return "issuer " + e.Operation + ": no answer within " + e.After.String()
}

func (e *TimeoutError) Unwrap() []error { return []error{context.DeadlineExceeded, e.Cause} }

// noAnswer is an outage as the domains see it: card.ErrIssuerNoAnswer,
// with the adapter's error kept for logs and errors.As.
type noAnswer struct{ err error }

func (e noAnswer) Error() string   { return e.err.Error() }
func (e noAnswer) Unwrap() []error { return []error{card.ErrIssuerNoAnswer, e.err} }

// Outage reports whether err says the issuer is unwell (no answer, a broken
// connection, a 5xx) rather than that it refused the call.
func Outage(err error) bool {
	var status interface{ UpstreamStatus() int }
	var netErr net.Error
	switch {
	case err == nil:
		return false
	case errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &status):
		return status.UpstreamStatus() >= 500
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &netErr):
		return true
	}
	return false
}

// callerGone marks a call cut short by its caller's own context, which the
// breaker leaves out of its counts; it unwraps to the cause, so the call
// still reads as an outage ("no answer": it may have been applied).
type callerGone struct{ error }

func (c callerGone) Unwrap() error { return c.error }

// call runs one issuer call under the breaker and the per-call timeout.
func call[T any](g *Issuer, ctx context.Context, operation string, fn func(context.Context) (T, error)) (_ T, err error) {
	var zero T
	ctx, span := g.tracer.Start(ctx, "issuer "+operation, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("provider", "issuer"), attribute.String("operation", operation)))
	defer func() {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "issuer call failed")
		}
		span.End()
	}()
	v, err := g.breaker.Execute(func() (any, error) {
		cctx, cancel := context.WithTimeout(ctx, g.timeout)
		defer cancel()
		v, err := fn(cctx)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			err = callerGone{err}
		case cctx.Err() != nil:
			err = &TimeoutError{Operation: operation, After: g.timeout, Cause: err}
		}
		return v, err
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return zero, card.ErrIssuerDown.WithDetails("The card issuer is not answering; nothing was sent, try again shortly").
			WithRetryAfter(g.retryAfter())
	}
	if Outage(err) {
		return zero, noAnswer{err}
	}
	if err != nil {
		// Passed on as the adapter said it: the domains read refusals
		// (swap.ErrCardDeclined, …) from it.
		return zero, err
	}
	t, _ := v.(T)
	return t, nil
}

func do(g *Issuer, ctx context.Context, operation string, fn func(context.Context) error) error {
	_, err := call(g, ctx, operation, func(c context.Context) (struct{}, error) { return struct{}{}, fn(c) })
	return err
}
