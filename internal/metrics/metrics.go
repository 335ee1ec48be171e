// Package metrics reports the state of the business and of the job queue
// to Prometheus: open withdrawals and deposits, the card issuance backlog
// and latency, the reconciliation, the webhook inbox and stuck or retrying
// jobs. It is read at scrape time from the owning domains (each table is
// read by its owner) and cached briefly, so that frequent scrapes or
// several Prometheus servers cost the database one collection per CacheFor.
package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/jobs"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/wallet"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// Wallet is the withdrawal and deposit backlog and the custody
// reconciliation (wallet.Service).
type Wallet interface {
	OpenWithdrawals(ctx context.Context) ([]wallet.Backlog, error)
	OpenDeposits(ctx context.Context) ([]wallet.Backlog, error)
	LatestCustodyReconciliation(ctx context.Context) (wallet.LastCustodyReconciliation, error)
}

// Cards is the issuance backlog, recent issuances and the reconciliation
// (card.Service).
type Cards interface {
	OpenTasks(ctx context.Context) ([]card.TaskBacklog, error)
	FinishedSince(ctx context.Context, since time.Time, bounds []time.Duration) ([]card.FinishedTasks, error)
	LatestReconciliations(ctx context.Context) ([]card.ReconciliationSummary, error)
}

// Webhooks is the inbox's backlog (webhook.Inbox).
type Webhooks interface {
	Backlog(ctx context.Context, unmatchedSince time.Time) ([]webhook.Backlog, error)
}

// Jobs is the queue's backlog (jobs.Backlog).
type Jobs interface {
	Counts(ctx context.Context) ([]jobs.KindBacklog, error)
}

// Defaults for zero Deps fields.
const (
	// DefaultCacheFor is about two scrape intervals of a usual Prometheus
	// set-up: the figures move slowly and the alerts wait minutes anyway.
	DefaultCacheFor = 30 * time.Second
	// DefaultTimeout bounds one collection below Prometheus' default
	// scrape time-out (10 s), so a slow database costs figures, not the scrape.
	DefaultTimeout = 5 * time.Second
)

// Deps are the collector's sources.
type Deps struct {
	Wallet   Wallet
	Cards    Cards
	Webhooks Webhooks
	Jobs     Jobs
	Log      *slog.Logger
	// Now is the services' clock: the windows and ages are measured on the
	// clock the records were written with.
	Now func() time.Time
	// CacheFor is how long one collection is served; zero means
	// DefaultCacheFor, negative collects on every scrape (tests).
	CacheFor time.Duration
	// Timeout bounds one collection; zero means DefaultTimeout.
	Timeout time.Duration
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("metrics", deps.Wired{"Wallet": d.Wallet != nil, "Cards": d.Cards != nil,
		"Webhooks": d.Webhooks != nil, "Jobs": d.Jobs != nil, "Log": d.Log != nil, "Now": d.Now != nil})
}

// Collector is the prometheus.Collector of the business and queue metrics.
type Collector struct {
	d      Deps
	errors *prometheus.CounterVec
	took   prometheus.Gauge

	// mu is held during a collection: concurrent scrapes wait for it and
	// share its result instead of each querying the database.
	mu        sync.Mutex
	collected time.Time // wall clock of the cached collection
	cached    []prometheus.Metric
}

// New returns the collector; register it on the registry /metrics serves.
func New(d Deps) (*Collector, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	if d.CacheFor == 0 {
		d.CacheFor = DefaultCacheFor
	}
	if d.Timeout <= 0 {
		d.Timeout = DefaultTimeout
	}
	c := &Collector{d: d,
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "comecomepay_metrics_collect_errors_total",
			Help: "Failed reads of the business and queue metrics, by source; that source's series are missing until a read succeeds.",
		}, []string{"source"}),
		took: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "comecomepay_metrics_collect_duration_seconds",
			Help: "Time the latest collection of the business and queue metrics took (all sources, database reads included).",
		}),
	}
	for _, s := range sources {
		c.errors.WithLabelValues(s.name)
	}
	return c, nil
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
	c.errors.Describe(ch)
	c.took.Describe(ch)
}

// Collect implements prometheus.Collector. A source that fails is left
// out (and counted in comecomepay_metrics_collect_errors_total), so a
// database hiccup never fails the whole scrape.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.snapshot() {
		ch <- m
	}
	c.errors.Collect(ch)
	c.took.Collect(ch)
}

func (c *Collector) snapshot() []prometheus.Metric {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached != nil && c.d.CacheFor > 0 && time.Since(c.collected) < c.d.CacheFor {
		return c.cached
	}
	start := time.Now()
	// Collect has no context of its own; the time-out bounds the reads.
	ctx, cancel := context.WithTimeout(context.Background(), c.d.Timeout)
	defer cancel()
	out := []prometheus.Metric{}
	now := c.d.Now()
	for _, s := range sources {
		ms, err := s.read(ctx, c.d, now)
		if err != nil {
			c.errors.WithLabelValues(s.name).Inc()
			c.d.Log.WarnContext(ctx, "metrics: a source failed; its series are left out of this scrape", "source", s.name, "error", err)
			continue
		}
		out = append(out, ms...)
	}
	c.took.Set(time.Since(start).Seconds())
	c.cached, c.collected = out, time.Now()
	return out
}
