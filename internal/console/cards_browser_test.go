package console_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// TestConsoleCardsArea: a super_admin opens every page of the cards area
// (page checks and screenshots), locks a user's card with a reason, and
// cancels it through the confirmation page.
func TestConsoleCardsArea(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	_, c := s.h.CardHolder(t, "holder@example.com")
	root := newOperator(t, s.h, "root-cards@ops.example.com", operator.SuperAdmin)
	s.signIn(root, false, false)
	for _, page := range []string{"cards", "card-tasks", "physical-orders", "settings", "fees", "tiers", "commissions"} {
		s.do(chromedp.Navigate(s.base+"/console/"+page), chromedp.WaitVisible(chromedp.CSS("main h1")))
		s.checkPage(page)
	}
	// The card is listed with its masked number only.
	s.do(chromedp.Navigate(s.base+"/console/cards?status=normal"), chromedp.WaitVisible(chromedp.CSS("main table")))
	if row := s.text("main tbody"); !strings.Contains(row, "*") || !strings.Contains(row, "normal") {
		t.Fatalf("card row: %q", row)
	}
	id := strconv.FormatInt(c.ID, 10)
	s.do(chromedp.SendKeys(chromedp.CSS("#reason-"+id), "suspicious purchases"),
		chromedp.Click(chromedp.CSS(`form[action="/console/cards/`+id+`/lock"] button`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if got := s.location(); got != "/console/cards?done=1&status=normal" {
		t.Errorf("after the lock at %s (the filters should be kept)", got)
	}
	s.do(chromedp.Navigate(s.base+"/console/cards?status=frozen"), chromedp.WaitVisible(chromedp.CSS("main table")))
	if row := s.text("main tbody"); !strings.Contains(row, "frozen") || !strings.Contains(row, "Locked by operator") {
		t.Fatalf("locked card row: %q", row)
	}
	// Cancelling asks for confirmation first.
	s.do(chromedp.SendKeys(chromedp.CSS("#reason-"+id), "confirmed fraud"),
		chromedp.Click(chromedp.CSS("button.danger")), chromedp.WaitVisible(chromedp.CSS("main form button.danger")))
	if got := s.text("main h2"); !strings.Contains(got, "Cancel card #"+id) {
		t.Fatalf("confirmation page: %q", got)
	}
	s.checkPage("cards-confirm")
	s.do(chromedp.Click(chromedp.CSS("main form button.danger")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	rows, _, err := s.h.App.Audit.List(context.Background(), audit.Filter{TargetType: "card", TargetID: id}, 10, 0)
	if err != nil || len(rows) != 2 || rows[0].Actor.ID != root.ID || rows[0].Reason != "confirmed fraud" {
		t.Fatalf("audit of the console card actions: %+v %v", rows, err)
	}
}

// TestConsoleCardFeeReachesTheApp: a finance operator changes the virtual
// card fee in the console; the app's card fee config answers the new fee,
// and the fees page shows the change in its history.
func TestConsoleCardFeeReachesTheApp(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	user := s.h.Register(t, "payer@example.com")
	finance := newOperator(t, s.h, "finance-fees@ops.example.com", operator.Finance)
	s.signIn(finance, false, false)
	s.do(chromedp.Navigate(s.base+"/console/fees"), chromedp.WaitVisible(chromedp.CSS("#fee-virtual")),
		chromedp.SetValue(chromedp.CSS("#fee-virtual"), "7.50"),
		chromedp.SendKeys(chromedp.CSS("#reason-virtual"), "summer pricing"),
		chromedp.Click(chromedp.CSS(`form[action="/console/fees/card/virtual"] button`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	cfg := apptest.Decode[struct {
		Config struct {
			FeeAmount float64 `json:"fee_amount"`
			IsActive  bool    `json:"IsActive"`
		} `json:"config"`
	}](t, s.h.Do(http.MethodGet, "/api/v1/CardFee/GetConfig?card_type=virtual", nil, apptest.Bearer(user.Access)).Expect(t, 200, "")).Config
	if cfg.FeeAmount != 7.5 || !cfg.IsActive {
		t.Fatalf("the app's card fee config after the console change: %+v", cfg)
	}
	s.do(chromedp.Navigate(s.base+"/console/fees?key=card_fee."), chromedp.WaitVisible(chromedp.CSS("#history")))
	if hist := s.text("main > div.scroll:last-of-type tbody"); !strings.Contains(hist, `"fee_amount":7.5,`) || !strings.Contains(hist, "summer pricing") {
		t.Fatalf("fee history: %q", hist)
	}
	s.checkPage("fees-history")
	// A refusal shows the API's message and changes nothing.
	s.expectRefusal("/console/fees/swap")
	s.do(chromedp.Navigate(s.base+"/console/fees"), chromedp.WaitVisible(chromedp.CSS("#swap-rate")),
		chromedp.SetValue(chromedp.CSS("#swap-rate"), "0.5"), chromedp.SendKeys(chromedp.CSS("#swap-reason"), "too much"),
		chromedp.Click(chromedp.CSS(`form[action="/console/fees/swap"] button`)), chromedp.WaitVisible(chromedp.CSS(".error")))
	if msg := s.text(".error"); !strings.Contains(msg, "fee_rate") {
		t.Fatalf("refusal message: %q", msg)
	}
}
