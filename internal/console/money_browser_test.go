package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/operator"
)

const externalTron = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"

// waitForOperator keeps the sandbox from approving withdrawals itself.
func waitForOperator(c *config.Config) { c.SandboxWithdrawalsWaitForOperator = true }

// pendingRequest is the one open four-eyes request.
func pendingRequest(t *testing.T, h *apptest.Harness) approval.Request {
	t.Helper()
	items, n, err := h.App.Approvals.List(context.Background(), approval.Pending, 10, 0)
	if err != nil || n != 1 {
		t.Fatalf("open approval requests: %d %v", n, err)
	}
	return items[0]
}

// approveOnApprovalsPage approves the request as the signed-in operator
// and waits for the answer: the request gone, or (own) the refusal.
func (s *site) approveOnApprovalsPage(req approval.Request, note string, own bool) {
	s.t.Helper()
	id := strconv.FormatInt(req.ID, 10)
	s.do(chromedp.Navigate(s.base+"/console/approvals"), chromedp.WaitVisible(chromedp.CSS("#note-a-"+id)),
		chromedp.SendKeys(chromedp.CSS("#note-a-"+id), note),
		chromedp.Click(chromedp.CSS(`form[action="/console/approvals/`+id+`/approve"] button`)))
	if own {
		s.do(chromedp.WaitVisible(chromedp.CSS("main .error")))
	} else {
		s.do(chromedp.WaitNotPresent(chromedp.CSS("#note-a-" + id)))
	}
}

// TestConsoleWithdrawalThroughFourEyes: a withdrawal above 1 000 USD. Finance
// operator A approves it in the console: it becomes a four-eyes request, and
// the page says so. A cannot approve that request on the Approvals page;
// operator B can, and the withdrawal is approved (and goes to custody).
func TestConsoleWithdrawalThroughFourEyes(t *testing.T) {
	t.Parallel()
	s := newSite(t, waitForOperator)
	h := s.h
	alice := h.Register(t, "alice@example.com")
	h.Deposit(t, alice, "USDT-TRC20", "1600")
	res := h.Do(http.MethodPost, "/api/v1/wallet/withdrawal", map[string]any{"currency": "USDT-TRC20", "amount": "1500",
		"address": externalTron}, apptest.Bearer(alice.Access)).Expect(t, 200, "")
	wd := apptest.Decode[struct {
		Withdrawal struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		} `json:"withdrawal"`
	}](t, res).Withdrawal
	if wd.Status != "pending" {
		t.Fatalf("the withdrawal did not wait for an operator: %s", res.Body)
	}
	row := "#withdrawal-" + strconv.FormatInt(wd.ID, 10)
	a := newOperator(t, h, "fin-a@ops.example.com", operator.Finance)
	b := newOperator(t, h, "fin-b@ops.example.com", operator.Finance)

	s.signIn(a, false, false)
	s.do(chromedp.Navigate(s.base+"/console/withdrawals?status=pending"), chromedp.WaitVisible(chromedp.CSS(row)))
	if got := s.text(row); !strings.Contains(got, "1500 USDT-TRC20") || !strings.Contains(got, "needs a second operator") {
		t.Fatalf("the queue's row: %q", got)
	}
	s.checkPage("withdrawals")
	s.do(chromedp.SendKeys(chromedp.CSS(row+" form.approve input[name=reason]"), "large, documented"),
		chromedp.Click(chromedp.CSS(row+" form.approve button")), chromedp.WaitVisible(chromedp.CSS(".notice.foureyes")))
	req := pendingRequest(t, h)
	if got := s.text(".notice.foureyes"); !strings.Contains(got, "approval request #"+strconv.FormatInt(req.ID, 10)) {
		t.Fatalf("the four-eyes notice: %q", got)
	}
	if req.Kind != "withdrawal.approve" || req.RequestedBy != a.ID || req.Reason != "large, documented" {
		t.Fatalf("request %+v", req)
	}
	s.checkPage("withdrawals-four-eyes")

	// A may not approve their own request.
	s.expectRefusal("/console/approvals/" + strconv.FormatInt(req.ID, 10) + "/approve")
	s.approveOnApprovalsPage(req, "mine", true)
	if got := s.text(".error"); !strings.Contains(strings.ToLower(got), "operator") {
		t.Errorf("A approving their own request: %q", got)
	}
	if pendingRequest(t, h).ID != req.ID {
		t.Fatal("the request changed")
	}
	s.signOut()

	s.signIn(b, false, false)
	s.approveOnApprovalsPage(req, "checked the documents", false)
	if got := s.text("main"); !strings.Contains(got, "No pending requests.") {
		t.Fatalf("after B's approval: %q", got)
	}
	s.do(chromedp.Navigate(s.base+"/console/withdrawals?user_id="+strconv.FormatInt(alice.ID, 10)), chromedp.WaitVisible(chromedp.CSS(row)))
	if got := s.text(row); strings.Contains(got, "pending") || strings.Contains(got, "rejected") {
		t.Fatalf("after B's approval the withdrawal is %q", got)
	}
	rows, _, err := h.App.Audit.List(context.Background(), audit.Filter{Action: "withdrawal.approve"}, 10, 0)
	if err != nil || len(rows) != 1 || rows[0].Actor.ID != b.ID {
		t.Fatalf("audit of the approval: %+v %v", rows, err)
	}
}

// TestConsoleLedgerAdjustmentFourEyes: finance operator A adjusts a user's
// balance above the threshold (pending), operator B approves it, the user's
// balance and the account's entries show it.
func TestConsoleLedgerAdjustmentFourEyes(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	h := s.h
	alice := h.Register(t, "alice@example.com")
	a := newOperator(t, h, "fin-a@ops.example.com", operator.Finance)
	b := newOperator(t, h, "fin-b@ops.example.com", operator.Finance)
	user := strconv.FormatInt(alice.ID, 10)

	s.signIn(a, false, false)
	s.do(chromedp.Navigate(s.base+"/console/ledger"), chromedp.WaitVisible(chromedp.CSS("#adj-user")))
	s.checkPage("ledger")
	s.do(chromedp.SendKeys(chromedp.CSS("#adj-user"), user), chromedp.SetValue(chromedp.CSS("#adj-currency"), "USDT-TRC20"),
		chromedp.SendKeys(chromedp.CSS("#adj-amount"), "+2000"), chromedp.SendKeys(chromedp.CSS("#adj-reason"), "goodwill, ticket 88"),
		chromedp.Click(chromedp.CSS("form.adjust button")), chromedp.WaitVisible(chromedp.CSS(".notice.foureyes")))
	req := pendingRequest(t, h)
	if req.Kind != "ledger.adjust" || req.TargetID != user {
		t.Fatalf("request %+v", req)
	}
	s.checkPage("ledger-four-eyes")
	if got := balance(t, h, alice); got != "0" {
		t.Fatalf("a pending adjustment moved money: %s", got)
	}
	s.signOut()

	s.signIn(b, false, false)
	s.approveOnApprovalsPage(req, "ok", false)
	if got := balance(t, h, alice); got != "2000" {
		t.Fatalf("after the approval the balance is %s; page: %s", got, s.text("main"))
	}
	s.do(chromedp.Navigate(s.base+"/console/ledger/entries?account=available&user_id="+user), chromedp.WaitVisible(chromedp.CSS("main table")))
	if got := s.text("main table"); !strings.Contains(got, "+2000 USDT-TRC20") {
		t.Fatalf("the user's entries: %q", got)
	}
	s.checkPage("ledger-entries")
	// A small adjustment executes at once.
	s.do(chromedp.Navigate(s.base+"/console/ledger"), chromedp.WaitVisible(chromedp.CSS("#adj-user")),
		chromedp.SendKeys(chromedp.CSS("#adj-user"), user), chromedp.SetValue(chromedp.CSS("#adj-currency"), "USDT-TRC20"),
		chromedp.SendKeys(chromedp.CSS("#adj-amount"), "-0.5"), chromedp.SendKeys(chromedp.CSS("#adj-reason"), "fee correction"),
		chromedp.Click(chromedp.CSS("form.adjust button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if got := balance(t, h, alice); got != "1999.5" {
		t.Fatalf("after the small adjustment the balance is %s", got)
	}
}

// TestConsoleMoneyPages: the deposits (a below-minimum deposit credited),
// reconciliation ("run now" of both, the day's report) and card-fee payment pages.
func TestConsoleMoneyPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	h := s.h
	alice := h.Register(t, "alice@example.com")
	h.Do(http.MethodPost, "/api/v1/sandbox/deposits", map[string]any{"currency": "USDT-TRC20", "amount": "0.5",
		"user_id": alice.ID}).Expect(t, 200, "")
	fin := newOperator(t, h, "fin@ops.example.com", operator.Finance)
	s.signIn(fin, false, false)

	s.do(chromedp.Navigate(s.base+"/console/deposits?status=below_minimum"), chromedp.WaitVisible(chromedp.CSS("form.credit")))
	s.checkPage("deposits")
	s.do(chromedp.SendKeys(chromedp.CSS("form.credit input[name=reason]"), "customer asked"),
		chromedp.Click(chromedp.CSS("form.credit button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if got := balance(t, h, alice); got != "0.5" {
		t.Fatalf("after the credit the balance is %s", got)
	}

	s.do(chromedp.Navigate(s.base+"/console/ledger"), chromedp.WaitVisible(chromedp.CSS("table.balances")))
	if got := s.text("table.balances"); !strings.Contains(got, "custody") {
		t.Fatalf("ledger balances: %q", got)
	}
	s.checkPage("ledger-balances")

	s.do(chromedp.Navigate(s.base+"/console/reconciliation"), chromedp.WaitVisible(chromedp.CSS("form.run")),
		chromedp.Click(chromedp.CSS("form.run button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	s.checkPage("reconciliation")
	s.do(chromedp.Click(chromedp.CSS(`form[action="/console/reconciliation/report"] button`)), chromedp.WaitVisible(chromedp.CSS("form.filters #report-date")))
	s.checkPage("reconciliation-report")
	s.do(chromedp.Navigate(s.base+"/console/reconciliation"), chromedp.WaitVisible(chromedp.CSS("table.custody-runs")),
		chromedp.SendKeys(chromedp.CSS("#custody-run-reason"), "after the custody incident"),
		chromedp.Click(chromedp.CSS("form.run-custody button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if got := s.text(".notice"); !strings.Contains(got, "Custody reconciliation queued as job") {
		t.Fatalf("custody run now: %q", got)
	}
	s.checkPage("reconciliation-custody")

	s.do(chromedp.Navigate(s.base+"/console/card-fee-payments"), chromedp.WaitVisible(chromedp.CSS("main table")))
	s.checkPage("card-fee-payments")
	s.do(chromedp.Navigate(s.base+"/console/ledger/entries?account=fee_income"), chromedp.WaitVisible(chromedp.CSS("main table")))
	s.checkPage("ledger-entries-house")
}

// balance is the user's USDT-TRC20 balance as the app shows it.
func balance(t *testing.T, h *apptest.Harness, acc apptest.Account) string {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/wallet", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	var body struct {
		Wallet struct {
			ByCurrency map[string]json.Number `json:"balances_by_currency"`
		} `json:"wallet"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Wallet.ByCurrency["USDT-TRC20"].String()
}
