package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/jobs"
	"github.com/comecomepay/comecomepay/internal/metrics"
	"github.com/comecomepay/comecomepay/internal/wallet"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// fakes counts the reads and can fail the wallet's.
type fakes struct {
	reads      int
	walletDown bool
	now        time.Time
}

func (f *fakes) OpenWithdrawals(context.Context) ([]wallet.Backlog, error) {
	f.reads++
	if f.walletDown {
		return nil, errors.New("database gone")
	}
	return []wallet.Backlog{{Status: "pending", Count: 3, Oldest: f.now.Add(-time.Hour)}, {Status: "approved"}}, nil
}

func (f *fakes) OpenDeposits(context.Context) ([]wallet.Backlog, error) {
	return []wallet.Backlog{{Status: "pending"}, {Status: "unmatched", Count: 1, Oldest: f.now.Add(-time.Minute)}}, nil
}

func (f *fakes) LatestCustodyReconciliation(context.Context) (wallet.LastCustodyReconciliation, error) {
	return wallet.LastCustodyReconciliation{RunAt: time.Unix(1_700_000_100, 0), Checked: 5}, nil
}

func (f *fakes) OpenTasks(context.Context) ([]card.TaskBacklog, error) {
	return []card.TaskBacklog{{Status: card.TaskPending}, {Status: card.TaskProcessing}}, nil
}

func (f *fakes) FinishedSince(_ context.Context, _ time.Time, bounds []time.Duration) ([]card.FinishedTasks, error) {
	within := make([]int, len(bounds))
	for i, b := range bounds {
		if b >= 10*time.Second {
			within[i] = 2
		} else if b >= 3*time.Second {
			within[i] = 1
		}
	}
	return []card.FinishedTasks{{Status: card.TaskCompleted, Count: 2, Total: 13 * time.Second, Within: within},
		{Physical: true, Status: card.TaskFailed, Count: 4}}, nil
}

func (f *fakes) LatestReconciliations(context.Context) ([]card.ReconciliationSummary, error) {
	return []card.ReconciliationSummary{{Kind: "issuer_cards", RunAt: time.Unix(1_700_000_000, 0), Checked: 10, Mismatches: 2}}, nil
}

func (f *fakes) Backlog(context.Context, time.Time) ([]webhook.Backlog, error) {
	return []webhook.Backlog{{Provider: "custody", Status: "failed", Count: 1, Oldest: f.now.Add(-30 * time.Second)}}, nil
}

func (f *fakes) Counts(context.Context) ([]jobs.KindBacklog, error) {
	return []jobs.KindBacklog{{Kind: "wallet.submit", Retryable: 4, Stuck: 1, Available: 1}}, nil
}

func newCollector(t *testing.T, f *fakes, cacheFor time.Duration) *prometheus.Registry {
	t.Helper()
	c, err := metrics.New(metrics.Deps{Wallet: f, Cards: f, Webhooks: f, Jobs: f, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return f.now }, CacheFor: cacheFor})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	return reg
}

// scrape serves reg once and returns the exposition text.
func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// contains fails the test for each line of want that the scrape lacks.
func contains(t *testing.T, body, want string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("scrape lacks %q", line)
		}
	}
}

func TestCollectorReportsTheSources(t *testing.T) {
	t.Parallel()
	f := &fakes{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	reg := newCollector(t, f, -1)
	want := `
# HELP comecomepay_withdrawals_open Withdrawals not yet final, by status: pending waits for an operator, approved waits for custody to settle.
# TYPE comecomepay_withdrawals_open gauge
comecomepay_withdrawals_open{status="approved"} 0
comecomepay_withdrawals_open{status="pending"} 3
# HELP comecomepay_withdrawals_open_oldest_age_seconds Age of the oldest withdrawal in each open status (0 when none).
# TYPE comecomepay_withdrawals_open_oldest_age_seconds gauge
comecomepay_withdrawals_open_oldest_age_seconds{status="approved"} 0
comecomepay_withdrawals_open_oldest_age_seconds{status="pending"} 3600
# HELP comecomepay_card_tasks_failed Card issuance tasks that failed within the window (1h or 24h), by card type.
# TYPE comecomepay_card_tasks_failed gauge
comecomepay_card_tasks_failed{type="physical",window="1h"} 4
comecomepay_card_tasks_failed{type="physical",window="24h"} 4
comecomepay_card_tasks_failed{type="virtual",window="1h"} 0
comecomepay_card_tasks_failed{type="virtual",window="24h"} 0
# HELP comecomepay_reconciliation_last_run_timestamp_seconds Unix time of the latest reconciliation run of each kind (0 when none has run).
# TYPE comecomepay_reconciliation_last_run_timestamp_seconds gauge
comecomepay_reconciliation_last_run_timestamp_seconds{kind="custody"} 1.7000001e+09
comecomepay_reconciliation_last_run_timestamp_seconds{kind="issuer_cards"} 1.7e+09
# HELP comecomepay_jobs Background jobs by kind and state: River's available, running and retryable; stuck (available, due for over 5 min) and long_running (running for over 10 min), subsets of those; discarded (out of attempts within the last hour). Kinds with none are left out.
# TYPE comecomepay_jobs gauge
comecomepay_jobs{kind="wallet.submit",state="available"} 1
comecomepay_jobs{kind="wallet.submit",state="discarded"} 0
comecomepay_jobs{kind="wallet.submit",state="long_running"} 0
comecomepay_jobs{kind="wallet.submit",state="retryable"} 4
comecomepay_jobs{kind="wallet.submit",state="running"} 0
comecomepay_jobs{kind="wallet.submit",state="stuck"} 1
`
	contains(t, scrape(t, reg), want)
	// The issuance histogram is built from the bucket counts.
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range families {
		if mf.GetName() != "comecomepay_card_issuance_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			h := m.GetHistogram()
			labels := m.GetLabel()
			if labels[0].GetValue() == "virtual" && (h.GetSampleCount() != 2 || h.GetSampleSum() != 13 || h.GetBucket()[1].GetCumulativeCount() != 1) {
				t.Errorf("virtual issuance histogram %v", h)
			}
		}
	}
}

func TestCollectorCachesAndSurvivesAFailingSource(t *testing.T) {
	t.Parallel()
	f := &fakes{now: time.Now(), walletDown: true}
	reg := newCollector(t, f, time.Hour)
	for range 3 {
		if _, err := reg.Gather(); err != nil {
			t.Fatalf("a failing source failed the scrape: %v", err)
		}
	}
	if f.reads != 1 {
		t.Errorf("three scrapes within the cache time read the database %d times, want 1", f.reads)
	}
	body := scrape(t, reg)
	if strings.Contains(body, "comecomepay_withdrawals_open{") {
		t.Errorf("the failed source still reports series")
	}
	contains(t, body, `comecomepay_deposits_open{status="unmatched"} 1`)
	want := `
# HELP comecomepay_metrics_collect_errors_total Failed reads of the business and queue metrics, by source; that source's series are missing until a read succeeds.
# TYPE comecomepay_metrics_collect_errors_total counter
comecomepay_metrics_collect_errors_total{source="card_issuance"} 0
comecomepay_metrics_collect_errors_total{source="card_tasks"} 0
comecomepay_metrics_collect_errors_total{source="deposits"} 0
comecomepay_metrics_collect_errors_total{source="jobs"} 0
comecomepay_metrics_collect_errors_total{source="reconciliation"} 0
comecomepay_metrics_collect_errors_total{source="webhooks"} 0
comecomepay_metrics_collect_errors_total{source="withdrawals"} 1
`
	contains(t, body, want)
}
