// Package faults puts transport faults between the platform and a card
// issuer adapter: latency, a call that hangs until its deadline, a broken
// connection and a 5xx answer, each either before the issuer applied the
// call or after it (the answer lost on the way back). It also records every
// call that reached the issuer, so tests can see which references were
// sent and how often. It is wired in sandbox mode only, under the guard,
// exactly where a real adapter's network would fail.
package faults

import (
	"context"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/comecomepay/comecomepay/internal/providers/issuer/guard"
)

// Kind is a kind of fault.
type Kind string

// The faults an issuer's network can produce.
const (
	// Latency delays the call by Fault.Delay, then makes it (a deadline
	// reached while waiting ends it unsent).
	Latency Kind = "latency"
	// Hang never answers: the call ends when its context does.
	Hang Kind = "timeout"
	// Reset breaks the connection (ECONNRESET).
	Reset Kind = "reset"
	// ServerError answers with a 5xx status (Fault.Status, 503 if zero).
	ServerError Kind = "server_error"
)

// Operations, as named in Calls and Inject.
const (
	OpIssueCard      = "issue_card"
	OpSetStatus      = "set_status"
	OpWithdraw       = "withdraw"
	OpRecharge       = "recharge"
	OpVoid           = "void"
	OpRevealCard     = "reveal_card"
	OpPIN            = "pin"
	OpSetPIN         = "set_pin"
	OpTradeQuery     = "trade_query"
	OpCardBalance    = "card_balance"
	OpConvert        = "convert_physical"
	OpVoidConversion = "void_conversion"
	OpSetPlan        = "set_3ds_plan"
	OpConfirm        = "confirm_3ds"
)

// Fault is one injected failure.
type Fault struct {
	Kind   Kind
	Delay  time.Duration // Latency
	Status int           // ServerError
	// Applied lets the issuer apply the call before the fault strikes: the
	// effect happened, only the answer is lost (a Latency fault ignores it).
	Applied bool
}

// Call is one call that reached the issuer port.
type Call struct {
	Operation string
	// Key identifies what the call was about: the idempotency reference of
	// money, issuance and order calls, else the card handle or 3DS
	// notification id.
	Key string
	// Fault is the fault injected into it ("" = none).
	Fault Kind
	// Applied tells whether the issuer was asked to apply it.
	Applied bool
}

// Issuer is the faulty issuer port.
type Issuer struct {
	next guard.Port

	mu      sync.Mutex
	pending map[string][]Fault
	down    *Fault
	calls   []Call
}

// New wraps next.
func New(next guard.Port) *Issuer { return &Issuer{next: next, pending: map[string][]Fault{}} }

// Inject makes the next n calls of operation suffer f (after any already
// queued for it).
func (f *Issuer) Inject(operation string, fault Fault, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.pending[operation] = append(f.pending[operation], fault)
	}
}

// Down makes every call of every operation suffer fault (after any queued
// for it) until Up: the issuer is down.
func (f *Issuer) Down(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = &fault
}

// Up ends Down.
func (f *Issuer) Up() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = nil
}

// Clear drops every queued fault and ends Down.
func (f *Issuer) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending, f.down = map[string][]Fault{}, nil
}

// Calls returns the calls of operation that reached the issuer port, in
// order ("" = every operation).
func (f *Issuer) Calls(operation string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if operation == "" || c.Operation == operation {
			out = append(out, c)
		}
	}
	return out
}

// Keys returns the keys of the calls of operation, in order.
func (f *Issuer) Keys(operation string) []string {
	var out []string
	for _, c := range f.Calls(operation) {
		out = append(out, c.Key)
	}
	return out
}

func (f *Issuer) take(operation, key string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var fault Fault
	q := f.pending[operation]
	ok := len(q) > 0
	if ok {
		fault, f.pending[operation] = q[0], q[1:]
	} else if f.down != nil {
		fault, ok = *f.down, true
	}
	applied := !ok || fault.Kind == Latency || fault.Applied
	f.calls = append(f.calls, Call{Operation: operation, Key: key, Fault: fault.Kind, Applied: applied})
	return fault, ok
}

// inject runs one call through its fault, if any.
func inject[T any](f *Issuer, ctx context.Context, operation, key string, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	fault, ok := f.take(operation, key)
	if !ok {
		return fn(ctx)
	}
	if fault.Kind == Latency {
		select {
		case <-time.After(fault.Delay):
			return fn(ctx)
		case <-ctx.Done():
			return zero, ctx.Err()
		}
	}
	if fault.Applied {
		_, _ = fn(ctx) // whatever the issuer answered is lost on the way back
	}
	switch fault.Kind {
	case Hang:
		<-ctx.Done()
		return zero, ctx.Err()
	case Reset:
		return zero, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	default:
		status := fault.Status
		if status == 0 {
			status = 503
		}
		return zero, &guard.ServerError{Operation: operation, Status: status}
	}
}

func injectErr(f *Issuer, ctx context.Context, operation, key string, fn func(context.Context) error) error {
	_, err := inject(f, ctx, operation, key, func(c context.Context) (struct{}, error) { return struct{}{}, fn(c) })
	return err
}
