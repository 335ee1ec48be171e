package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/comecomepay/comecomepay/internal/card"
)

// The series, documented for operators in docs/metrics.md.
var (
	withdrawalsOpen = prometheus.NewDesc("comecomepay_withdrawals_open",
		"Withdrawals not yet final, by status: pending waits for an operator, approved waits for custody to settle.",
		[]string{"status"}, nil)
	withdrawalsOldest = prometheus.NewDesc("comecomepay_withdrawals_open_oldest_age_seconds",
		"Age of the oldest withdrawal in each open status (0 when none).", []string{"status"}, nil)
	depositsOpen = prometheus.NewDesc("comecomepay_deposits_open",
		"Deposits not yet final, by status: pending waits for custody's confirmation, unmatched (to no known address) for an operator.",
		[]string{"status"}, nil)
	depositsOldest = prometheus.NewDesc("comecomepay_deposits_open_oldest_age_seconds",
		"Age of the oldest deposit in each open status (0 when none).", []string{"status"}, nil)
	cardTasksOpen = prometheus.NewDesc("comecomepay_card_tasks_open",
		"Card issuance tasks not yet final, by status (pending, processing).", []string{"status"}, nil)
	cardTasksOldest = prometheus.NewDesc("comecomepay_card_tasks_open_oldest_age_seconds",
		"Age of the oldest card issuance task in each open status (0 when none).", []string{"status"}, nil)
	cardIssuance = prometheus.NewDesc("comecomepay_card_issuance_seconds",
		"Time from card application to issued card, of the tasks completed within the window (1h or 24h), by card type (virtual, physical).",
		[]string{"type", "window"}, nil)
	cardTasksFailed = prometheus.NewDesc("comecomepay_card_tasks_failed",
		"Card issuance tasks that failed within the window (1h or 24h), by card type.", []string{"type", "window"}, nil)
	reconMismatches = prometheus.NewDesc("comecomepay_reconciliation_mismatches",
		"Differences the latest reconciliation run of each kind (issuer_cards, custody) found; issuer_cards reports 0 before its first run, custody only once it has run.", []string{"kind"}, nil)
	reconChecked = prometheus.NewDesc("comecomepay_reconciliation_checked",
		"Records the latest reconciliation run of each kind compared.", []string{"kind"}, nil)
	reconLastRun = prometheus.NewDesc("comecomepay_reconciliation_last_run_timestamp_seconds",
		"Unix time of the latest reconciliation run of each kind (0 when none has run).", []string{"kind"}, nil)
	webhookEvents = prometheus.NewDesc("comecomepay_webhook_events",
		"Inbound provider events needing attention, by provider and state: received (not processed yet), failed (last processing attempt failed, retrying), unmatched (within the last 24h: nothing of ours to apply them to).",
		[]string{"provider", "state"}, nil)
	webhookOldest = prometheus.NewDesc("comecomepay_webhook_events_oldest_age_seconds",
		"Age of the oldest event in each attention state, by provider (0 when none).", []string{"provider", "state"}, nil)
	jobsByState = prometheus.NewDesc("comecomepay_jobs",
		"Background jobs by kind and state: River's available, running and retryable; stuck (available, due for over 5 min) and long_running (running for over 10 min), subsets of those; discarded (out of attempts within the last hour). Kinds with none are left out.",
		[]string{"kind", "state"}, nil)

	allDescs = []*prometheus.Desc{withdrawalsOpen, withdrawalsOldest, depositsOpen, depositsOldest, cardTasksOpen, cardTasksOldest,
		cardIssuance, cardTasksFailed, reconMismatches, reconChecked, reconLastRun, webhookEvents, webhookOldest, jobsByState}
)

// Issuance buckets: a virtual card takes seconds, a physical one (or an
// issuer outage the recovery jobs ride out) hours.
var issuanceBounds = []time.Duration{time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute,
	2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour, 4 * time.Hour, 24 * time.Hour}

// Windows of the recent issuances.
var windows = []struct {
	label string
	span  time.Duration
}{{"1h", time.Hour}, {"24h", 24 * time.Hour}}

// unmatchedWindow is how far back unmatched webhook events are counted.
const unmatchedWindow = 24 * time.Hour

type source struct {
	name string
	read func(ctx context.Context, d Deps, now time.Time) ([]prometheus.Metric, error)
}

// sources are read in this order on each collection; each fails alone.
var sources = []source{
	{"withdrawals", readWithdrawals},
	{"deposits", readDeposits},
	{"card_tasks", readCardTasks},
	{"card_issuance", readCardIssuance},
	{"reconciliation", readReconciliation},
	{"webhooks", readWebhooks},
	{"jobs", readJobs},
}

func gauge(desc *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
}

// age is how long ago oldest was, 0 for none.
func age(now, oldest time.Time) float64 {
	if oldest.IsZero() || oldest.After(now) {
		return 0
	}
	return now.Sub(oldest).Seconds()
}

func readWithdrawals(ctx context.Context, d Deps, now time.Time) ([]prometheus.Metric, error) {
	open, err := d.Wallet.OpenWithdrawals(ctx)
	if err != nil {
		return nil, err
	}
	var out []prometheus.Metric
	for _, b := range open {
		out = append(out, gauge(withdrawalsOpen, float64(b.Count), b.Status), gauge(withdrawalsOldest, age(now, b.Oldest), b.Status))
	}
	return out, nil
}

func readDeposits(ctx context.Context, d Deps, now time.Time) ([]prometheus.Metric, error) {
	open, err := d.Wallet.OpenDeposits(ctx)
	if err != nil {
		return nil, err
	}
	var out []prometheus.Metric
	for _, b := range open {
		out = append(out, gauge(depositsOpen, float64(b.Count), b.Status), gauge(depositsOldest, age(now, b.Oldest), b.Status))
	}
	return out, nil
}

func readCardTasks(ctx context.Context, d Deps, now time.Time) ([]prometheus.Metric, error) {
	open, err := d.Cards.OpenTasks(ctx)
	if err != nil {
		return nil, err
	}
	var out []prometheus.Metric
	for _, b := range open {
		status := string(b.Status)
		out = append(out, gauge(cardTasksOpen, float64(b.Count), status), gauge(cardTasksOldest, age(now, b.Oldest), status))
	}
	return out, nil
}

// readCardIssuance builds a histogram per card type and window from the
// bucket counts the card domain computes in SQL: the rows themselves are
// never fetched.
func readCardIssuance(ctx context.Context, d Deps, now time.Time) ([]prometheus.Metric, error) {
	upper := make([]float64, len(issuanceBounds))
	for i, b := range issuanceBounds {
		upper[i] = b.Seconds()
	}
	var out []prometheus.Metric
	for _, w := range windows {
		finished, err := d.Cards.FinishedSince(ctx, now.Add(-w.span), issuanceBounds)
		if err != nil {
			return nil, err
		}
		type summary struct {
			completed card.FinishedTasks
			failed    int
		}
		byType := map[string]*summary{"virtual": {}, "physical": {}}
		for _, f := range finished {
			s := byType[cardType(f.Physical)]
			switch f.Status {
			case card.TaskCompleted:
				s.completed = f
			case card.TaskFailed:
				s.failed = f.Count
			}
		}
		for _, typ := range []string{"virtual", "physical"} {
			s := byType[typ]
			buckets := make(map[float64]uint64, len(upper))
			for i, u := range upper {
				n := 0
				if i < len(s.completed.Within) {
					n = s.completed.Within[i]
				}
				buckets[u] = uint64(n)
			}
			h, err := prometheus.NewConstHistogram(cardIssuance, uint64(s.completed.Count), s.completed.Total.Seconds(), buckets, typ, w.label)
			if err != nil {
				return nil, err
			}
			out = append(out, h, gauge(cardTasksFailed, float64(s.failed), typ, w.label))
		}
	}
	return out, nil
}

func cardType(physical bool) string {
	if physical {
		return "physical"
	}
	return "virtual"
}

func readReconciliation(ctx context.Context, d Deps, _ time.Time) ([]prometheus.Metric, error) {
	runs, err := d.Cards.LatestReconciliations(ctx)
	if err != nil {
		return nil, err
	}
	var out []prometheus.Metric
	for _, r := range runs {
		last := 0.0
		if !r.RunAt.IsZero() {
			last = float64(r.RunAt.UnixMilli()) / 1000
		}
		out = append(out, gauge(reconMismatches, float64(r.Mismatches), r.Kind), gauge(reconChecked, float64(r.Checked), r.Kind),
			gauge(reconLastRun, last, r.Kind))
	}
	custody, err := d.Wallet.LatestCustodyReconciliation(ctx)
	if err != nil {
		return nil, err
	}
	// Reported once it has run: a service without a custody adapter never
	// runs it, and a 0 would page about a reconciliation it does not have.
	if !custody.RunAt.IsZero() {
		out = append(out, gauge(reconMismatches, float64(custody.Mismatches), "custody"),
			gauge(reconChecked, float64(custody.Checked), "custody"),
			gauge(reconLastRun, float64(custody.RunAt.UnixMilli())/1000, "custody"))
	}
	return out, nil
}

func readWebhooks(ctx context.Context, d Deps, now time.Time) ([]prometheus.Metric, error) {
	backlog, err := d.Webhooks.Backlog(ctx, now.Add(-unmatchedWindow))
	if err != nil {
		return nil, err
	}
	var out []prometheus.Metric
	for _, b := range backlog {
		out = append(out, gauge(webhookEvents, float64(b.Count), b.Provider, b.Status),
			gauge(webhookOldest, age(now, b.Oldest), b.Provider, b.Status))
	}
	return out, nil
}

func readJobs(ctx context.Context, d Deps, _ time.Time) ([]prometheus.Metric, error) {
	kinds, err := d.Jobs.Counts(ctx)
	if err != nil {
		return nil, err
	}
	var out []prometheus.Metric
	for _, k := range kinds {
		for state, n := range map[string]int{"available": k.Available, "running": k.Running, "retryable": k.Retryable,
			"stuck": k.Stuck, "long_running": k.LongRunning, "discarded": k.Discarded} {
			out = append(out, gauge(jobsByState, float64(n), k.Kind, state))
		}
	}
	return out, nil
}
