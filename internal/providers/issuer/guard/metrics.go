package guard

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/platform/providermetrics"
	"github.com/comecomepay/comecomepay/internal/threeds"
)

// ProviderName labels the issuer's series among the provider metrics.
const ProviderName = "issuer"

// Instrument counts and times every call that reaches the adapter next,
// for the provider metrics. It belongs under the guard (New(Instrument(a,
// m), …)): the guard's time-out then shows as a timeout, and calls the open
// breaker refuses, which never reach the issuer, are not counted as calls.
// Methods a later Port gains pass through uncounted until listed here.
func Instrument(next Port, m *providermetrics.Metrics) Port {
	m.Provider(ProviderName)
	return &instrumented{Port: next, metrics: m}
}

// BreakerCollector reports the circuit breaker: 1 while it is open or
// half-open (probing), 0 while closed.
func (g *Issuer) BreakerCollector() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "comecomepay_provider_circuit_open",
		Help:        "1 while the provider's circuit breaker is open or probing (calls fail fast), 0 while closed.",
		ConstLabels: prometheus.Labels{"provider": ProviderName},
	}, func() float64 {
		if g.breaker.State().String() == "closed" {
			return 0
		}
		return 1
	})
}

// outcome classifies an adapter's answer. An error without an HTTP status
// that is no outage is the issuer refusing the call (an unknown card, a
// balance too low): an answer, counted with the 4xx.
func outcome(err error) providermetrics.Outcome {
	var status interface{ UpstreamStatus() int }
	switch {
	case err == nil:
		return providermetrics.OK
	case errors.Is(err, context.DeadlineExceeded):
		return providermetrics.TimedOut
	case errors.As(err, &status):
		return providermetrics.Classify(status.UpstreamStatus(), nil)
	case errors.Is(err, context.Canceled), Outage(err):
		return providermetrics.Broken
	}
	return providermetrics.Refused
}

type instrumented struct {
	Port
	metrics *providermetrics.Metrics
}

func (i *instrumented) observe(start time.Time, err *error) {
	i.metrics.Observe(ProviderName, outcome(*err), time.Since(start))
}

func (i *instrumented) IssueCard(ctx context.Context, req card.IssueRequest) (_ card.IssuedCard, err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.IssueCard(ctx, req)
}

func (i *instrumented) SetStatus(ctx context.Context, publicToken string, code card.IssuerCode) (err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.SetStatus(ctx, publicToken, code)
}

func (i *instrumented) Withdraw(ctx context.Context, publicToken string, amount money.Amount, reference string) (err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.Withdraw(ctx, publicToken, amount, reference)
}

func (i *instrumented) Recharge(ctx context.Context, publicToken string, amount money.Amount, reference string) (err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.Recharge(ctx, publicToken, amount, reference)
}

func (i *instrumented) Void(ctx context.Context, reference string) (_ bool, err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.Void(ctx, reference)
}

func (i *instrumented) RevealCard(ctx context.Context, publicToken string) (_ card.CardSecrets, err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.RevealCard(ctx, publicToken)
}

func (i *instrumented) PIN(ctx context.Context, publicToken string) (_ card.Revealed, err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.PIN(ctx, publicToken)
}

func (i *instrumented) SetPIN(ctx context.Context, publicToken string, pin card.Revealed) (err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.SetPIN(ctx, publicToken, pin)
}

func (i *instrumented) TradeState(ctx context.Context, publicToken string, tradeID int64) (_ card.IssuerTrade, err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.TradeState(ctx, publicToken, tradeID)
}

func (i *instrumented) CardBalance(ctx context.Context, publicToken string) (_ money.Amount, err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.CardBalance(ctx, publicToken)
}

func (i *instrumented) ConvertToPhysical(ctx context.Context, req physical.ConvertRequest) (_ string, err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.ConvertToPhysical(ctx, req)
}

func (i *instrumented) VoidConversion(ctx context.Context, reference string) (_ bool, _ string, err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.VoidConversion(ctx, reference)
}

func (i *instrumented) SetPlan(ctx context.Context, publicToken string, plan threeds.Plan) (err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.SetPlan(ctx, publicToken, plan)
}

func (i *instrumented) Confirm(ctx context.Context, notificationID string, approve bool) (err error) {
	defer i.observe(time.Now(), &err)
	return i.Port.Confirm(ctx, notificationID, approve)
}
