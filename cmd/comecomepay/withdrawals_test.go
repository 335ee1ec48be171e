package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// TestWithdrawalsCommandIsAuditedAsCLI: the command approves and rejects
// through the back office, audited as actor "cli", and refuses a
// withdrawal above the four-eyes threshold (two operators approve those
// through the admin API).
func TestWithdrawalsCommandIsAuditedAsCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := apptest.New(t, store.SQLite, apptest.Database(filepath.Join(dir, "comecomepay.db")))
	acc := h.Register(t, "cli-review@example.com")
	h.Deposit(t, acc, "USDT-TRC20", "2000")
	// The sandbox approves every withdrawal at once; production waits.
	w := *h.App.Wallets
	w.Limits.AutoApproveWithdrawals = false
	cur, _ := w.Currencies.Crypto("USDT-TRC20")
	request := func(units int64) int64 {
		var wd wallet.Withdrawal
		ctx := context.Background()
		err := h.App.DB.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			wd, err = w.RequestWithdrawal(ctx, tx, h.App.Jobs, wallet.WithdrawalInput{UserID: acc.ID, Currency: cur,
				Amount: money.Amount(units * 1_000_000), Address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return wd.ID
	}
	small, large := request(20), request(1500)

	getenv := envOf(map[string]string{"COMECOMEPAY_DATA_DIR": dir, "COMECOMEPAY_MODE": "sandbox", "COMECOMEPAY_PASSWORD_HASH": "fast"})
	ctx := context.Background()
	var out strings.Builder
	if err := run(ctx, []string{"comecomepay", "withdrawals", "list"}, getenv, &out); err != nil ||
		!strings.Contains(out.String(), strconv.FormatInt(large, 10)+" ") {
		t.Fatalf("list: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"comecomepay", "withdrawals", "approve", strconv.FormatInt(small, 10)}, getenv, &out); err != nil {
		t.Fatalf("approve: %v", err)
	}
	err := run(ctx, []string{"comecomepay", "withdrawals", "approve", strconv.FormatInt(large, 10), "big", "one"}, getenv, &out)
	if err == nil || !strings.Contains(err.Error(), "four-eyes") {
		t.Fatalf("approving above the threshold: %v", err)
	}
	if err := run(ctx, []string{"comecomepay", "withdrawals", "reject", strconv.FormatInt(large, 10), "needs", "documents"}, getenv, &out); err != nil {
		t.Fatalf("reject: %v", err)
	}
	rows, _, err := h.App.Audit.List(ctx, audit.Filter{ActorType: audit.ActorCLI, TargetType: "withdrawal"}, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Action != "withdrawal.reject" || rows[0].Reason != "needs documents" ||
		rows[1].Action != "withdrawal.approve" || rows[1].TargetID != strconv.FormatInt(small, 10) {
		t.Fatalf("audit rows: %+v", rows)
	}
}
