package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestLedgerVerifyCommand runs `ledger verify` on a clean database, then on
// one whose ledger was altered behind the service's back.
func TestLedgerVerifyCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	getenv := envOf(map[string]string{"COMECOMEPAY_DATA_DIR": dir, "COMECOMEPAY_MODE": "sandbox"})
	var out strings.Builder
	if err := run(ctx, []string{"comecomepay", "ledger", "verify"}, getenv, &out); err == nil {
		t.Fatal("verify on an unmigrated database succeeded")
	}
	if err := run(ctx, []string{"comecomepay", "migrate"}, getenv, &out); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"comecomepay", "ledger", "verify"}, getenv, &out); err != nil || !strings.Contains(out.String(), "OK") {
		t.Fatalf("verify on a clean ledger: %v\n%s", err, out.String())
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "comecomepay.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO ledger_accounts (owner_id, name, currency, shard, balance, may_go_negative, created_at)
		VALUES (7, 'available', 'USDT-TRC20', 0, 5, 0, 1)`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"comecomepay", "ledger", "verify"}, getenv, &out)
	if err == nil || !strings.Contains(out.String(), "DRIFT") {
		t.Fatalf("verify on a drifted ledger: err=%v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"comecomepay", "ledger"}, getenv, &out); err == nil {
		t.Fatal("`ledger` without verify succeeded")
	}
}

func TestWithdrawalsCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	getenv := envOf(map[string]string{"COMECOMEPAY_DATA_DIR": t.TempDir(), "COMECOMEPAY_MODE": "sandbox", "COMECOMEPAY_PASSWORD_HASH": "fast"})
	var out strings.Builder
	if err := run(ctx, []string{"comecomepay", "withdrawals", "list"}, getenv, &out); err != nil || !strings.Contains(out.String(), "ADDRESS") {
		t.Fatalf("list: %v %s", err, out.String())
	}
	for _, args := range [][]string{
		{"withdrawals"}, {"withdrawals", "approve"}, {"withdrawals", "approve", "x"}, {"withdrawals", "reject", "1"},
		{"withdrawals", "approve", "42"}, {"withdrawals", "reject", "42", "no reason"},
	} {
		if err := run(ctx, append([]string{"comecomepay"}, args...), getenv, &out); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}

func TestCouponsCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	getenv := envOf(map[string]string{"COMECOMEPAY_DATA_DIR": t.TempDir(), "COMECOMEPAY_MODE": "sandbox", "COMECOMEPAY_PASSWORD_HASH": "fast"})
	var out strings.Builder
	if err := run(ctx, []string{"comecomepay", "coupons", "create", "spring5", "Spring", "percentage", "12.5", "claimable"}, getenv, &out); err != nil ||
		!strings.Contains(out.String(), "SPRING5") {
		t.Fatalf("create: %v %s", err, out.String())
	}
	// A user to hand it to, made the way the service makes users.
	a := openTestApp(t, getenv)
	signup, err := a.Accounts.Signup(ctx, "holder@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Accounts.VerifySignup(ctx, "holder@example.com", signup.OTP, ""); err != nil {
		t.Fatal(err)
	}
	user, err := a.Accounts.SetPassword(ctx, "holder@example.com", "Str0ng!Passw0rd", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	uid := strconv.FormatInt(user.Profile.ID, 10)
	for _, want := range []string{"assigned to user " + uid, "already holds"} {
		out.Reset()
		if err := run(ctx, []string{"comecomepay", "coupons", "assign", "spring5", uid}, getenv, &out); err != nil || !strings.Contains(out.String(), want) {
			t.Fatalf("assign: %v %q, want %q", err, out.String(), want)
		}
	}
	wantCLIAudit(t, a, "coupon.", 3) // create, assign, assign (nothing new)
	for _, args := range [][]string{
		{"coupons"}, {"coupons", "create", "SPRING5", "Again", "fixed", "1"}, {"coupons", "create", "X", "Bad", "gift", "1"},
		{"coupons", "create", "Y", "Neg", "fixed", "-1"}, {"coupons", "assign", "SPRING5", "abc"}, {"coupons", "assign", "SPRING5", "999"},
	} {
		if err := run(ctx, append([]string{"comecomepay"}, args...), getenv, &out); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}
