package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Report lists every invariant violation found by Verify.
type Report struct {
	Transactions int64
	Accounts     int64
	Problems     []string
}

// OK reports whether no invariant is violated.
func (r Report) OK() bool { return len(r.Problems) == 0 }

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ledger: %d transactions, %d accounts checked\n", r.Transactions, r.Accounts)
	if r.OK() {
		b.WriteString("ledger: OK — every transaction balances, every balance equals its postings, no user balance is negative\n")
		return b.String()
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "DRIFT: %s\n", p)
	}
	return b.String()
}

// VerifySnapshot runs Verify in a read-only transaction that sees one
// snapshot, so it is exact while the service keeps posting.
func (l *Ledger) VerifySnapshot(ctx context.Context) (Report, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if l.db.Engine == store.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := l.db.SQL.BeginTx(ctx, opts)
	if err != nil {
		return Report{}, fmt.Errorf("ledger: verify snapshot: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return l.Verify(ctx, tx)
}

// Verify checks the ledger invariants (API.md §3.7) in one consistent read:
// every transaction sums to zero per currency, every stored balance equals
// the sum of its postings, no user account is negative, and the whole book
// sums to zero per currency.
func (l *Ledger) Verify(ctx context.Context, q store.Querier) (Report, error) {
	var r Report
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_transactions`).Scan(&r.Transactions); err != nil {
		return r, fmt.Errorf("ledger: verify: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_accounts`).Scan(&r.Accounts); err != nil {
		return r, fmt.Errorf("ledger: verify: %w", err)
	}
	checks := []struct {
		query  string
		format string
	}{
		{`SELECT p.transaction_id, a.currency, SUM(p.amount) FROM ledger_postings p
			JOIN ledger_accounts a ON a.id = p.account_id GROUP BY p.transaction_id, a.currency HAVING SUM(p.amount) <> 0`,
			"transaction %v does not balance in %v (sum %v)"},
		{`SELECT a.id, a.balance, COALESCE(p.total, 0) FROM ledger_accounts a
			LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_postings GROUP BY account_id) p ON p.account_id = a.id
			WHERE a.balance <> COALESCE(p.total, 0)`,
			"account %v has balance %v but its postings sum to %v"},
		{`SELECT id, owner_id, balance FROM ledger_accounts WHERE NOT may_go_negative AND balance < 0`,
			"account %v of user %v is negative (%v)"},
		{`SELECT currency, SUM(balance), COUNT(*) FROM ledger_accounts GROUP BY currency HAVING SUM(balance) <> 0`,
			"the book does not sum to zero in %v (sum %v over %v accounts)"},
		{`SELECT t.id, t.reference, COUNT(p.id) FROM ledger_transactions t LEFT JOIN ledger_postings p ON p.transaction_id = t.id
			GROUP BY t.id, t.reference HAVING COUNT(p.id) < 2`,
			"transaction %v (%v) has %v postings"},
	}
	for _, c := range checks {
		rows, err := q.QueryContext(ctx, c.query)
		if err != nil {
			return r, fmt.Errorf("ledger: verify: %w", err)
		}
		for rows.Next() {
			var a, b, cc any
			if err := rows.Scan(&a, &b, &cc); err != nil {
				rows.Close()
				return r, fmt.Errorf("ledger: verify: %w", err)
			}
			r.Problems = append(r.Problems, fmt.Sprintf(c.format, a, b, cc))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return r, fmt.Errorf("ledger: verify: %w", err)
		}
	}
	return r, nil
}
