// Package jobs builds the durable job queue (River) on the service's own
// database, so a job inserted in a transaction exists exactly when that
// transaction commits. Workers live beside their domains and are registered
// by the composition root.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Client is the job queue client: it inserts (InsertTx) and works jobs.
type Client = river.Client[*sql.Tx]

// Options tunes the queue.
type Options struct {
	PollInterval time.Duration
	Logger       *slog.Logger
	Metrics      prometheus.Registerer
	Periodic     []*river.PeriodicJob
	// JobTimeout is how long a job may run unless its worker says otherwise
	// (Timeout); zero means DefaultJobTimeout. Tests shorten it.
	JobTimeout time.Duration
	// Tracing makes each insert and each worked job a span; the job's span
	// links to the span that inserted it (its request), through the trace
	// context River keeps in the job's metadata.
	Tracing trace.TracerProvider
}

// DefaultJobTimeout bounds a job whose worker sets no Timeout of its own.
const DefaultJobTimeout = time.Minute

// RescueAfter is how long a job may stay `running` before River's rescuer
// takes it for dead (its process was killed mid-call) and schedules it
// again: the jobs' time-out plus as much again for a worker whose context
// was cancelled to return and record its outcome. River's default is an
// hour, which left an issuance task `processing` and a withdrawal
// `approved` that long after a crash; with the one-minute time-out a job
// resumes within about 2.5 min (the rescuer looks every 30 s). A worker
// with a longer Timeout of its own (the daily reconciliation) is left
// alone by the rescuer until that time-out has passed. Every worker is
// safe to run twice, so a rescue of a job that was merely slow is harmless.
func RescueAfter(jobTimeout time.Duration) time.Duration { return 2 * jobTimeout }

// New returns a client for db with the given workers; it works jobs after Start.
func New(db *store.DB, workers *river.Workers, opts Options) (*Client, error) {
	var driver riverdriver.Driver[*sql.Tx]
	if db.Engine == store.Postgres {
		driver = riverdatabasesql.New(db.SQL.DB)
	} else {
		driver = riversqlite.New(db.SQL.DB)
	}
	poll := opts.PollInterval
	if poll <= 0 {
		poll = time.Second
	}
	timeout := cmp.Or(opts.JobTimeout, DefaultJobTimeout)
	tracing := opts.Tracing
	if tracing == nil {
		tracing = tracenoop.NewTracerProvider() // tests that look at no spans
	}
	cfg := &river.Config{
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 10},
			"mail":             {MaxWorkers: 5},
		},
		Workers:           workers,
		Logger:            opts.Logger,
		FetchPollInterval: poll,
		FetchCooldown:     min(poll, 100*time.Millisecond),
		// Completed rows carry sealed payloads only, but there is no reason
		// to keep them long.
		CompletedJobRetentionPeriod: 24 * time.Hour,
		JobTimeout:                  timeout,
		RescueStuckJobsAfter:        RescueAfter(timeout),
		PeriodicJobs:                opts.Periodic,
		Middleware: []rivertype.Middleware{&watchTransactions{}, otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
			TracerProvider: tracing, MeterProvider: metricnoop.NewMeterProvider(),
			EnableTracePropagation: true, EnableWorkSpanJobKindSuffix: true,
		})},
	}
	if opts.Metrics != nil {
		m := newMetrics()
		if err := opts.Metrics.Register(m.outcomes); err != nil {
			return nil, fmt.Errorf("jobs: register metrics: %w", err)
		}
		cfg.Middleware = append(cfg.Middleware, m)
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: new client: %w", err)
	}
	return client, nil
}

// watchTransactions makes each worked job a unit of work for the pool's
// guard (store.WatchTransactions): a worker that queries the pool while
// its own transaction is open fails with store.ErrPoolInTx instead of
// hanging SQLite's connection until the job times out.
type watchTransactions struct{ river.MiddlewareDefaults }

// Work implements rivertype.WorkerMiddleware.
func (*watchTransactions) Work(ctx context.Context, _ *rivertype.JobRow, doInner func(context.Context) error) error {
	return doInner(store.WatchTransactions(ctx))
}

// metrics counts worked jobs by kind and outcome.
type metrics struct {
	river.MiddlewareDefaults
	outcomes *prometheus.CounterVec
}

func newMetrics() *metrics {
	return &metrics{outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "comecomepay_jobs_worked_total",
		Help: "Jobs worked, by kind and outcome (ok or error).",
	}, []string{"kind", "outcome"})}
}

// Work implements rivertype.WorkerMiddleware.
func (m *metrics) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	err := doInner(ctx)
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.outcomes.WithLabelValues(job.Kind, outcome).Inc()
	return err
}
