package config_test

import (
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/config"
)

// TestTracingSettings: export is off unless the standard OpenTelemetry
// variables ask for OTLP; an exporter we do not build is refused.
func TestTracingSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env    map[string]string
		export bool
		name   string
		err    string
	}{
		{map[string]string{}, false, "comecomepay", ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SERVICE_NAME": "ccp-eu"}, true, "ccp-eu", ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true, "comecomepay", ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true, "comecomepay", ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"}, false, "comecomepay", ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}, false, "comecomepay", ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, "comecomepay", "OTEL_TRACES_EXPORTER"},
	} {
		c, err := config.Load(env(tc.env))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || c.Tracing.Export != tc.export || c.Tracing.ServiceName != tc.name {
			t.Errorf("%v: %+v %v, want export=%v service=%s", tc.env, c.Tracing, err, tc.export, tc.name)
		}
	}
}
