package metrics_test

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// metricName finds the comecomepay_ series an expression names; a histogram's
// _bucket, _count and _sum series belong to its family.
var metricName = regexp.MustCompile(`comecomepay_[a-z0-9_]+`)

func alertMetricNames(t *testing.T) []string {
	t.Helper()
	rules, err := os.ReadFile("../../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(string(rules), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, name := range metricName.FindAllString(line, -1) {
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("alerts.yml names only %d metrics: %q", len(out), out)
	}
	return out
}

// TestAlertMetricsExistAfterAScrape runs the service through a card
// issuance, a refused webhook and a job no worker takes, scrapes /metrics
// once, and checks that every metric alerts.yml names is served and that
// the business figures are those of the run.
func TestAlertMetricsExistAfterAScrape(t *testing.T) {
	t.Parallel()
	names := alertMetricNames(t)
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		h.CardHolder(t, "metrics@example.com")
		// A delivery with a bad signature answers 401 on the webhook route.
		h.Do(http.MethodPost, "/api/v1/webhooks/issuer", `{"event":"x"}`,
			apptest.Header{Name: "X-Issuer-Signature", Value: "t=1,v1=bad"}).Expect(t, http.StatusUnauthorized, "SIGNATURE_INVALID")
		// A job due 10 minutes ago on a queue no worker serves is stuck.
		ctx := context.Background()
		job, err := h.App.Jobs.Insert(ctx, webhook.ProcessArgs{EventID: -1}, &river.InsertOpts{Queue: "nobody"})
		if err != nil {
			t.Fatal(err)
		}
		due := `now() - interval '10 minutes'`
		if engine == store.SQLite {
			due = `datetime('now', '-10 minutes', 'subsec')`
		}
		if _, err := h.App.DB.SQL.ExecContext(ctx, `UPDATE river_job SET scheduled_at = `+due+` WHERE id = $1`, job.Job.ID); err != nil {
			t.Fatal(err)
		}

		body := string(h.Do(http.MethodGet, "/metrics", nil).Expect(t, http.StatusOK, "").Body)
		for _, name := range names {
			if !regexp.MustCompile(`(?m)^` + name + `[{ ]`).MatchString(body) {
				t.Errorf("/metrics lacks %s, which alerts.yml uses", name)
			}
		}
		for _, want := range []string{
			`comecomepay_card_issuance_seconds_count{type="virtual",window="1h"} 1`,
			`comecomepay_card_issuance_seconds_count{type="physical",window="24h"} 0`,
			`comecomepay_card_tasks_open{status="pending"} 0`,
			`comecomepay_withdrawals_open{status="pending"} 0`,
			`comecomepay_deposits_open{status="unmatched"} 0`,
			`comecomepay_webhook_events{provider="custody",state="failed"} 0`,
			`comecomepay_jobs{kind="webhook.process",state="stuck"} 1`,
			`comecomepay_jobs{kind="webhook.process",state="available"} 1`,
			`comecomepay_provider_calls_total{outcome="429",provider="issuer"} 0`,
			`comecomepay_provider_circuit_open{provider="issuer"} 0`,
			`comecomepay_metrics_collect_errors_total{source="jobs"} 0`,
			`comecomepay_http_requests_total{route="POST /api/v1/webhooks/issuer",status="Unauthorized"} 1`,
		} {
			if !strings.Contains(body, want+"\n") {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if !regexp.MustCompile(`(?m)^comecomepay_provider_calls_total\{outcome="ok",provider="issuer"\} [1-9]`).MatchString(body) {
			t.Errorf("/metrics counts no successful issuer call")
		}
		if t.Failed() {
			t.Logf("/metrics:\n%s", body)
		}
	})
}
