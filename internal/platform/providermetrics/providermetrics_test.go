package providermetrics_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/comecomepay/comecomepay/internal/platform/providermetrics"
)

// counts reads comecomepay_provider_calls_total by provider and outcome.
func counts(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range families {
		if mf.GetName() != "comecomepay_provider_calls_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			out[label(m, "provider")+" "+label(m, "outcome")] = m.GetCounter().GetValue()
		}
	}
	return out
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func TestClientCountsEachOutcome(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(300 * time.Millisecond)
		}
		status, _ := strconv.Atoi(r.URL.Query().Get("status"))
		w.WriteHeader(max(status, 200))
	}))
	defer srv.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + closed.Addr().String()
	_ = closed.Close()

	reg := prometheus.NewPedanticRegistry()
	client := providermetrics.Client(reg, "udun", 100*time.Millisecond)
	// A second adapter on the same registry shares the family.
	other := providermetrics.Client(reg, "didit", time.Second)
	for _, url := range []string{srv.URL + "/?status=200", srv.URL + "/?status=404", srv.URL + "/?status=429", srv.URL + "/?status=503",
		srv.URL + "/slow", refused} {
		res, err := client.Get(url)
		if err == nil {
			_ = res.Body.Close()
		}
	}
	if res, err := other.Get(srv.URL); err == nil {
		_ = res.Body.Close()
	}
	got := counts(t, reg)
	for key, want := range map[string]float64{"udun ok": 1, "udun 4xx": 1, "udun 429": 1, "udun 5xx": 1, "udun timeout": 1, "udun error": 1,
		"didit ok": 1, "didit 5xx": 0} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v (all: %v)", key, got[key], want, got)
		}
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status int
		err    error
		want   providermetrics.Outcome
	}{
		{200, nil, providermetrics.OK}, {302, nil, providermetrics.OK}, {400, nil, providermetrics.Refused},
		{429, nil, providermetrics.Throttled}, {500, nil, providermetrics.Failed}, {0, errors.New("tls"), providermetrics.Broken},
		{0, &net.OpError{Op: "dial", Err: timeoutErr{}}, providermetrics.TimedOut},
	} {
		if got := providermetrics.Classify(c.status, c.err); got != c.want {
			t.Errorf("Classify(%d, %v) = %s, want %s", c.status, c.err, got, c.want)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
