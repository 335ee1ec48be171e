package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

// userKYCStatus is the app's own KYC status of acc (GET /didit/status).
func userKYCStatus(t *testing.T, h *apptest.Harness, acc apptest.Account) string {
	t.Helper()
	return apptest.Decode[struct {
		UserKYCStatus string `json:"user_kyc_status"`
	}](t, h.Do(http.MethodGet, "/api/v1/didit/status", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")).UserKYCStatus
}

// waitKYCStatus polls the app's KYC status until it is want (the job
// workers process webhooks and the issuer's review).
func waitKYCStatus(t *testing.T, h *apptest.Harness, acc apptest.Account, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := userKYCStatus(t, h, acc)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("user %d KYC status %q, want %q", acc.ID, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pendingKYCUser registers email, pays the card fee, submits an identity
// and has the provider put it "In Review" (the signed webhook), as the
// admin API's KYC tests do: the record waits for an operator.
func pendingKYCUser(t *testing.T, h *apptest.Harness, email string) (apptest.Account, int64) {
	t.Helper()
	acc := h.Register(t, email)
	auth := apptest.Bearer(acc.Access)
	h.Deposit(t, acc, "USDT-TRC20", "5")
	ref := apptest.Decode[apptest.FeePayment](t, h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment",
		map[string]string{"card_type": "virtual"}, auth).Expect(t, 200, "")).Payment.TransactionRef
	h.Do(http.MethodPost, "/api/v1/CardFee/CompletePayment/"+ref, map[string]string{"payment_currency": "USDT-TRC20"}, auth).Expect(t, 200, "")
	res := h.Do(http.MethodPost, "/api/v1/didit/initialize-token", map[string]string{"first_en_name": "JANE", "last_en_name": "WALKER",
		"bill_country_code": "hk", "area_code": "+852", "phone": "98765432", "address": "8 Harbour Road Wan Chai", "city": "Hong Kong",
		"post_code": "000000"}, auth).Expect(t, 200, "")
	b := apptest.Decode[struct {
		UserKYCID      int64  `json:"user_kyc_id"`
		VerificationID string `json:"verification_id"`
	}](t, res)
	raw, _ := json.Marshal(kyc.NewStatusEvent(b.VerificationID, b.UserKYCID, kyc.DiditInReview, time.Now()))
	sig, err := webhooksig.SignKYC("test-kyc-webhook-secret", raw)
	if err != nil {
		t.Fatal(err)
	}
	h.Do(http.MethodPost, "/api/v1/webhooks/kyc", raw, apptest.Header{Name: "X-Signature", Value: sig.Signature},
		apptest.Header{Name: "X-Timestamp", Value: sig.Timestamp}).Expect(t, 200, "")
	waitKYCStatus(t, h, acc, "pending")
	return acc, b.UserKYCID
}

func auditRows(t *testing.T, h *apptest.Harness, action string) []audit.Row {
	t.Helper()
	rows, _, err := h.App.Audit.List(context.Background(), audit.Filter{Action: action}, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestConsoleApproveKYC: a compliance operator finds a pending KYC in the
// queue, opens the record (no identity on it), shows the identity with a
// reason (audited), approves with a reason, and the app's public API then
// shows the user verified.
func TestConsoleApproveKYC(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	h := s.h
	alice, rec := pendingKYCUser(t, h, "alice.kyc@example.com")
	compliance := newOperator(t, h, "compliance@ops.example.com", operator.Compliance)
	s.signIn(compliance, false, false)
	recID := strconv.FormatInt(rec, 10)

	// The queue shows pending records by default, without identity.
	s.do(chromedp.Navigate(s.base+"/console/kyc"), chromedp.WaitVisible(chromedp.CSS("#kyc-records")))
	queue := s.text("#kyc-records")
	if !strings.Contains(queue, recID) || strings.Contains(queue, "WALKER") {
		t.Fatalf("queue: %q", queue)
	}
	s.checkPage("kyc-queue")
	s.do(chromedp.Click(chromedp.CSS(`#kyc-records a[href="/console/kyc/`+recID+`"]`)), chromedp.WaitVisible(chromedp.CSS("#approve-kyc")))
	if main := s.text("main"); strings.Contains(main, "WALKER") || strings.Contains(main, "98765432") {
		t.Fatalf("the record page shows the identity before a reveal: %q", main)
	}
	s.checkPage("kyc-record")

	// The identity, on an explicit click with a reason.
	s.do(chromedp.SendKeys(chromedp.CSS("#identity-reason"), "name check against documents"),
		chromedp.Click(chromedp.CSS("form.reveal button")), chromedp.WaitVisible(chromedp.CSS("#kyc-identity")))
	if id := s.text("#kyc-identity"); !strings.Contains(id, "WALKER") || !strings.Contains(id, "8 Harbour Road") {
		t.Fatalf("identity: %q", id)
	}
	s.checkPage("kyc-identity")
	if rows := auditRows(t, h, "kyc.reveal_identity"); len(rows) != 1 || rows[0].Actor.ID != compliance.ID ||
		rows[0].Reason != "name check against documents" || rows[0].TargetID != recID || strings.Contains(rows[0].After, "WALKER") {
		t.Fatalf("identity reveal audit: %+v", rows)
	}

	// Approve with a reason.
	s.do(chromedp.SendKeys(chromedp.CSS("#decision-reason"), "documents verified by hand"),
		chromedp.Click(chromedp.CSS("#approve-kyc")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if got := s.location(); got != "/console/kyc/"+recID+"?done=approve" {
		t.Fatalf("after approval at %s", got)
	}
	if rows := auditRows(t, h, "kyc.approve"); len(rows) != 1 || rows[0].Actor.ID != compliance.ID || rows[0].Reason != "documents verified by hand" {
		t.Fatalf("approval audit: %+v", rows)
	}
	// The public API shows the new status (after the issuer's review).
	waitKYCStatus(t, h, alice, "verified")
	// The record can no longer be decided.
	s.do(chromedp.Navigate(s.base+"/console/kyc/"+recID), chromedp.WaitVisible(chromedp.CSS("#kyc-status")))
	if n, err := chromedp.Run(s.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#approve-kyc").length`)); err != nil || n != 0 {
		t.Fatalf("a decided record still offers approval (%d, %v)", n, err)
	}
}

// TestConsoleUserSearchAndDetail: search by e-mail, UID, wallet id and
// phone; the detail (masked phone, balances, sessions, history); the audited
// reveal; revoking sessions; freeze and unfreeze from the detail; the 3DS
// records page.
func TestConsoleUserSearchAndDetail(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	h := s.h
	alice := h.Register(t, "alice.search@example.com")
	h.Register(t, "bob.search@example.com")
	h.Deposit(t, alice, "USDT-TRC20", "20")
	compliance := newOperator(t, h, "compliance@ops.example.com", operator.Compliance)
	s.signIn(compliance, false, false)
	uid := strconv.FormatInt(alice.ID, 10)

	search := func(q string) string {
		t.Helper()
		s.do(chromedp.Navigate(s.base+"/console/users"), chromedp.WaitVisible(chromedp.CSS("#q")),
			chromedp.SendKeys(chromedp.CSS("#q"), q), chromedp.Click(chromedp.CSS("form.filters button")))
		// The list is on both pages: wait for the answer to the search.
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.location(), "q="); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the search for %q was not answered", q)
			}
		}
		s.do(chromedp.WaitVisible(chromedp.CSS("#users")))
		return s.text("#users")
	}
	if got := search("alice.search"); !strings.Contains(got, "alice.search@example.com") || strings.Contains(got, "bob.search") {
		t.Fatalf("search by e-mail: %q", got)
	}
	s.checkPage("users-search")
	wallet := regexp.MustCompile(`alice\.search@example\.com\t[^\t]*\t(\S+)`).FindStringSubmatch(s.text("#users"))
	if wallet == nil {
		t.Fatalf("no wallet id in %q", s.text("#users"))
	}
	if got := search(wallet[1]); !strings.Contains(got, "alice.search@example.com") || strings.Contains(got, "bob.search") {
		t.Fatalf("search by wallet id %s: %q", wallet[1], got)
	}
	if got := search(uid); !strings.Contains(got, "alice.search@example.com") || strings.Contains(got, "bob.search") {
		t.Fatalf("search by UID: %q", got)
	}
	s.do(chromedp.Click(chromedp.CSS(`#users a[href="/console/users/`+uid+`"]`)), chromedp.WaitVisible(chromedp.CSS("#user-status")))
	main := s.text("main")
	for _, want := range []string{"alice.search@example.com", "20", "USDT-TRC20"} {
		if !strings.Contains(main, want) {
			t.Errorf("the detail lacks %q: %q", want, main)
		}
	}
	s.checkPage("user-detail")

	// The reveal: a reason, an audit row naming the fields only.
	s.do(chromedp.SendKeys(chromedp.CSS("#reveal-reason"), "customer call, identity check"),
		chromedp.Click(chromedp.CSS("form.reveal button")), chromedp.WaitVisible(chromedp.CSS("section.revealed")))
	s.checkPage("user-revealed")
	if rows := auditRows(t, h, "user.reveal_personal_data"); len(rows) != 1 || rows[0].Actor.ID != compliance.ID ||
		rows[0].Reason != "customer call, identity check" || rows[0].TargetID != uid {
		t.Fatalf("reveal audit: %+v", rows)
	}

	// Revoke sessions: the app's token stops working.
	s.do(chromedp.Navigate(s.base+"/console/users/"+uid), chromedp.WaitVisible(chromedp.CSS("#revoke-reason")),
		chromedp.SendKeys(chromedp.CSS("#revoke-reason"), "lost phone"),
		chromedp.Click(chromedp.CSS("form.revoke button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	h.Do(http.MethodGet, "/api/v1/user/profile", nil, apptest.Bearer(alice.Access)).Expect(t, 401, "")
	if rows := auditRows(t, h, "user.revoke_sessions"); len(rows) != 1 || rows[0].Reason != "lost phone" {
		t.Fatalf("revoke audit: %+v", rows)
	}

	// Freeze, then unfreeze, from the detail.
	s.do(chromedp.SendKeys(chromedp.CSS("#freeze-reason"), "card fraud report"),
		chromedp.Click(chromedp.CSS("form.freeze button")), chromedp.WaitVisible(chromedp.CSS("#unfreeze-reason")))
	if got := s.text("#user-status"); got != "frozen" {
		t.Fatalf("after freeze: %q", got)
	}
	s.checkPage("user-frozen")
	s.do(chromedp.SendKeys(chromedp.CSS("#unfreeze-reason"), "cleared"),
		chromedp.Click(chromedp.CSS("form.unfreeze button")), chromedp.WaitVisible(chromedp.CSS("#freeze-reason")))
	if got := s.text("#user-status"); got != "active" {
		t.Fatalf("after unfreeze: %q", got)
	}
	if got := search("frozen-nobody@example.com"); !strings.Contains(got, "No users match.") {
		t.Fatalf("search for nobody: %q", got)
	}

	// 3DS records, filtered by the user; a bad filter is explained.
	s.do(chromedp.Navigate(s.base+"/console/3ds?user_id="+uid), chromedp.WaitVisible(chromedp.CSS("#threeds-records")))
	s.checkPage("threeds")
	s.expectRefusal("/console/3ds?user_id=x")
	s.do(chromedp.Navigate(s.base+"/console/3ds?user_id=x"), chromedp.WaitVisible(chromedp.CSS(".error")))
}

// TestConsoleSupportReadsUsersOnly: support reads users and 3DS records
// (the admin API's readers) but gets no action on them, and no KYC queue.
func TestConsoleSupportReadsUsersOnly(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	alice := s.h.Register(t, "alice.support@example.com")
	support := newOperator(t, s.h, "support@ops.example.com", operator.Support)
	s.signIn(support, false, false)
	s.do(chromedp.Navigate(s.base+"/console/users/"+strconv.FormatInt(alice.ID, 10)), chromedp.WaitVisible(chromedp.CSS("#user-status")))
	n, err := chromedp.Run(s.ctx, chromedp.Evaluate[int](`document.querySelectorAll("main form[method=post]").length`))
	if err != nil || n != 0 {
		t.Fatalf("support sees %d action forms on a user (%v)", n, err)
	}
	s.checkPage("user-detail-support")
	s.expectRefusal("/console/kyc")
	s.do(chromedp.Navigate(s.base+"/console/kyc"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if got := s.text("main h1"); got != "Not permitted" {
		t.Fatalf("support opened the KYC queue: %q", got)
	}
}
