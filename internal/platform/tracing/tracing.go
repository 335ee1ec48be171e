// Package tracing builds the OpenTelemetry tracer provider the service
// passes to every layer (HTTP, SQL, jobs, provider calls), and the log
// handler that puts the trace id into every log line.
//
// Tracing is off by default: spans are then created unsampled (they carry
// ids for the logs but record and export nothing). It is
// switched on by the standard OpenTelemetry variables (read by package
// config): OTEL_TRACES_EXPORTER=otlp, or an OTLP endpoint variable. The
// OTLP exporter itself reads the rest (OTEL_EXPORTER_OTLP_*: endpoint,
// headers, protocol, timeout), as every OpenTelemetry SDK does.
package tracing

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Settings switch tracing on; package config reads them from OTEL_*.
type Settings struct {
	// Enabled exports spans over OTLP/HTTP.
	Enabled     bool
	ServiceName string
}

// Provider is the tracer provider with its shutdown (flushes pending spans).
type Provider struct {
	trace.TracerProvider
	shutdown func(context.Context) error
}

// Shutdown flushes and stops the exporter; a no-op provider has nothing to do.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p.shutdown == nil {
		return nil
	}
	if err := p.shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: shutdown: %w", err)
	}
	return nil
}

// New returns the provider the settings ask for: an OTLP exporter in a
// batch processor when enabled; otherwise one that records nothing but
// still gives every request and job a trace id, so log lines can be
// followed together whether or not traces are exported.
func New(ctx context.Context, s Settings) (*Provider, error) {
	if !s.Enabled {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
		return &Provider{TracerProvider: tp, shutdown: tp.Shutdown}, nil
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(
		attribute.String("service.name", s.ServiceName), attribute.String("service.version", revision())))
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	return &Provider{TracerProvider: tp, shutdown: tp.Shutdown}, nil
}

// revision is the build's VCS revision ("dev" outside a checkout build).
func revision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "dev"
}

// Wrap makes a Provider of a provider built elsewhere (tests' in-memory
// recorder); its owner shuts it down.
func Wrap(tp trace.TracerProvider) *Provider { return &Provider{TracerProvider: tp} }

// Scope is the instrumentation scope name of the service's own spans.
const Scope = "github.com/comecomepay/comecomepay"

// ProviderClient returns an HTTP client for calls to the provider named
// name: each call is a client span ("provider <name> <METHOD>") carrying
// the status code, a child of the span in the request's context. The
// trace context is not sent to the provider (it is not ours to receive).
func ProviderClient(tp trace.TracerProvider, name string, base *http.Client) *http.Client {
	c := *base
	transport := c.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	c.Transport = otelhttp.NewTransport(transport,
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(noPropagation{}),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return "provider " + name + " " + r.Method }),
		otelhttp.WithSpanOptions(trace.WithAttributes(attribute.String("provider", name))),
	)
	return &c
}

// noPropagation sends no trace headers to providers.
type noPropagation struct{}

func (noPropagation) Inject(context.Context, propagation.TextMapCarrier) {}
func (noPropagation) Extract(ctx context.Context, _ propagation.TextMapCarrier) context.Context {
	return ctx
}
func (noPropagation) Fields() []string { return nil }
