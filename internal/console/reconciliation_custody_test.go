package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// reportedCustody is a custody provider reporting set balances; a currency
// it has none for goes unreported.
type reportedCustody map[string]money.Amount

func (r reportedCustody) Balances(context.Context, []wallet.Currency) (map[string]money.Amount, error) {
	return r, nil
}

// consoleClient signs op in over plain HTTP and returns a getter and a form
// poster (which follows the redirect) on the signed-in session.
func consoleClient(t *testing.T, h *apptest.Harness, op apptest.Operator) (get func(string) string,
	post func(string, url.Values) *http.Response) {
	t.Helper()
	srv := httptest.NewServer(h.App.Handler)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get = func(path string) string {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return string(body)
	}
	post = func(path string, values url.Values) *http.Response {
		res, err := client.PostForm(srv.URL+path, values)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	pre := csrfField.FindStringSubmatch(get("/console/sign-in"))[1]
	h.Clock.Advance(30 * time.Second)
	if res := post("/console/sign-in", url.Values{"csrf": {pre}, "email": {op.Email}, "password": {apptest.OperatorPassword},
		"totp_code": {h.TOTPCode(t, op)}}); !strings.HasSuffix(res.Request.URL.Path, "/console/dashboard") {
		t.Fatalf("sign-in of %s ended at %s", op.Email, res.Request.URL)
	}
	return get, post
}

// TestConsoleCustodyReconciliation: the reconciliation page lists the
// custody runs per currency, with the difference and the unreported
// currencies flagged; finance runs one now, compliance only reads.
func TestConsoleCustodyReconciliation(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		h.Deposit(t, h.Register(t, "alice@example.com"), "USDT-TRC20", "100")
		run, err := h.App.Wallets.ReconcileCustody(context.Background(), reportedCustody{
			"USDT-TRC20": 101_500_000, "USDT-ERC20": 0, "USDC-ERC20": 0})
		if err != nil {
			t.Fatal(err)
		}
		get, post := consoleClient(t, h, newOperator(t, h, "fin@ops.example.com", operator.Finance))
		page := get("/console/reconciliation")
		for _, want := range []string{"Custody reconciliation", `action="/console/reconciliation/custody-run"`,
			`<label for="custody-run-reason">`, "<td>USDT-TRC20</td><td class=\"num\">100</td><td class=\"num\">101.5</td><td class=\"num\">&#43;1.5</td>",
			"<td>USDC-TRC20</td><td class=\"num\">0</td><td class=\"num\">—</td>", "unreported", "differs", "matches",
			"#" + strconv.FormatInt(run.ID, 10)} {
			if !strings.Contains(page, want) {
				t.Fatalf("reconciliation page lacks %q:\n%s", want, page)
			}
		}
		csrf := csrfField.FindStringSubmatch(page)[1]
		res := post("/console/reconciliation/custody-run", url.Values{"csrf": {csrf}, "reason": {"after the custody incident"}})
		if res.StatusCode != http.StatusOK || res.Request.URL.Query().Get("custody_job") == "" {
			t.Fatalf("run now: %d %s", res.StatusCode, res.Request.URL)
		}
		if !strings.Contains(get(res.Request.URL.RequestURI()), "Custody reconciliation queued as job") {
			t.Fatal("no notice of the queued custody run")
		}

		get, post = consoleClient(t, h, newOperator(t, h, "comp@ops.example.com", operator.Compliance))
		page = get("/console/reconciliation")
		if !strings.Contains(page, "<td>USDT-TRC20</td>") || strings.Contains(page, "/console/reconciliation/custody-run") {
			t.Fatalf("compliance's reconciliation page:\n%s", page)
		}
		csrf = csrfField.FindStringSubmatch(page)[1]
		if res := post("/console/reconciliation/custody-run", url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("compliance ran the custody reconciliation: %d", res.StatusCode)
		}
	})
}
