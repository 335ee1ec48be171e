package guard_test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/comecomepay/comecomepay/internal/providers/issuer/guard"
)

// TestIssuerCallSpans: every guarded call is a client span named by its
// operation, a child of the caller's span, marked failed when it fails.
func TestIssuerCallSpans(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	fail := errors.New("no such open card")
	calls := 0
	g := guard.New(&balances{answer: func(context.Context) error {
		calls++
		if calls == 2 {
			return fail
		}
		return nil
	}}, guard.Settings{Tracing: tp})
	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	if _, err := g.CardBalance(ctx, "609659162"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CardBalance(ctx, "609659162"); err == nil {
		t.Fatal("the second call should fail")
	}
	parent.End()
	var spans []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == "issuer card_balance" {
			spans = append(spans, s)
		}
	}
	if len(spans) != 2 {
		t.Fatalf("%d issuer spans, want 2", len(spans))
	}
	for i, s := range spans {
		if s.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %d is not the caller's child", i)
		}
	}
	if spans[0].Status().Code == codes.Error || spans[1].Status().Code != codes.Error {
		t.Errorf("statuses: %v, %v", spans[0].Status(), spans[1].Status())
	}
}
