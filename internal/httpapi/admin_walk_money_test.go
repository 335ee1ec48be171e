package httpapi_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Examples of the money routes for the admin walk. Each makes its own user:
// four-eyes keeps one open request per action and record.
var (
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/withdrawals/{id}/approve", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			id := pendingWithdrawal(t, env.h, env.moneyUser(t), "20")
			return "/api/v1/admin/withdrawals/" + strconv.FormatInt(id, 10) + "/approve", map[string]any{"reason": "address checked"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/withdrawals/{id}/reject", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			id := pendingWithdrawal(t, env.h, env.moneyUser(t), "20")
			return "/api/v1/admin/withdrawals/" + strconv.FormatInt(id, 10) + "/reject", map[string]any{"reason": "sanctioned address"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/deposits/{id}/assign", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			env.walkSeq++
			id := unmatchedDeposit(t, env.h, fmt.Sprintf("walk-unmatched-%d", env.walkSeq), 3, "12")
			return "/api/v1/admin/deposits/" + strconv.FormatInt(id, 10) + "/assign",
				map[string]any{"user_id": env.user.ID, "reason": "ticket 4411: sent to an old address"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/deposits/{id}/credit", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			id := belowMinimumDeposit(t, env.h, env.moneyUser(t), "0.5")
			return "/api/v1/admin/deposits/" + strconv.FormatInt(id, 10) + "/credit", map[string]any{"reason": "customer goodwill"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/ledger/adjustments", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/ledger/adjustments", map[string]any{"user_id": env.moneyUser(t).ID, "currency": "USDT-TRC20",
				"amount": 25, "reason": "compensation for ticket 981"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/reconciliation/run", Role: operator.Finance, Status: http.StatusAccepted,
		Setup: func(t *testing.T, env *adminEnv) (string, any) { return "/api/v1/admin/reconciliation/run", nil }})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/card-fee-payments/{id}/refund", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			id := paidCardFee(t, env.h, env.moneyUser(t))
			return "/api/v1/admin/card-fee-payments/" + strconv.FormatInt(id, 10) + "/refund", map[string]any{"reason": "changed their mind"}
		}})
	// The four-eyes decisions, on an adjustment above the threshold that
	// another finance operator requested.
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/approvals/{id}/approve", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			id := requestLargeAdjustment(t, env)
			return "/api/v1/admin/approvals/" + strconv.FormatInt(id, 10) + "/approve", map[string]any{"note": "matches the bank statement"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/approvals/{id}/reject", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			id := requestLargeAdjustment(t, env)
			return "/api/v1/admin/approvals/" + strconv.FormatInt(id, 10) + "/reject", map[string]any{"reason": "no ticket for this"}
		}})
)

// moneyUser registers a new user for one example.
func (env *adminEnv) moneyUser(t *testing.T) apptest.Account {
	t.Helper()
	env.walkSeq++
	return env.h.Register(t, fmt.Sprintf("walk-money-%d@example.com", env.walkSeq))
}

// requestLargeAdjustment has the second finance operator ask for an
// adjustment above the four-eyes threshold and returns the request's id.
func requestLargeAdjustment(t *testing.T, env *adminEnv) int64 {
	t.Helper()
	res := env.h.Do(http.MethodPost, "/api/v1/admin/ledger/adjustments", map[string]any{"user_id": env.moneyUser(t).ID,
		"currency": "USDT-TRC20", "amount": "1500", "reason": "migration of a legacy balance"},
		apptest.Bearer(env.h.OperatorSignIn(t, env.second))).Expect(t, http.StatusAccepted, "")
	return apptest.Data[approvalOut](t, res).ID
}

// approvalOut is the part of a four-eyes request the tests read.
type approvalOut struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
}

// pendingWithdrawal deposits amount for acc and requests its withdrawal
// with auto-approval off (the sandbox approves every withdrawal at once;
// production leaves them to operators). It returns the withdrawal's id.
func pendingWithdrawal(t *testing.T, h *apptest.Harness, acc apptest.Account, amount string) int64 {
	t.Helper()
	h.Deposit(t, acc, "USDT-TRC20", amount)
	w := *h.App.Wallets
	w.Limits.AutoApproveWithdrawals = false
	cur, _ := w.Currencies.Crypto("USDT-TRC20")
	gross, err := money.ParsePositive(amount, cur.Decimals)
	if err != nil {
		t.Fatal(err)
	}
	var wd wallet.Withdrawal
	ctx := context.Background()
	if err := h.App.DB.InTx(ctx, func(tx *sql.Tx) error {
		wd, err = w.RequestWithdrawal(ctx, tx, h.App.Jobs, wallet.WithdrawalInput{UserID: acc.ID, Currency: cur, Amount: gross,
			Address: externalTron})
		return err
	}); err != nil {
		t.Fatalf("request a withdrawal of %s: %v", amount, err)
	}
	return wd.ID
}

// unmatchedDeposit reports a deposit of units USDT-TRC20 to an address no
// user owns, with custody status, and returns the deposit's id.
func unmatchedDeposit(t *testing.T, h *apptest.Harness, tradeID string, status int, units string) int64 {
	t.Helper()
	amount, err := money.ParsePositive(units, 6)
	if err != nil {
		t.Fatal(err)
	}
	custodyPost(h, "/api/v1/webhooks/custody", depositEvent(tradeID, externalTron, status, strconv.FormatInt(int64(amount), 10)), false).
		Expect(t, 200, "")
	processAll(t, h)
	return depositIDOf(t, h, tradeID)
}

func depositIDOf(t *testing.T, h *apptest.Harness, tradeID string) int64 {
	t.Helper()
	var id int64
	if err := h.App.DB.SQL.QueryRow(`SELECT id FROM deposits WHERE trade_id = $1`, tradeID).Scan(&id); err != nil {
		t.Fatalf("deposit of trade %s: %v", tradeID, err)
	}
	return id
}

// belowMinimumDeposit has acc receive amount USDT-TRC20, under the minimum
// credited deposit, and returns the deposit's id.
func belowMinimumDeposit(t *testing.T, h *apptest.Harness, acc apptest.Account, amount string) int64 {
	t.Helper()
	res := h.Do(http.MethodPost, "/api/v1/sandbox/deposits", map[string]any{"currency": "USDT-TRC20", "amount": amount,
		"user_id": acc.ID}).Expect(t, 200, "")
	d := apptest.Data[struct {
		TradeID string `json:"trade_id"`
		Status  string `json:"status"`
	}](t, res)
	if d.Status != "below_minimum" {
		t.Fatalf("deposit of %s: %s", amount, res.Body)
	}
	return depositIDOf(t, h, d.TradeID)
}

// paidCardFee has acc pay the virtual card fee (5 USDT) and returns the
// payment's id.
func paidCardFee(t *testing.T, h *apptest.Harness, acc apptest.Account) int64 {
	t.Helper()
	h.Deposit(t, acc, "USDT-TRC20", "5")
	ref := apptest.Decode[apptest.FeePayment](t, createPayment(h, acc, "virtual").Expect(t, 200, "")).Payment.TransactionRef
	completePayment(h, acc, ref, "USDT-TRC20").Expect(t, 200, "")
	var id int64
	if err := h.App.DB.SQL.QueryRow(`SELECT id FROM card_fee_payments WHERE transaction_ref = $1`, ref).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
