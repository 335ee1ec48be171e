package httpapi_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apptest"
)

// emptyWallet moves everything the user holds in USDT-TRC20 to a sink
// account and checks that no ledger account of the user holds money.
func emptyWallet(t *testing.T, h *apptest.Harness, acc apptest.Account, sinkEmail string, currencies ...string) {
	t.Helper()
	sink := h.Register(t, sinkEmail)
	h.SetTxPassword(t, acc)
	for _, cur := range currencies {
		if left := balanceOf(t, h, acc, cur); left != "0" {
			h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": sink.ID, "currency": cur,
				"amount": left, "transaction_password": apptest.TxPassword}, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		}
	}
	var held int64
	if err := h.App.DB.SQL.QueryRow(`SELECT COALESCE(SUM(ABS(balance)), 0) FROM ledger_accounts WHERE owner_id = $1`, acc.ID).
		Scan(&held); err != nil || held != 0 {
		t.Fatalf("the user still holds %d minor units (%v)", held, err)
	}
}

func expectBlocked(t *testing.T, h *apptest.Harness, acc apptest.Account, why string) {
	t.Helper()
	res := h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, apptest.Bearer(acc.Access)).Expect(t, 400, "DEACTIVATION_BLOCKED")
	if d := apptest.Decode[apptest.ErrorBody](t, res).Details; !strings.Contains(d, why) {
		t.Fatalf("details %q do not say %q", d, why)
	}
}

// TestDeactivationWaitsForCardApplication: a card application whose card
// is not issued yet keeps the account open (API.md §2.2); the issuance
// would otherwise open a card at the issuer for a closed account.
func TestDeactivationWaitsForCardApplication(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "apply-closer@example.com")
		// An application the issuance job is working on (no job is queued
		// for this row, so it stays as it is).
		var taskID int64
		if err := h.App.DB.SQL.QueryRow(`INSERT INTO card_tasks (user_id, kyc_id, physical, status, created_at, updated_at)
			VALUES ($1, 1, false, 'processing', $2, $2) RETURNING id`, acc.ID, h.Clock.Now().UnixMicro()).Scan(&taskID); err != nil {
			t.Fatal(err)
		}
		expectBlocked(t, h, acc, "card application")
		if _, err := h.App.DB.SQL.Exec(`UPDATE card_tasks SET status = 'failed' WHERE id = $1`, taskID); err != nil {
			t.Fatal(err)
		}
		h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	})
}

// TestDeactivationWaitsForPhysicalOrder: a paid physical card order that
// is not delivered (or failed) keeps the account open, since its failure
// refunds the fee to the wallet; once it failed and the refund was spent,
// the account may close.
func TestDeactivationWaitsForPhysicalOrder(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "physical-closer@example.com")
		h.Deposit(t, acc, "USDC-ERC20", "40")
		vt := verifiedToken(t, h, acc, c.PublicToken)
		if d := dataC[upgradeOrder](t, expectC(t, convert(h, acc, convertBody(c.PublicToken, vt, "USDC-ERC20"), newKey()), 200, "SUCCESS")); d.Status != "SUBMITTED" {
			t.Fatalf("order %v", d)
		}
		emptyWallet(t, h, acc, "physical-sink@example.com", "USDT-TRC20", "USDC-ERC20")
		expectBlocked(t, h, acc, "physical card order")
		advance(t, h, c.PublicToken, map[string]any{"to": "SHIPPED"})
		expectBlocked(t, h, acc, "physical card order")
		// The issuer gives up: the fee comes back, which blocks by itself.
		advance(t, h, c.PublicToken, map[string]any{"to": "FAILED", "fail_reason": "Lost in transit"})
		if got := balanceOf(t, h, acc, "USDC-ERC20"); got != "40" {
			t.Fatalf("refund %s, want 40", got)
		}
		expectBlocked(t, h, acc, "balance")
		emptyWallet(t, h, acc, "physical-sink-2@example.com", "USDC-ERC20")
		h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		verifyLedger(t, h)
	})
}

// TestLockUserRefusesClosedAccount: the user-row lock that serialises card
// applications (and secret reveals) reads the status it locked, so an
// application that waited for a deactivation's lock is refused instead of
// issuing a card to the closed account.
func TestLockUserRefusesClosedAccount(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "lock-closed@example.com")
		otp := h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "").Str(t, "otp")
		h.Do(http.MethodPost, "/api/v1/user/deactivate", map[string]any{"otp_code": otp}, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		err := h.App.DB.InTx(context.Background(), func(tx *sql.Tx) error { return h.App.Accounts.LockUser(context.Background(), tx, acc.ID) })
		if !errors.Is(err, account.ErrAccountDeactivated) {
			t.Fatalf("LockUser on a closed account: %v, want ACCOUNT_DEACTIVATED", err)
		}
	})
}
