package app

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/comecomepay/comecomepay/internal/jobs"
	"github.com/comecomepay/comecomepay/internal/metrics"
)

// registerBusinessMetrics adds the business and queue metrics (read from
// the domains at scrape time, cached) to the registry /metrics serves.
func registerBusinessMetrics(registry prometheus.Registerer, a *App, now func() time.Time) error {
	collector, err := metrics.New(metrics.Deps{Wallet: a.Wallets, Cards: a.Cards, Webhooks: a.Inbox,
		Jobs: jobs.NewBacklog(a.DB), Log: a.Log, Now: now})
	if err != nil {
		return fmt.Errorf("app: business metrics: %w", err)
	}
	if err := registry.Register(collector); err != nil {
		return fmt.Errorf("app: register business metrics: %w", err)
	}
	return nil
}
