package ledger_test

import (
	"context"
	"testing"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestBookRefusesChangesBehindTheLedger works on the database directly, as
// a faulty script or an intruder with the service's credentials would: the
// postings and transactions cannot be changed or removed, and no user
// account can be set below zero, whatever the code above does.
func TestBookRefusesChangesBehindTheLedger(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, l := newLedger(t, engine)
		if err := post(ctx, db, l, deposit(7, 50, "dep")); err != nil {
			t.Fatal(err)
		}
		refused := []string{
			`UPDATE ledger_postings SET amount = amount * 2`,
			`UPDATE ledger_postings SET account_id = account_id WHERE id = (SELECT MIN(id) FROM ledger_postings)`,
			`DELETE FROM ledger_postings`,
			`DELETE FROM ledger_postings WHERE id = (SELECT MAX(id) FROM ledger_postings)`,
			`UPDATE ledger_transactions SET reference = 'other'`,
			`DELETE FROM ledger_transactions`,
			`UPDATE ledger_accounts SET balance = -3 WHERE owner_id = 7`,
			`UPDATE ledger_accounts SET may_go_negative = TRUE WHERE owner_id = 7`,
			`UPDATE ledger_accounts SET owner_id = 0 WHERE owner_id = 7`,
			`DELETE FROM ledger_accounts WHERE owner_id = 7`,
			`INSERT INTO ledger_accounts (owner_id, name, currency, shard, balance, may_go_negative, created_at)
				VALUES (8, 'available', 'USDT-TRC20', 0, -1, FALSE, 0)`,
		}
		if engine == store.Postgres {
			refused = append(refused, `TRUNCATE ledger_postings`, `TRUNCATE ledger_transactions CASCADE`)
		}
		for _, q := range refused {
			if _, err := db.SQL.ExecContext(ctx, q); err == nil {
				t.Errorf("accepted: %s", q)
			}
		}
		// House accounts are the other side of user money and may be
		// negative; their balance still moves by the ledger's updates.
		if _, err := db.SQL.ExecContext(ctx, `UPDATE ledger_accounts SET balance = balance - 1 WHERE owner_id = 0`); err != nil {
			t.Errorf("house balance update refused: %v", err)
		}
		if _, err := db.SQL.ExecContext(ctx, `UPDATE ledger_accounts SET balance = balance + 1 WHERE owner_id = 0`); err != nil {
			t.Errorf("house balance update refused: %v", err)
		}
		report, err := l.VerifySnapshot(ctx)
		if err != nil || !report.OK() || report.Transactions != 1 {
			t.Fatalf("book changed: %v\n%s", err, report)
		}
	})
}
