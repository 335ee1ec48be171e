package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Operators' reads of the book: totals per account kind and currency, and
// the postings of one account.

// Total is the balance of one kind of account in one currency: a house
// account (all its shards), or every user account of that kind together
// (the user accounts' names up to their first ':', so all cards are "card").
type Total struct {
	House    bool
	Name     string
	Currency string
	Balance  money.Amount
	// Owners is how many users hold such an account (0 for house accounts).
	Owners int
}

// kindOf is the SQL expression of an account name up to its first ':'.
func (l *Ledger) kindOf(column string) string {
	if l.db.Engine == store.Postgres {
		return `split_part(` + column + `, ':', 1)`
	}
	return `CASE WHEN instr(` + column + `, ':') > 0 THEN substr(` + column + `, 1, instr(` + column + `, ':') - 1) ELSE ` + column + ` END`
}

// Totals returns the house accounts' balances and the users' aggregate
// balances per account kind, by currency then name.
func (l *Ledger) Totals(ctx context.Context, q store.Querier) ([]Total, error) {
	rows, err := q.QueryContext(ctx, `SELECT house, kind, currency, SUM(balance), COUNT(DISTINCT owner_id) FROM (
			SELECT owner_id = 0 AS house, `+l.kindOf("name")+` AS kind, currency, balance, owner_id FROM ledger_accounts
		) a GROUP BY house, kind, currency ORDER BY currency, house DESC, kind`)
	if err != nil {
		return nil, fmt.Errorf("ledger: totals: %w", err)
	}
	defer rows.Close()
	var out []Total
	for rows.Next() {
		var t Total
		if err := rows.Scan(&t.House, &t.Name, &t.Currency, &t.Balance, &t.Owners); err != nil {
			return nil, fmt.Errorf("ledger: totals: %w", err)
		}
		if t.House {
			t.Owners = 0
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: totals: %w", err)
	}
	return out, nil
}

// PostingFilter selects the postings of one account: Owner (House for a
// platform account) and Name are required; Currency, From (inclusive) and
// To (exclusive) narrow it when set.
type PostingFilter struct {
	Owner    int64
	Name     string
	Currency string
	From, To time.Time
}

// Posting is one entry of a transaction, with its transaction.
type Posting struct {
	ID            int64
	TransactionID int64
	Reference     string
	Kind          string
	Description   string
	Owner         int64
	Name          string
	Currency      string
	Amount        money.Amount
	CreatedAt     time.Time
}

// Postings returns the postings matching f, newest first, and how many match.
func (l *Ledger) Postings(ctx context.Context, q store.Querier, f PostingFilter, limit, offset int) ([]Posting, int, error) {
	var lower, upper any // NULL: unbounded
	if !f.From.IsZero() {
		lower = store.At(f.From)
	}
	if !f.To.IsZero() {
		upper = store.At(f.To)
	}
	const from = ` FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id`
	// The casts let PostgreSQL type a parameter that is only tested for NULL.
	const cond = ` WHERE a.owner_id = $1 AND a.name = $2 AND ($3 = '' OR a.currency = $3)
		AND (CAST($4 AS BIGINT) IS NULL OR p.created_at >= $4) AND (CAST($5 AS BIGINT) IS NULL OR p.created_at < $5)`
	args := []any{f.Owner, f.Name, f.Currency, lower, upper}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*)`+from+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("ledger: count postings: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.transaction_id, t.reference, t.kind, t.description, a.owner_id, a.name, a.currency,
		p.amount, p.created_at`+from+` JOIN ledger_transactions t ON t.id = p.transaction_id`+cond+` ORDER BY p.id DESC LIMIT $6 OFFSET $7`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("ledger: postings: %w", err)
	}
	defer rows.Close()
	var out []Posting
	for rows.Next() {
		var p Posting
		if err := rows.Scan(&p.ID, &p.TransactionID, &p.Reference, &p.Kind, &p.Description, &p.Owner, &p.Name, &p.Currency,
			&p.Amount, store.TimeInto(&p.CreatedAt)); err != nil {
			return nil, 0, fmt.Errorf("ledger: postings: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("ledger: postings: %w", err)
	}
	return out, total, nil
}
