// Package providermetrics counts the calls made to upstream providers
// (custody, KYC, push, the card issuer) by outcome and times them, so an
// operator sees a provider failing or throttling us before users do.
package providermetrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcome is how a provider call ended.
type Outcome string

// Outcomes, the values of the outcome label.
const (
	OK        Outcome = "ok"      // an answer below 400
	Refused   Outcome = "4xx"     // an answer 400–499 other than 429, or a business refusal
	Throttled Outcome = "429"     // the provider asks us to slow down
	Failed    Outcome = "5xx"     // the provider answered with a server error
	TimedOut  Outcome = "timeout" // no answer in time
	Broken    Outcome = "error"   // no answer: connection refused or reset, DNS, TLS
)

// Outcomes lists every outcome, so that each series exists from the start
// and a rate over it is defined before the first failure.
var Outcomes = []Outcome{OK, Refused, Throttled, Failed, TimedOut, Broken}

// Metrics are the provider call metrics of one registry.
type Metrics struct {
	calls   *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

// For returns the provider call metrics registered on reg, registering them
// on first use, so every adapter built on one registry shares one family.
func For(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "comecomepay_provider_calls_total",
			Help: "Calls to upstream providers by provider and outcome (ok, 4xx, 429, 5xx, timeout, error).",
		}, []string{"provider", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "comecomepay_provider_call_duration_seconds",
			Help:    "Time until an upstream provider's answer (its headers) or the failure, by provider.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 15, 30},
		}, []string{"provider"}),
	}
	var err error
	if m.calls, err = register(reg, m.calls); err != nil {
		return nil, err
	}
	if m.latency, err = register(reg, m.latency); err != nil {
		return nil, err
	}
	return m, nil
}

// MustFor is For for the composition root, where a conflicting collector
// of the same name is a programming error.
func MustFor(reg prometheus.Registerer) *Metrics {
	m, err := For(reg)
	if err != nil {
		panic(err)
	}
	return m
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) {
		if existing, ok := already.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	if err != nil {
		var zero C
		return zero, fmt.Errorf("providermetrics: register: %w", err)
	}
	return c, nil
}

// Provider prepares the series of provider: every outcome at zero.
func (m *Metrics) Provider(provider string) {
	for _, o := range Outcomes {
		m.calls.WithLabelValues(provider, string(o))
	}
}

// Observe records one call.
func (m *Metrics) Observe(provider string, outcome Outcome, took time.Duration) {
	m.calls.WithLabelValues(provider, string(outcome)).Inc()
	m.latency.WithLabelValues(provider).Observe(took.Seconds())
}

// Transport wraps next (http.DefaultTransport when nil) so that every
// request through it is counted and timed as a call to provider.
func (m *Metrics) Transport(provider string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	m.Provider(provider)
	return &transport{metrics: m, provider: provider, next: next}
}

// Client is an HTTP client for provider's adapter: its calls are counted
// and timed, and each is bounded by timeout.
func (m *Metrics) Client(provider string, timeout time.Duration) *http.Client {
	return &http.Client{Transport: m.Transport(provider, nil), Timeout: timeout}
}

// Client is an instrumented HTTP client for provider with the metrics of
// reg (see Metrics.Client). It panics if reg holds another collector under
// the metrics' names, as prometheus.MustRegister does.
func Client(reg prometheus.Registerer, provider string, timeout time.Duration) *http.Client {
	return MustFor(reg).Client(provider, timeout)
}

type transport struct {
	metrics  *Metrics
	provider string
	next     http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := t.next.RoundTrip(req)
	status := 0
	if res != nil {
		status = res.StatusCode
	}
	outcome := Classify(status, err)
	// http.Client.Timeout reaches the transport as a cancelled request,
	// not as a deadline error: the deadline having passed tells them apart.
	if deadline, ok := req.Context().Deadline(); ok && err != nil && !time.Now().Before(deadline) {
		outcome = TimedOut
	}
	t.metrics.Observe(t.provider, outcome, time.Since(start))
	return res, err
}

// Classify names the outcome of a call that got HTTP status (0 when there
// was no answer) or err.
func Classify(status int, err error) Outcome {
	var netErr net.Error
	switch {
	case err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout()):
		return TimedOut
	case err != nil:
		return Broken
	case status == http.StatusTooManyRequests:
		return Throttled
	case status >= 500:
		return Failed
	case status >= 400:
		return Refused
	}
	return OK
}
