package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/store"
)

// newOperator creates an operator (as the CLI would); they enrol TOTP at
// their first sign-in.
func newOperator(t *testing.T, h *apptest.Harness, email string, role operator.Role) apptest.Operator {
	t.Helper()
	created, err := h.App.Operators.Create(audit.WithActor(context.Background(), audit.CLI()),
		operator.NewOperator{Email: email, Role: role, Password: apptest.OperatorPassword})
	if err != nil {
		t.Fatal(err)
	}
	return apptest.Operator{ID: created.Operator.ID, Email: email, Role: role, TOTPURI: created.TOTPURI}
}

// signIn signs op in through the browser; enrolled says whether their TOTP
// is already confirmed (otherwise the enrolment page comes first).
func (s *site) signIn(op apptest.Operator, enrolled bool, shoot bool) {
	s.t.Helper()
	s.h.Clock.Advance(30 * time.Second) // a fresh TOTP step
	s.do(chromedp.Navigate(s.base+"/console/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	if shoot {
		s.checkPage("signin")
	}
	s.do(chromedp.SendKeys(chromedp.CSS("#email"), op.Email), chromedp.SendKeys(chromedp.CSS("#password"), apptest.OperatorPassword))
	if enrolled {
		s.do(chromedp.SendKeys(chromedp.CSS("#totp_code"), s.h.TOTPCode(s.t, op)))
	}
	s.do(chromedp.Click(chromedp.CSS("main button[type=submit]")))
	if !enrolled {
		s.do(chromedp.WaitVisible(chromedp.CSS("img.qr")))
		if shoot {
			s.checkPage("signin-enrol")
		}
		s.do(chromedp.SendKeys(chromedp.CSS("#password"), apptest.OperatorPassword),
			chromedp.SendKeys(chromedp.CSS("#totp_code"), s.h.TOTPCode(s.t, op)),
			chromedp.Click(chromedp.CSS("main button[type=submit]")))
	}
	s.do(chromedp.WaitVisible(chromedp.CSS("form.signout")))
	if got := s.location(); got != "/console/dashboard" {
		s.t.Fatalf("after sign-in at %s", got)
	}
}

func (s *site) signOut() {
	s.t.Helper()
	s.do(chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.CSS("#email")))
}

// TestConsoleSignInAndEveryPage: a super_admin enrols TOTP at first sign-in
// (the QR code), reaches every page, and signs out; every page passes the
// page checks and is saved as a screenshot.
func TestConsoleSignInAndEveryPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	root := newOperator(t, s.h, "root@ops.example.com", operator.SuperAdmin)
	s.signIn(root, false, true)
	s.checkPage("dashboard")
	for _, page := range []string{"users", "approvals", "audit", "operators", "preferences"} {
		s.do(chromedp.Navigate(s.base+"/console/"+page), chromedp.WaitVisible(chromedp.CSS("main h1")))
		s.checkPage(page)
	}
	// Chinese interface.
	s.do(chromedp.Navigate(s.base+"/console/preferences"), chromedp.WaitVisible(chromedp.CSS("#lang")),
		chromedp.SetValue(chromedp.CSS("#lang"), "zh"), chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	if got := s.text("main h1"); got != "偏好设置" {
		t.Fatalf("Chinese heading = %q", got)
	}
	s.checkPage("preferences-zh")
	s.signOut()
	// Signed out: pages send back to sign-in.
	s.do(chromedp.Navigate(s.base+"/console/audit"), chromedp.WaitVisible(chromedp.CSS("#email")))
	if got := s.location(); got != "/console/sign-in" {
		t.Fatalf("signed out, /console/audit went to %s", got)
	}
	// The second sign-in needs the code (enrolled now).
	s.signIn(root, true, false)
}

// TestConsoleSupportCannotOpenFinancePages: navigation shows only what the
// role may use, and the server refuses the rest anyway.
func TestConsoleSupportCannotOpenFinancePages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	support := newOperator(t, s.h, "support@ops.example.com", operator.Support)
	s.signIn(support, false, false)
	nav := s.text("header nav")
	for _, hidden := range []string{"Approvals", "Audit log", "Operators", "KYC"} {
		if strings.Contains(nav, hidden) {
			t.Errorf("support sees %q in the navigation: %q", hidden, nav)
		}
	}
	for _, page := range []string{"approvals", "audit", "operators"} {
		s.expectRefusal("/console/" + page)
		s.do(chromedp.Navigate(s.base+"/console/"+page), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if got := s.text("main h1"); got != "Not permitted" {
			t.Errorf("support opened /console/%s: %q", page, got)
		}
	}
	s.checkPage("forbidden")
}

// TestConsoleFreezeStopsTheUsersMoney: a compliance operator freezes a user
// in the console; the app's API then refuses the user's transfer.
func TestConsoleFreezeStopsTheUsersMoney(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	h := s.h
	alice, bob := h.Register(t, "alice@example.com"), h.Register(t, "bob@example.com")
	h.SetTxPassword(t, alice)
	h.Deposit(t, alice, "USDT-TRC20", "20")
	compliance := newOperator(t, h, "compliance@ops.example.com", operator.Compliance)
	s.signIn(compliance, false, false)
	s.do(chromedp.Navigate(s.base+"/console/users/"+strconv.FormatInt(alice.ID, 10)), chromedp.WaitVisible(chromedp.CSS("#freeze-reason")),
		chromedp.SendKeys(chromedp.CSS("#freeze-reason"), "card fraud report"),
		chromedp.Click(chromedp.CSS("form.freeze button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": bob.ID, "currency": "USDT-TRC20",
		"amount": "1", "transaction_password": apptest.TxPassword}, apptest.Bearer(alice.Access)).Expect(t, 403, "ACCOUNT_FROZEN")
	rows, _, err := h.App.Audit.List(context.Background(), audit.Filter{Action: "user.freeze"}, 10, 0)
	if err != nil || len(rows) != 1 || rows[0].Actor.ID != compliance.ID || rows[0].Reason != "card fraud report" {
		t.Fatalf("audit of the console freeze: %+v %v", rows, err)
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestConsoleRefusesFormsWithoutCSRFToken: a signed-in operator's session
// cookie alone does not make a state-changing request.
func TestConsoleRefusesFormsWithoutCSRFToken(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, store.SQLite)
	srv := httptest.NewServer(h.App.Handler)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	user := h.Register(t, "victim@example.com")
	op := newOperator(t, h, "csrf@ops.example.com", operator.Compliance)
	form := func(path string, values url.Values) *http.Response {
		res, err := client.PostForm(srv.URL+path, values)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	page := func(path string) string {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return string(body)
	}
	// Sign-in without the pre-session token is refused too.
	if res := form("/console/sign-in", url.Values{"email": {op.Email}, "password": {apptest.OperatorPassword}}); res.StatusCode != 403 {
		t.Fatalf("sign-in without token: %d", res.StatusCode)
	}
	pre := csrfField.FindStringSubmatch(page("/console/sign-in"))[1]
	form("/console/sign-in", url.Values{"csrf": {pre}, "email": {op.Email}, "password": {apptest.OperatorPassword}})
	h.Clock.Advance(30 * time.Second)
	res := form("/console/sign-in", url.Values{"csrf": {pre}, "email": {op.Email}, "password": {apptest.OperatorPassword},
		"totp_code": {h.TOTPCode(t, op)}})
	if !strings.HasSuffix(res.Request.URL.Path, "/console/dashboard") {
		t.Fatalf("sign-in ended at %s", res.Request.URL)
	}
	freeze := url.Values{"reason": {"forged"}}
	freezePath := "/console/users/" + strconv.FormatInt(user.ID, 10) + "/freeze"
	for _, token := range []string{"", "forged-token", pre} {
		values := url.Values{"csrf": {token}}
		for k, v := range freeze {
			values[k] = v
		}
		if res := form(freezePath, values); res.StatusCode != http.StatusForbidden {
			t.Fatalf("freeze with token %q: %d", token, res.StatusCode)
		}
	}
	h.Do(http.MethodGet, "/api/v1/user/profile", nil, apptest.Bearer(user.Access)).Expect(t, 200, "")
	if _, n, _ := h.App.Audit.List(context.Background(), audit.Filter{Action: "user.freeze"}, 1, 0); n != 0 {
		t.Fatalf("a forged form froze the user (%d audit rows)", n)
	}
	// With the page's token it works.
	values := url.Values{"csrf": {csrfField.FindStringSubmatch(page("/console/users"))[1]}}
	for k, v := range freeze {
		values[k] = v
	}
	if res := form(freezePath, values); res.StatusCode != http.StatusOK || !strings.Contains(res.Request.URL.RawQuery, "done=frozen") {
		t.Fatalf("freeze with the page's token: %d %s", res.StatusCode, res.Request.URL)
	}
}

// TestConsolePageLinksKeepTheirQuery: the audit log's page links carry a
// usable query string (not one escaped twice).
func TestConsolePageLinksKeepTheirQuery(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, store.SQLite)
	srv := httptest.NewServer(h.App.Handler)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get := func(path string) string {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return string(body)
	}
	root := newOperator(t, h, "pager@ops.example.com", operator.SuperAdmin)
	for i := range 30 {
		newOperator(t, h, "filler"+strconv.Itoa(i)+"@ops.example.com", operator.Support)
	}
	pre := csrfField.FindStringSubmatch(get("/console/sign-in"))[1]
	h.Clock.Advance(30 * time.Second)
	if _, err := client.PostForm(srv.URL+"/console/sign-in", url.Values{"csrf": {pre}, "email": {root.Email},
		"password": {apptest.OperatorPassword}, "totp_code": {h.TOTPCode(t, root)}}); err != nil {
		t.Fatal(err)
	}
	page := get("/console/audit?action=operator.create")
	if !strings.Contains(page, `href="/console/audit?action=operator.create&amp;page=2"`) {
		t.Fatalf("no usable next-page link on the audit page:\n%s", page)
	}
	if !strings.Contains(get("/console/audit?action=operator.create&page=2"), "filler") {
		t.Fatal("page 2 of the audit log shows no rows")
	}
}
