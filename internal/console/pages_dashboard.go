package console

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/money"
)

// The dashboard: the operators' queues, the last reconciliation, the users'
// money and the fee income. Each figure is shown only to the roles that may
// open the page it links to (the admin route that page mirrors), and is read
// through the back office like the rest of the console.

type dashTile struct {
	Label string
	Count int
	Path  string
}

type dashRecon struct {
	Ran        bool
	At         time.Time
	Checked    int
	Mismatches int
}

type dashboardData struct {
	Tiles       []dashTile
	Recon       *dashRecon
	Money       bool
	Holdings    backoffice.Holdings
	Charts      []feeChart
	Recent      []audit.Row
	CanSeeAudit bool
}

// dashQueues are the queue tiles: the page each links to and the admin
// route whose roles may see it.
var dashQueues = []struct {
	label, path string
	access      access
	count       func(c *Console, ctx context.Context) (int, error)
}{
	{"Pending KYC", "/console/kyc?status=pending", mirror("GET /api/v1/admin/kyc/records"),
		func(c *Console, ctx context.Context) (int, error) { return c.Office.PendingKYCCount(ctx) }},
	{"Pending withdrawals", "/console/withdrawals?status=pending", mirror("GET /api/v1/admin/withdrawals"),
		func(c *Console, ctx context.Context) (int, error) { return c.Office.PendingWithdrawalCount(ctx) }},
	{"Unmatched deposits", "/console/deposits?status=unmatched", mirror("GET /api/v1/admin/deposits"),
		func(c *Console, ctx context.Context) (int, error) { return c.Office.UnmatchedDepositCount(ctx) }},
	{"Failed card tasks", "/console/card-tasks?status=failed", mirror("GET /api/v1/admin/card-tasks"),
		func(c *Console, ctx context.Context) (int, error) { return c.Office.FailedCardTaskCount(ctx) }},
	{"Pending approvals", "/console/approvals", mirror("GET /api/v1/admin/approvals"),
		func(c *Console, ctx context.Context) (int, error) {
			_, n, err := c.Approvals.List(ctx, approval.Pending, 0, 0)
			return n, err
		}},
}

var (
	dashReconAccess = mirror("GET /api/v1/admin/reconciliation/runs")
	dashMoneyAccess = mirror("GET /api/v1/admin/ledger/balances")
	dashAuditAccess = mirror("GET /api/v1/admin/audit-logs")
)

// feeIncomeDays is the longest period charted; the shorter one is its end.
const feeIncomeDays = 30

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	role := v.Principal.Role
	var d dashboardData
	for _, q := range dashQueues {
		if !q.access.allowed(role) {
			continue
		}
		n, err := q.count(c, ctx)
		if err != nil {
			return err
		}
		d.Tiles = append(d.Tiles, dashTile{Label: q.label, Count: n, Path: q.path})
	}
	if dashReconAccess.allowed(role) {
		run, ok, err := c.Office.LastReconciliation(ctx)
		if err != nil {
			return err
		}
		d.Recon = &dashRecon{Ran: ok, At: run.RunAt, Checked: run.Checked, Mismatches: len(run.Mismatches)}
	}
	if d.Money = dashMoneyAccess.allowed(role); d.Money {
		h, err := c.Office.UserHoldings(ctx)
		if err != nil {
			return err
		}
		d.Holdings = h
		incomes, err := c.Office.FeeIncome(ctx, feeIncomeDays, v.TZ)
		if err != nil {
			return err
		}
		for _, in := range incomes {
			for _, days := range []int{7, feeIncomeDays} {
				d.Charts = append(d.Charts, newFeeChart(v.Lang, in, days, len(d.Charts)))
			}
		}
	}
	if d.CanSeeAudit = dashAuditAccess.allowed(role); d.CanSeeAudit {
		rows, _, err := c.Audit.List(ctx, audit.Filter{}, 10, 0)
		if err != nil {
			return err
		}
		d.Recent = rows
	}
	c.render(w, http.StatusOK, "dashboard", v, d)
	return nil
}

// feeChart is a small bar chart of daily fee income, drawn on the server
// as inline SVG (the CSP allows no script). The template draws it from
// these figures; Title and Summary say in words what it shows.
type feeChart struct {
	ID       string
	Title    string
	Summary  string
	Width    int
	Height   int
	Baseline float64
	Bars     []feeBar
}

type feeBar struct {
	X, Y, W, H float64
	Label      string // the day and its amount, the bar's own <title>
}

const (
	chartWidth  = 280
	chartHeight = 80
	chartGap    = 2.0
)

// newFeeChart charts the last `days` days of in.
func newFeeChart(lang string, in backoffice.Income, days, seq int) feeChart {
	series := in.Days[max(len(in.Days)-days, 0):]
	hi, lo := money.Amount(0), money.Amount(0)
	best := series[0]
	for _, d := range series {
		hi, lo = max(hi, d.Amount), min(lo, d.Amount)
		if d.Amount > best.Amount {
			best = d
		}
	}
	span := float64(hi - lo)
	if span == 0 {
		span = 1
	}
	scale := func(a money.Amount) float64 { return float64(a) / span * chartHeight }
	ch := feeChart{
		ID:       fmt.Sprintf("fee-chart-%d", seq),
		Title:    fmt.Sprintf(translate(lang, "Fee income, last %d days, %s"), days, in.Currency),
		Width:    chartWidth,
		Height:   chartHeight,
		Baseline: scale(hi),
	}
	slot := float64(chartWidth) / float64(len(series))
	for i, d := range series {
		h := scale(d.Amount)
		y := ch.Baseline - h
		if h < 0 {
			y, h = ch.Baseline, -h
		}
		ch.Bars = append(ch.Bars, feeBar{X: float64(i)*slot + chartGap/2, Y: y, W: max(slot-chartGap, 1), H: h,
			Label: d.Day.Format("2006-01-02") + ": " + d.Amount.Format(in.Decimals) + " " + in.Currency})
	}
	total := in.Total(days)
	ch.Summary = fmt.Sprintf(translate(lang, "%s %s in %d days; highest day %s (%s %s)."),
		total.Format(in.Decimals), in.Currency, days, best.Day.Format("2006-01-02"), best.Amount.Format(in.Decimals), in.Currency)
	if best.Amount <= 0 {
		ch.Summary = fmt.Sprintf(translate(lang, "%s %s in %d days."), total.Format(in.Decimals), in.Currency, days)
	}
	return ch
}
