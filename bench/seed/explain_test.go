package seed_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/comecomepay/comecomepay/bench/seed"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// bigTables grow with users and their activity: a list query must never
// read one of them whole.
var bigTables = map[string]bool{
	"users": true, "sessions": true, "wallets": true, "ledger_accounts": true, "ledger_transactions": true, "ledger_postings": true,
	"unified_transactions": true, "transfers": true, "deposits": true, "withdrawals": true, "notifications": true, "cards": true,
	"card_tasks": true, "card_trades": true, "card_transactions": true, "card_fee_payments": true, "swaps": true,
}

// listQueries are the list and poll queries of the app's busiest screens,
// as the services send them (wallet/history.go, notification/read.go,
// card/views.go, card/history.go, wallet/withdrawals.go, ledger). The
// arguments are filled in from the seeded data: user is a heavy user, card
// its card, account its ledger account.
var listQueries = []struct{ name, sql string }{
	{"history count", `SELECT COUNT(*) FROM unified_transactions WHERE user_id = $1`},
	{"history page 1", `SELECT id, type, status, amount FROM unified_transactions WHERE user_id = $1 ORDER BY id DESC LIMIT 20 OFFSET 0`},
	{"history page 50", `SELECT id, type, status, amount FROM unified_transactions WHERE user_id = $1 ORDER BY id DESC LIMIT 20 OFFSET 980`},
	{"history by type", `SELECT id FROM unified_transactions WHERE user_id = $1 AND type = 'transfer' ORDER BY id DESC LIMIT 20 OFFSET 0`},
	{"history by dates", `SELECT id FROM unified_transactions WHERE user_id = $1 AND created_at >= 0 AND created_at < 9000000000000000
		ORDER BY id DESC LIMIT 20 OFFSET 0`},
	{"notifications count", `SELECT COUNT(*) FROM notifications WHERE user_id = $1`},
	{"notifications poll (limit 5)", `SELECT id, title FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 5 OFFSET 0`},
	{"notifications unread list", `SELECT id FROM notifications WHERE user_id = $1 AND status = 'unread' ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0`},
	{"notifications unread count", `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND status = 'unread'`},
	{"card list", `SELECT id, public_token FROM cards WHERE user_id = $1 AND status <> 'cancelled' ORDER BY id`},
	{"card count", `SELECT COUNT(*) FROM cards WHERE user_id = $1 AND status <> 'cancelled'`},
	{"card history", `SELECT id FROM card_transactions WHERE card_id = $2 ORDER BY trade_time DESC, id DESC LIMIT 20 OFFSET 0`},
	{"card history count", `SELECT COUNT(*) FROM card_transactions WHERE card_id = $2`},
	{"card trades", `SELECT trade_id FROM card_trades WHERE card_id = $2 ORDER BY trade_id DESC LIMIT 20`},
	{"withdrawals list", `SELECT id FROM withdrawals WHERE user_id = $1 ORDER BY id DESC LIMIT 20 OFFSET 0`},
	{"account postings", `SELECT id, amount FROM ledger_postings WHERE account_id = $3 ORDER BY id DESC LIMIT 20`},
	{"transaction postings", `SELECT account_id, amount FROM ledger_postings WHERE transaction_id = (SELECT MAX(id) FROM ledger_transactions)`},
	{"admin: users newest", `SELECT id, email FROM users ORDER BY id DESC LIMIT 20 OFFSET 0`},
	{"admin: user by email", `SELECT id FROM users WHERE email = 'u1@seed.bench'`},
	{"admin: cards by status", `SELECT id FROM cards WHERE status = 'active' ORDER BY id DESC LIMIT 20 OFFSET 0`},
	{"admin: deposits by status", `SELECT id FROM deposits WHERE status = 'completed' ORDER BY id DESC LIMIT 20 OFFSET 0`},
}

// TestListQueriesUseIndexes seeds a small production-shaped database,
// analyses it, and checks that the plan of every list query reads no big
// table whole. Sequential scans are priced out (enable_seqscan off), so a
// Seq Scan left in a plan means no index can serve the query at all: the
// check does not depend on how small the test data is.
func TestListQueriesUseIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a database")
	}
	for _, engine := range storetest.Engines() {
		if engine != store.Postgres {
			continue
		}
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, engine)
			rep, err := seed.Run(ctx, url, seed.FromScale(0.002))
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			conn, err := db.SQL.DB.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var user, card, account int64 = rep.HeavyFirst, 0, 0
			if err := conn.QueryRowContext(ctx, `SELECT id FROM cards WHERE user_id = $1`, user).Scan(&card); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE owner_id = $1`, user).Scan(&account); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
				t.Fatal(err)
			}
			// The check itself: a query no index serves must be caught.
			if scans, err := seqScans(ctx, conn, `SELECT id FROM unified_transactions WHERE description = 'x'`, user, card, account); err != nil ||
				len(scans) != 1 || scans[0] != "unified_transactions" {
				t.Fatalf("an unindexed query was not caught: %v %v", scans, err)
			}
			for _, q := range listQueries {
				scans, err := seqScans(ctx, conn, q.sql, user, card, account)
				if err != nil {
					t.Errorf("%s: %v", q.name, err)
					continue
				}
				for _, table := range scans {
					if bigTables[table] {
						t.Errorf("%s reads the whole of %s: add an index in a new migration", q.name, table)
					}
				}
			}
		})
	}
}

type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Plans    []planNode `json:"Plans"`
}

// seqScans returns the tables the plan of query reads sequentially. The
// query may use $1 (user), $2 (card) and $3 (account); the unused ones are
// bound through a no-op comparison so every query takes the three arguments.
func seqScans(ctx context.Context, conn *sql.Conn, query string, user, card, account int64) ([]string, error) {
	var raw string
	wrapped := `EXPLAIN (FORMAT JSON) WITH args AS (SELECT $1::bigint AS u, $2::bigint AS c, $3::bigint AS a) ` + query
	if err := conn.QueryRowContext(ctx, wrapped, user, card, account).Scan(&raw); err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(raw), &plans); err != nil {
		return nil, fmt.Errorf("plan json: %w", err)
	}
	var out []string
	var walk func(n planNode)
	walk = func(n planNode) {
		if n.NodeType == "Seq Scan" {
			out = append(out, n.Relation)
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	for _, p := range plans {
		walk(p.Plan)
	}
	return out, nil
}
