package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/platform/passhash"
)

func storedTxPassword(t *testing.T, h *apptest.Harness, userID int64) string {
	t.Helper()
	var v string
	if err := h.App.DB.SQL.QueryRowContext(context.Background(), `SELECT COALESCE(tx_password_hash, '') FROM users WHERE id = $1`,
		userID).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func setStoredTxPassword(t *testing.T, h *apptest.Harness, userID int64, v string) {
	t.Helper()
	if _, err := h.App.DB.SQL.ExecContext(context.Background(), `UPDATE users SET tx_password_hash = $1 WHERE id = $2`, v, userID); err != nil {
		t.Fatal(err)
	}
}

// TestTxPasswordKeyedHash: a transaction password is stored as a keyed hash
// bound to its user (docs/decisions.md, "Transaction passwords: keyed
// hash"): equal codes of two users differ at rest, and a value copied to
// another user's row does not verify there.
func TestTxPasswordKeyedHash(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "keyed-a@example.com"), h.Register(t, "keyed-b@example.com")
		h.SetTxPassword(t, alice)
		h.SetTxPassword(t, bob)
		a, b := storedTxPassword(t, h, alice.ID), storedTxPassword(t, h, bob.ID)
		if !strings.HasPrefix(a, "$ccp-hmac-sha256$") || strings.Contains(a, apptest.TxPassword) {
			t.Fatalf("stored transaction password %q, want the keyed form", a)
		}
		if a == b {
			t.Error("two users' equal codes are stored equal")
		}
		if err := usrCheckTx(h, alice.ID, apptest.TxPassword); err != nil {
			t.Fatalf("correct code: %v", err)
		}
		setStoredTxPassword(t, h, bob.ID, a)
		if e, ok := apperr.As(usrCheckTx(h, bob.ID, apptest.TxPassword)); !ok || e.Code != "INVALID_TRANSACTION_PASSWORD" {
			t.Errorf("another user's value verified: %v", e)
		}
	})
}

// TestTxPasswordArgonUpgradedOnUse: a row from before the keyed form
// (argon2id) still verifies; a wrong entry leaves it as it is, and the next
// correct one rewrites it in the keyed form.
func TestTxPasswordArgonUpgradedOnUse(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "argon-tx@example.com")
		old := passhash.Hash(passhash.Fast, "654321")
		setStoredTxPassword(t, h, acc.ID, old)
		if e, ok := apperr.As(usrCheckTx(h, acc.ID, "123456")); !ok || e.Code != "INVALID_TRANSACTION_PASSWORD" {
			t.Fatalf("wrong code against argon2id: %v", e)
		}
		if got := storedTxPassword(t, h, acc.ID); got != old {
			t.Fatalf("a wrong entry rewrote the stored value: %q", got)
		}
		if err := usrCheckTx(h, acc.ID, "654321"); err != nil {
			t.Fatalf("correct code against argon2id: %v", err)
		}
		upgraded := storedTxPassword(t, h, acc.ID)
		if !strings.HasPrefix(upgraded, "$ccp-hmac-sha256$") {
			t.Fatalf("after a correct entry the value is %q, want the keyed form", upgraded)
		}
		if err := usrCheckTx(h, acc.ID, "654321"); err != nil {
			t.Fatalf("correct code against the keyed form: %v", err)
		}
		if e, ok := apperr.As(usrCheckTx(h, acc.ID, "654320")); !ok || e.Code != "INVALID_TRANSACTION_PASSWORD" {
			t.Errorf("wrong code against the keyed form: %v", e)
		}
		// The wrong entry before the upgrade was counted, and the correct
		// one reset the count: four more wrong entries do not lock.
		for range 3 {
			_ = usrCheckTx(h, acc.ID, "000000")
		}
		if err := usrCheckTx(h, acc.ID, "654321"); err != nil {
			t.Errorf("after 4 wrong entries: %v", err)
		}
	})
}
