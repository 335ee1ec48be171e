package udun_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/chain"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/providers/custody/sandbox"
	"github.com/comecomepay/comecomepay/internal/providers/custody/udun"
	"github.com/comecomepay/comecomepay/internal/providers/custody/udun/udunfake"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// The harness signs custody callbacks with this key.
const harnessKey = "test-custody-api-key"

const externalTron = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8"

func udunClient(t *testing.T, f *udunfake.Fake, h *apptest.Harness, timeout time.Duration) *udun.Client {
	t.Helper()
	c, err := udun.New(udun.Config{GatewayURL: f.URL, MerchantID: f.MerchantID, APIKey: f.APIKey,
		CallbackURL: "https://api.example.com/api/v1/webhooks/custody", Timeout: timeout}, &http.Client{}, h.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// walletOn is the app's wallet service with its custody port on the UDUN
// adapter: one per simulated replica.
func walletOn(h *apptest.Harness, c *udun.Client) *wallet.Service {
	d := h.App.Wallets.Deps
	d.Custody = c
	return wallet.NewService(d)
}

func addressRows(t *testing.T, h *apptest.Harness, userID int64) int {
	t.Helper()
	var n int
	if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM deposit_addresses WHERE user_id = $1`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDepositAddressRace: requests racing on two replicas ask the provider
// once per chain, and everyone who gets an address gets the same one.
func TestDepositAddressRace(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		f := udunfake.New(t, harnessKey, "300015")
		c := udunClient(t, f, h, 5*time.Second)
		replicas := []*wallet.Service{walletOn(h, c), walletOn(h, c)}
		acc := h.Register(t, "race@example.com")
		if n := addressRows(t, h, acc.ID); n != 0 {
			t.Fatalf("user starts with %d addresses", n)
		}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			got  []string
			errs int
		)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				addr, err := replicas[i%2].DepositAddress(context.Background(), acc.ID, chain.TRC20)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs++
					return
				}
				got = append(got, addr)
			}()
		}
		wg.Wait()
		if len(got) == 0 {
			t.Fatalf("no request got an address (%d errors)", errs)
		}
		for _, a := range got {
			if a != got[0] {
				t.Fatalf("two addresses shown: %v", got)
			}
		}
		if n := len(f.Addresses("195")); n != 1 {
			t.Fatalf("provider made %d TRON addresses, want 1", n)
		}
		if n := len(f.Addresses("60")); n != 1 {
			t.Fatalf("provider made %d Ethereum addresses, want 1", n)
		}
		// Later calls read the stored address.
		addr, err := replicas[1].DepositAddress(context.Background(), acc.ID, chain.TRC20)
		if err != nil || addr != got[0] || len(f.Addresses("195")) != 1 {
			t.Fatalf("later call: %q %v", addr, err)
		}
	})
}

// TestDepositAddressLostAnswer: the provider makes an address but its
// answer is lost. Nobody asks again at once; after the back-off a new
// address is made and shown; the orphan's deposits are unmatched.
func TestDepositAddressLostAnswer(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		f := udunfake.New(t, harnessKey, "300015")
		c := udunClient(t, f, h, 300*time.Millisecond)
		svc := walletOn(h, c)
		acc := h.Register(t, "lost@example.com")
		ctx := context.Background()
		f.Inject("/mch/address/create", udunfake.Fault{Delay: 3 * time.Second})
		if _, err := svc.DepositAddress(ctx, acc.ID, chain.TRC20); err == nil {
			t.Fatal("an address whose answer was lost was shown")
		}
		orphans := f.Addresses("195")
		if len(orphans) != 1 {
			t.Fatalf("provider made %d TRON addresses", len(orphans))
		}
		calls := f.Calls("/mch/address/create")
		if _, err := svc.DepositAddress(ctx, acc.ID, chain.TRC20); err == nil || f.Calls("/mch/address/create") != calls {
			t.Fatalf("asked again within the back-off (%v)", err)
		}
		h.Clock.Advance(31 * time.Second)
		addr, err := svc.DepositAddress(ctx, acc.ID, chain.TRC20)
		if err != nil || addr == orphans[0] || len(f.Addresses("195")) != 2 {
			t.Fatalf("retry: %q %v (orphan %s)", addr, err, orphans[0])
		}
		var attempts int
		if err := h.App.DB.SQL.QueryRow(`SELECT attempts FROM deposit_address_claims WHERE user_id = $1 AND network = 'TRC20'`,
			acc.ID).Scan(&attempts); err != nil || attempts != 2 {
			t.Fatalf("claim attempts %d, %v", attempts, err)
		}

		srv := httptest.NewServer(h.App.Handler)
		t.Cleanup(srv.Close)
		trade, err := f.Deposit(ctx, srv.URL+"/api/v1/webhooks/custody", orphans[0], wallet.DefaultCurrencies[0].CoinType, "30000000", 3)
		if err != nil {
			t.Fatal(err)
		}
		waitDeposit(t, h, trade.TradeID, wallet.DepositUnmatched)
	})
}

func waitDeposit(t *testing.T, h *apptest.Harness, tradeID string, want wallet.DepositStatus) wallet.DepositView {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := h.App.Wallets.DepositByTrade(context.Background(), tradeID)
		if err == nil && d.Status == want {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("deposit %s: %+v %v, want %s", tradeID, d, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func submitJob(id int64, attempt int) *river.Job[wallet.SubmitArgs] {
	return &river.Job[wallet.SubmitArgs]{JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: 20}, Args: wallet.SubmitArgs{WithdrawalID: id}}
}

// requestWithdrawal makes an approved withdrawal of gross USDT-TRC20 (fee 1).
func requestWithdrawal(t *testing.T, h *apptest.Harness, acc apptest.Account, gross string) int64 {
	t.Helper()
	res := h.Do(http.MethodPost, "/api/v1/wallet/withdrawal", map[string]any{"currency": "USDT-TRC20", "amount": gross, "address": externalTron},
		apptest.Bearer(acc.Access)).Expect(t, 200, "")
	wd := apptest.Decode[struct {
		Withdrawal struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		} `json:"withdrawal"`
	}](t, res).Withdrawal
	if wd.Status != "approved" {
		t.Fatalf("withdrawal %+v", wd)
	}
	return wd.ID
}

// TestSubmitWorkerAfterTimeout: a submission whose answer is lost is
// retried with the same businessId and sent once; a refusal fails and
// refunds at once.
func TestSubmitWorkerAfterTimeout(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		f := udunfake.New(t, harnessKey, "300015")
		c := udunClient(t, f, h, 300*time.Millisecond)
		ctx := context.Background()
		if _, err := c.Coins(ctx); err != nil {
			t.Fatal(err)
		}
		worker := wallet.NewSubmitWorker(h.App.Wallets, c)
		acc := h.Register(t, "submit@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "100")
		id := requestWithdrawal(t, h, acc, "40")
		bid := strconv.FormatInt(id, 10)

		f.Inject("/mch/withdraw", udunfake.Fault{Delay: 3 * time.Second})
		if err := worker.Work(ctx, submitJob(id, 1)); err == nil {
			t.Fatal("a timed-out submission reported success")
		}
		if err := worker.Work(ctx, submitJob(id, 2)); err != nil {
			t.Fatalf("resubmission: %v", err)
		}
		if f.Sent(bid) != 1 || f.Submissions(bid) != 2 {
			t.Fatalf("sent %d in %d submissions, want 1 in 2", f.Sent(bid), f.Submissions(bid))
		}
		if w, _ := f.Withdrawal(bid); w.Amount != "39" {
			t.Fatalf("amount at the provider %q, want 39 (gross 40 − fee 1)", w.Amount)
		}

		refused := requestWithdrawal(t, h, acc, "20")
		f.Inject("/mch/withdraw", udunfake.Fault{Code: udun.CodeIllegalAddress})
		if err := worker.Work(ctx, submitJob(refused, 1)); err != nil {
			t.Fatalf("refused submission: %v", err)
		}
		wd, err := h.App.Wallets.Withdrawal(ctx, refused)
		if err != nil || wd.Status != wallet.WithdrawalFailed {
			t.Fatalf("refused withdrawal %+v %v", wd, err)
		}
		report, err := h.App.Ledger.VerifySnapshot(ctx)
		if err != nil || !report.OK() {
			t.Fatalf("ledger: %v %s", err, report)
		}
	}, func(c *config.Config) { c.SandboxAutoSettle = false })
}

// TestCustodyReconciliation: provider balances against the custody
// omnibus, stored runs, the daily job's skip.
func TestCustodyReconciliation(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		acc := h.Register(t, "recon@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "100")

		r, err := h.App.Wallets.ReconcileCustody(ctx, sandbox.NewBalances(h.App.DB, h.App.Ledger))
		if err != nil || len(r.Mismatches()) != 0 || len(r.Lines) != 4 {
			t.Fatalf("sandbox run: %+v %v", r, err)
		}
		f := udunfake.New(t, harnessKey, "300015")
		c := udunClient(t, f, h, 5*time.Second)
		f.SetBalance(wallet.DefaultCurrencies[0].CoinType, "100")
		if r, err = h.App.Wallets.ReconcileCustody(ctx, c); err != nil || len(r.Mismatches()) != 0 {
			t.Fatalf("matching run: %v\n%s", err, r)
		}
		f.SetBalance(wallet.DefaultCurrencies[0].CoinType, "99.5")
		f.SetCoins(udunfake.DefaultCoins()[:3]) // no Ethereum coins reported
		f.SetBalance(wallet.DefaultCurrencies[0].CoinType, "99.5")
		if r, err = h.App.Wallets.ReconcileCustody(ctx, c); err != nil || len(r.Mismatches()) != 3 {
			t.Fatalf("run with differences: %v\n%s", err, r)
		}
		if m := r.Mismatches()[0]; m.Currency != "USDT-TRC20" || m.Ledger != 100_000_000 || m.Custody != 99_500_000 {
			t.Fatalf("mismatch %+v", m)
		}
		// The app's own start-up run may be among them: count relative to now.
		_, before, err := h.App.Wallets.CustodyReconciliationRuns(ctx, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		worker := wallet.NewCustodyReconcileWorker(h.App.Wallets, c)
		if err := worker.Work(ctx, &river.Job[wallet.CustodyReconcileArgs]{JobRow: &rivertype.JobRow{}}); err != nil {
			t.Fatal(err)
		}
		runs, total, err := h.App.Wallets.CustodyReconciliationRuns(ctx, 10, 0)
		if err != nil || total != before || runs[0].ID != r.ID || len(runs[0].Mismatches()) != 3 {
			t.Fatalf("runs %d (recent run not repeated): %+v %v", total, runs, err)
		}
		if err := worker.Work(ctx, &river.Job[wallet.CustodyReconcileArgs]{JobRow: &rivertype.JobRow{},
			Args: wallet.CustodyReconcileArgs{Force: true}}); err != nil {
			t.Fatal(err)
		}
		// A provider that cannot answer records nothing.
		f.Inject("/mch/support-coins", udunfake.Fault{HTTPStatus: 502})
		if _, err := h.App.Wallets.ReconcileCustody(ctx, c); !errors.Is(err, udun.ErrUnavailable) {
			t.Fatalf("provider down: %v", err)
		}
		if _, total, _ = h.App.Wallets.CustodyReconciliationRuns(ctx, 10, 0); total != before+1 {
			t.Fatalf("runs %d, want %d (the forced one added)", total, before+1)
		}
	})
}
