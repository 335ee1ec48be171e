package seed_test

import (
	"context"
	"testing"

	"github.com/comecomepay/comecomepay/bench/seed"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestSeedSmoke seeds a tiny plan twice on each engine (the second run adds
// to the first, as the benchmark suite does) and checks the book: every
// transaction balances, every balance equals its postings, no reference
// dangles (the PostgreSQL load skips the foreign-key triggers).
func TestSeedSmoke(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		url := storetest.URL(t, engine)
		for range 2 {
			if _, err := seed.Run(ctx, url, seed.FromScale(0.001)); err != nil {
				t.Fatal(err)
			}
		}
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for name, q := range map[string]string{
			"users":                  `SELECT COUNT(*) - 2000 FROM users`,
			"unbalanced":             `SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_postings GROUP BY transaction_id HAVING SUM(amount) <> 0) x`,
			"balance ≠ postings":     `SELECT COUNT(*) FROM ledger_accounts a WHERE a.balance <> (SELECT COALESCE(SUM(amount), 0) FROM ledger_postings p WHERE p.account_id = a.id)`,
			"postings w/o account":   `SELECT COUNT(*) FROM ledger_postings p LEFT JOIN ledger_accounts a ON a.id = p.account_id WHERE a.id IS NULL`,
			"postings w/o tx":        `SELECT COUNT(*) FROM ledger_postings p LEFT JOIN ledger_transactions t ON t.id = p.transaction_id WHERE t.id IS NULL`,
			"history w/o user":       `SELECT COUNT(*) FROM unified_transactions h LEFT JOIN users u ON u.id = h.user_id WHERE u.id IS NULL`,
			"cards w/o task":         `SELECT COUNT(*) FROM cards c LEFT JOIN card_tasks k ON k.id = c.task_id WHERE k.id IS NULL`,
			"trades w/o card":        `SELECT COUNT(*) FROM card_trades r LEFT JOIN cards c ON c.id = r.card_id WHERE c.id IS NULL`,
			"notifications w/o user": `SELECT COUNT(*) FROM notifications n LEFT JOIN users u ON u.id = n.user_id WHERE u.id IS NULL`,
			"negative user balance":  `SELECT COUNT(*) FROM ledger_accounts WHERE owner_id <> 0 AND balance < 0`,
			"card without its fee":   `SELECT COUNT(*) FROM card_tasks k LEFT JOIN card_fee_payments f ON f.consumed_by_task_id = k.id WHERE f.id IS NULL`,
			"user wallet id":         `SELECT COUNT(*) FROM users u JOIN wallets w ON w.user_id = u.id WHERE u.wallet_id IS NULL OR u.wallet_id <> w.wallet_id`,
		} {
			var n int
			if err := db.SQL.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if n != 0 {
				t.Errorf("%s: %d", name, n)
			}
		}
		var postings int
		if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_postings`).Scan(&postings); err != nil {
			t.Fatal(err)
		}
		if postings < 2*10_000 {
			t.Errorf("postings = %d, want ≥ 20000 (10 a user)", postings)
		}
	})
}
