package store

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// tracerScope names the spans of this package.
const tracerScope = "github.com/comecomepay/comecomepay/internal/store"

// Trace makes every transaction (InTx) and every statement on the pool a
// span of tp: a transaction's statements run inside its span, so a slow
// request shows which unit of work held the connection. Until Trace is
// called the spans are a no-op tracer's.
func (db *DB) Trace(tp trace.TracerProvider) {
	t := tp.Tracer(tracerScope)
	db.tracer, db.SQL.tracer = t, t
}

func noopTracer() trace.Tracer { return noop.NewTracerProvider().Tracer(tracerScope) }

// startStatement opens the span of one statement on the pool. The text is
// the constant SQL with its placeholders (never the arguments).
func (p *Pool) startStatement(ctx context.Context, engine, query string) (context.Context, trace.Span) {
	op, _, _ := strings.Cut(strings.TrimSpace(query), " ")
	return p.tracer.Start(ctx, "db "+strings.ToUpper(op), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", engine), attribute.String("db.query.text", query)))
}

// endSpan records err (if any) and ends span.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "failed")
	}
	span.End()
}
