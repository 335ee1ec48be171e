package config

import (
	"fmt"
	"strings"
)

// Tracing is the OpenTelemetry set-up, read from the standard OTEL_*
// variables (not COMECOMEPAY_*: every OpenTelemetry SDK and collector
// guide uses these names). Off unless asked for.
type Tracing struct {
	// Export sends spans over OTLP/HTTP; the exporter reads
	// OTEL_EXPORTER_OTLP_* (endpoint, headers, protocol) itself.
	Export      bool
	ServiceName string
}

// loadTracing: OTEL_TRACES_EXPORTER=otlp, or unset with an OTLP endpoint
// set, turns export on; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none
// keeps it off. Other exporters are not built in.
func loadTracing(getenv func(string) string, errs *[]error) Tracing {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	t := Tracing{ServiceName: get("OTEL_SERVICE_NAME")}
	if t.ServiceName == "" {
		t.ServiceName = "comecomepay"
	}
	if strings.EqualFold(get("OTEL_SDK_DISABLED"), "true") {
		return t
	}
	switch exporter := strings.ToLower(get("OTEL_TRACES_EXPORTER")); exporter {
	case "otlp":
		t.Export = true
	case "":
		t.Export = get("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	case "none":
	default:
		*errs = append(*errs, fmt.Errorf("OTEL_TRACES_EXPORTER: %q is not supported (otlp or none)", exporter))
	}
	return t
}
