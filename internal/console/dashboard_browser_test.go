package console_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/sandboxseed"
)

// TestConsoleDashboardAfterSeed: after `sandbox seed`, the dashboard counts
// one of each queue and charts the fee income as inline SVG with a title and
// a text summary; a support operator sees only the queue their role opens.
func TestConsoleDashboardAfterSeed(t *testing.T) {
	t.Parallel()
	s := newSite(t, func(c *config.Config) { c.SandboxWithdrawalsWaitForOperator = true })
	if err := sandboxseed.Seed(context.Background(), s.h.App, io.Discard); err != nil {
		t.Fatal(err)
	}
	root := newOperator(t, s.h, "root@ops.example.com", operator.SuperAdmin)
	s.signIn(root, false, false)
	tiles := s.text("section.tiles")
	for _, want := range []string{"1 Pending KYC", "1 Pending withdrawals", "1 Unmatched deposits", "0 Failed card tasks",
		"0 Pending approvals", "Last reconciliation"} {
		if !strings.Contains(strings.Join(strings.Fields(tiles), " "), want) {
			t.Errorf("tiles lack %q: %q", want, tiles)
		}
	}
	money := s.text("table.holdings")
	for _, want := range []string{"Wallets", "USDT-TRC20", "Card float", "HKD"} {
		if !strings.Contains(money, want) {
			t.Errorf("users' money lacks %q: %q", want, money)
		}
	}
	charts, err := chromedp.Run(s.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('figure.chart svg')].map(
		svg => svg.querySelector('title').textContent + ' | ' + svg.querySelector('desc').textContent + ' | ' +
		svg.querySelectorAll('rect').length)`))
	if err != nil {
		t.Fatal(err)
	}
	// Card fees and withdrawal fees in USDT, swap fees in HKD: two currencies, 7 and 30 days each.
	if len(charts) != 4 || !strings.Contains(strings.Join(charts, "\n"), "Fee income, last 7 days, USDT-TRC20 | ") ||
		!strings.Contains(strings.Join(charts, "\n"), "last 30 days, HKD") || !strings.HasSuffix(charts[1], "| 30") {
		t.Errorf("charts %q", charts)
	}
	s.checkPage("dashboard-seeded")
	// Each tile opens its queue, filtered.
	for _, tile := range []struct{ href, heading string }{{"/console/deposits?status=unmatched", "Deposits"},
		{"/console/kyc?status=pending", "KYC"}, {"/console/withdrawals?status=pending", "Withdrawals"}} {
		s.do(chromedp.Navigate(s.base+"/console/dashboard"), chromedp.WaitVisible(chromedp.CSS("section.tiles")),
			chromedp.Click(chromedp.CSS(`section.tiles a[href="`+tile.href+`"]`)), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if got := s.location(); got != tile.href || !strings.Contains(s.text("main h1"), tile.heading) {
			t.Errorf("tile %s opened %s (%q)", tile.href, got, s.text("main h1"))
		}
	}
	// A list page of the seeded console (its screenshot is the README's second).
	s.do(chromedp.Navigate(s.base+"/console/users"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if got := s.text("main"); !strings.Contains(got, sandboxseed.CardUser2) {
		t.Errorf("the users list lacks the seeded users: %q", got)
	}
	s.checkPage("users-seeded")
	s.signOut()

	support := newOperator(t, s.h, "support@ops.example.com", operator.Support)
	s.signIn(support, false, false)
	main := s.text("main")
	if !strings.Contains(main, "Failed card tasks") {
		t.Errorf("support does not see the failed card tasks: %q", main)
	}
	for _, hidden := range []string{"Pending KYC", "Pending withdrawals", "Unmatched deposits", "Pending approvals",
		"Last reconciliation", "Fee income", "Card float"} {
		if strings.Contains(main, hidden) {
			t.Errorf("support sees %q on the dashboard", hidden)
		}
	}
}
