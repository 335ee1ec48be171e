package guard_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/providers/issuer/guard"
	"github.com/comecomepay/comecomepay/internal/swap"
)

func TestOutage(t *testing.T) {
	t.Parallel()
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), true},
		{"reset", reset, true},
		{"refused", os.NewSyscallError("connect", syscall.ECONNREFUSED), true},
		{"truncated", io.ErrUnexpectedEOF, true},
		{"503", &guard.ServerError{Operation: "recharge", Status: 503}, true},
		{"409", &guard.ServerError{Operation: "recharge", Status: 409}, false},
		{"declined", swap.ErrCardDeclined, false},
		{"refusal", errors.New("no such open card"), false},
		{"caller gone", context.Canceled, false},
	}
	for _, c := range cases {
		if got := guard.Outage(c.err); got != c.want {
			t.Errorf("%s: Outage = %v, want %v", c.name, got, c.want)
		}
	}
}

// balances is an issuer port that only answers CardBalance.
type balances struct {
	guard.Port
	answer func(ctx context.Context) error
	calls  int
}

func (b *balances) CardBalance(ctx context.Context, _ string) (money.Amount, error) {
	b.calls++
	return 0, b.answer(ctx)
}

// TestGuard: a hanging call ends at the timeout as "no answer"; refusals
// pass through and never trip the breaker; outages in a row open it, and
// then calls fail at once without reaching the issuer until a probe after
// the cool-down closes it again.
func TestGuard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	port := &balances{}
	g := guard.New(port, guard.Settings{CallTimeout: 50 * time.Millisecond, Failures: 2, Cooldown: 200 * time.Millisecond})

	port.answer = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	start := time.Now()
	_, err := g.CardBalance(ctx, "1")
	var timeout *guard.TimeoutError
	if !errors.Is(err, card.ErrIssuerNoAnswer) || !errors.As(err, &timeout) || time.Since(start) > time.Second {
		t.Fatalf("hanging call: %v after %s", err, time.Since(start))
	}

	refusal := errors.New("sandbox issuer: unknown card")
	port.answer = func(context.Context) error { return refusal }
	for range 5 {
		if _, err := g.CardBalance(ctx, "1"); err != refusal {
			t.Fatalf("refusal came back as %v", err)
		}
	}
	if g.State() != "closed" {
		t.Fatalf("refusals tripped the breaker: %s", g.State())
	}

	port.answer = func(context.Context) error { return &guard.ServerError{Operation: "card_balance", Status: 500} }
	for range 2 {
		if _, err := g.CardBalance(ctx, "1"); !errors.Is(err, card.ErrIssuerNoAnswer) {
			t.Fatalf("5xx came back as %v", err)
		}
	}
	before := port.calls
	_, err = g.CardBalance(ctx, "1")
	if e, ok := apperr.As(err); !ok || !errors.Is(e, card.ErrIssuerDown) || e.RetryAfter < time.Second {
		t.Fatalf("open breaker answered %v", err)
	}
	if port.calls != before {
		t.Fatal("an open breaker let a call through")
	}

	port.answer = func(context.Context) error { return nil }
	time.Sleep(250 * time.Millisecond)
	if _, err := g.CardBalance(ctx, "1"); err != nil || g.State() != "closed" || port.calls != before+1 {
		t.Fatalf("probe: %v, state %s, calls %d", err, g.State(), port.calls-before)
	}
}

// TestCallerDeadlineIsNotAnOutage: a caller whose own deadline (a job's
// time-out, say) is shorter than the guard's ends its calls early; that
// says nothing about the issuer, so it never opens the breaker, though
// the call still reads as "no answer" (it may have been applied).
func TestCallerDeadlineIsNotAnOutage(t *testing.T) {
	t.Parallel()
	port := &balances{answer: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}
	g := guard.New(port, guard.Settings{CallTimeout: time.Minute, Failures: 2, Cooldown: time.Minute})
	for range 4 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err := g.CardBalance(ctx, "1")
		cancel()
		if !errors.Is(err, card.ErrIssuerNoAnswer) {
			t.Fatalf("call cut by the caller's deadline: %v", err)
		}
	}
	if g.State() != "closed" || port.calls != 4 {
		t.Fatalf("the caller's own deadlines opened the breaker: %s after %d calls", g.State(), port.calls)
	}
}
