package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

const externalTron = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"

func withdraw(h *apptest.Harness, acc apptest.Account, amount any, address string, headers ...apptest.Header) *apptest.Response {
	return h.Do(http.MethodPost, "/api/v1/wallet/withdrawal", map[string]any{"currency": "USDT-TRC20", "amount": amount, "address": address},
		append(headers, apptest.Bearer(acc.Access))...)
}

// withdrawalView is a withdrawal as the API shows it.
type withdrawalView struct {
	ID           int64   `json:"id"`
	Amount       float64 `json:"amount"`
	Fee          float64 `json:"fee"`
	ActualAmount float64 `json:"actual_amount"`
	Status       string  `json:"status"`
	TxHash       string  `json:"tx_hash"`
	CompletedAt  *string `json:"completed_at"`
}

// withdrawalOf reads the withdrawal of a POST /wallet/withdrawal answer.
func withdrawalOf(t *testing.T, res *apptest.Response) withdrawalView {
	t.Helper()
	return apptest.Decode[struct {
		Withdrawal withdrawalView `json:"withdrawal"`
	}](t, res).Withdrawal
}

// waitWithdrawal polls until the withdrawal reaches status (the custody
// submission is a job).
func waitWithdrawal(t *testing.T, h *apptest.Harness, acc apptest.Account, status string) withdrawalView {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := h.Do(http.MethodGet, "/api/v1/wallet/withdrawals?limit=1", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		items := apptest.Decode[struct {
			Items []withdrawalView `json:"items"`
		}](t, res).Items
		if len(items) > 0 && items[0].Status == status {
			return items[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("withdrawal never reached %s: %s", status, res.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWithdrawalLifecycleInSandbox(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "withdraw@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "100")
		own := walletOf(t, h, acc).Balances[0].Address

		for _, tc := range []struct {
			name    string
			amount  any
			address string
			status  int
			code    string
		}{
			{"invalid address", "20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", 400, "INVALID_ADDRESS"},
			{"evm address on tron", "20", "0xdac17f958d2ee523a2206206994597c13d831ec7", 400, "INVALID_ADDRESS"},
			{"own deposit address", "20", own, 400, "INTERNAL_ADDRESS"},
			{"below minimum", "9.99", externalTron, 400, "VALIDATION_FAILED"},
			{"above maximum", "50000.01", externalTron, 400, "VALIDATION_FAILED"},
			{"more than the balance", "100.01", externalTron, 400, "INSUFFICIENT_BALANCE"},
			{"too precise", "10.0000001", externalTron, 400, "VALIDATION_FAILED"},
		} {
			if res := withdraw(h, acc, tc.amount, tc.address); res.Status != tc.status || res.Code() != tc.code {
				t.Errorf("%s: %d %s, want %d %s", tc.name, res.Status, res.Code(), tc.status, tc.code)
			}
		}
		res := h.Do(http.MethodPost, "/api/v1/wallet/withdrawal", map[string]any{"currency": "USDT-TRC20", "amount": 20,
			"address": externalTron, "network": "ERC20"}, apptest.Bearer(acc.Access))
		res.Expect(t, 400, "VALIDATION_FAILED")
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "100" {
			t.Fatalf("refused withdrawals moved money: %s", got)
		}

		res = withdraw(h, acc, "40", externalTron).Expect(t, 200, "")
		wd := withdrawalOf(t, res)
		if wd.Amount != 40 || wd.Fee != 1 || wd.ActualAmount != 39 || wd.Status != "approved" {
			t.Fatalf("withdrawal %+v", wd)
		}
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "60" {
			t.Fatalf("after the hold: %s", got)
		}
		done := waitWithdrawal(t, h, acc, "completed")
		if done.TxHash == "" || done.CompletedAt == nil {
			t.Fatalf("completed withdrawal %+v", done)
		}
		res = h.Do(http.MethodGet, "/api/v1/wallet/withdrawal-fee-info?amount=40", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		if d := apptest.Data[struct {
			Fee          float64 `json:"fee"`
			ActualAmount float64 `json:"actual_amount"`
			MinAmount    float64 `json:"min_amount"`
		}](t, res); d.Fee != 1 || d.ActualAmount != 39 || d.MinAmount != 10 {
			t.Fatalf("fee info %+v", d)
		}
		verifyLedger(t, h)
	})
}

// withoutAutoSettle keeps submitted withdrawals open so a test can settle
// them through the sandbox helper.
func withoutAutoSettle(c *config.Config) { c.SandboxAutoSettle = false }

func TestWithdrawalRefundOnFailure(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, withoutAutoSettle)
		acc := h.Register(t, "refund@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "50")
		for i, outcome := range []string{"failed", "rejected"} {
			res := withdraw(h, acc, "30", externalTron).Expect(t, 200, "")
			id := withdrawalOf(t, res).ID
			res = h.Do(http.MethodPost, fmt.Sprintf("/api/v1/sandbox/withdrawals/%d/settle", id), map[string]string{"outcome": outcome}).Expect(t, 200, "")
			if apptest.Data[withdrawalView](t, res).Status != outcome {
				t.Fatalf("settle %d: %s", i, res.Body)
			}
			if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "50" {
				t.Fatalf("after %s the balance is %s, want the full 50 back", outcome, got)
			}
			// A late success for a refunded withdrawal changes nothing.
			h.Do(http.MethodPost, fmt.Sprintf("/api/v1/sandbox/withdrawals/%d/settle", id), map[string]string{"outcome": "completed"}).Expect(t, 200, "")
			if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "50" {
				t.Fatalf("late completion moved money: %s", got)
			}
		}
		verifyLedger(t, h)
	})
}

// TestParallelWithdrawalsNeverOverdraw races 50 withdrawals of 11 from 100.
func TestParallelWithdrawalsNeverOverdraw(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, withoutAutoSettle)
		acc := h.Register(t, "wd-race@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "100")
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			ok, nsf int
		)
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := withdraw(h, acc, "11", externalTron)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case res.Status == 200:
					ok++
				case res.Code() == "INSUFFICIENT_BALANCE":
					nsf++
				default:
					t.Errorf("withdrawal: %d %s", res.Status, res.Body)
				}
			}()
		}
		wg.Wait()
		if ok != 9 || nsf != 41 {
			t.Fatalf("%d accepted, %d refused; want 9 and 41", ok, nsf)
		}
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "1" {
			t.Fatalf("balance %s, want 1", got)
		}
		report, err := h.App.Ledger.VerifySnapshot(context.Background())
		if err != nil || !report.OK() {
			t.Fatalf("verify: %v %s", err, report)
		}
	})
}

// TestWithdrawalOperatorReview runs in staging mode (production's behaviour
// on the simulators), where withdrawals wait for an operator (today the CLI,
// which calls these service methods).
func TestWithdrawalOperatorReview(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		h := apptest.New(t, engine, apptest.Staging())
		acc := h.Register(t, "review@example.com")
		addr := walletOf(t, h, acc).Balances[0].Address
		custodyPost(h, "/api/v1/webhooks/custody", depositEvent("prod-dep-1", addr, 3, "80000000"), false).Expect(t, 200, "")
		processAll(t, h)
		h.Do(http.MethodPost, "/api/v1/sandbox/deposits", map[string]any{}).Expect(t, 404, "NOT_FOUND")

		first := withdraw(h, acc, "30", externalTron).Expect(t, 200, "")
		if st := withdrawalOf(t, first).Status; st != "pending" {
			t.Fatalf("production withdrawal status %v, want pending", st)
		}
		id := withdrawalOf(t, first).ID
		if err := h.App.Wallets.RejectWithdrawal(ctx, id, "address on a sanctions list"); err != nil {
			t.Fatal(err)
		}
		if err := h.App.Wallets.RejectWithdrawal(ctx, id, "twice"); err == nil {
			t.Fatal("a rejected withdrawal was rejected again")
		}
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "80" {
			t.Fatalf("after rejection: %s", got)
		}
		second := withdraw(h, acc, "30", externalTron).Expect(t, 200, "")
		id = withdrawalOf(t, second).ID
		if err := h.App.Wallets.ApproveWithdrawal(ctx, h.App.Jobs, id); err != nil {
			t.Fatal(err)
		}
		if err := h.App.Wallets.ApproveWithdrawal(ctx, h.App.Jobs, 999999); err == nil {
			t.Fatal("approved a withdrawal that does not exist")
		}
		waitWithdrawal(t, h, acc, "completed")
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "50" {
			t.Fatalf("after completion: %s", got)
		}
		verifyLedger(t, h)
	})
}

func TestWithdrawalTransactionPassword(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, func(c *config.Config) { c.WithdrawalNeedsTxPassword = true })
		acc := h.Register(t, "wd-pin@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "50")
		withdraw(h, acc, "20", externalTron).Expect(t, 400, "TRANSACTION_PASSWORD_NOT_SET")
		h.SetTxPassword(t, acc)
		withdraw(h, acc, "20", externalTron).Expect(t, 400, "INVALID_TRANSACTION_PASSWORD")
		body := map[string]any{"currency": "USDT-TRC20", "amount": "20", "address": externalTron, "transaction_password": "000000"}
		h.Do(http.MethodPost, "/api/v1/wallet/withdrawal", body, apptest.Bearer(acc.Access)).Expect(t, 400, "INVALID_TRANSACTION_PASSWORD")
		body["transaction_password"] = apptest.TxPassword
		h.Do(http.MethodPost, "/api/v1/wallet/withdrawal", body, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	})
}
