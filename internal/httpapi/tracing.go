package httpapi

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// startRequestSpan opens the request's server span, named by its route
// pattern (never the raw path: it carries ids). A client's traceparent is
// not continued: the edge starts every trace, so a caller cannot attach its
// requests to another's trace. The request id is on the span and the trace
// id in every log line, so either finds the other.
func (s *Server) startRequestSpan(r *http.Request, pattern string) (context.Context, trace.Span) {
	name := pattern
	if name == "" {
		name = r.Method + " (no route)"
	}
	return s.tracer.Start(r.Context(), name, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("http.route", pattern),
			attribute.String("request_id", httpkit.RequestID(r.Context()))))
}

// endRequestSpan records the outcome: the status, the final route label
// (rate_limited, method_not_allowed…) and an error status on 5xx only (a
// 4xx is the client's mistake, not the server's).
func endRequestSpan(span trace.Span, route string, status int) {
	span.SetAttributes(attribute.Int("http.response.status_code", status), attribute.String("route.outcome", route))
	if status >= http.StatusInternalServerError {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
}
