package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// The ledger's tables are read only here: other domains ask for balances
// through these methods (each reads as of q, so inside a transaction after
// its postings).

// AccountBalance is one account row and its balance.
type AccountBalance struct {
	ID       int64
	Name     string
	Currency string
	Balance  money.Amount
}

// Balance returns the balance of an account (all shards of a house account).
func (l *Ledger) Balance(ctx context.Context, q store.Querier, ref AccountRef) (money.Amount, error) {
	var b int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts
		WHERE owner_id = $1 AND name = $2 AND currency = $3`, ref.Owner, ref.Name, ref.Currency).Scan(&b)
	if err != nil {
		return 0, fmt.Errorf("ledger: balance: %w", err)
	}
	return money.Amount(b), nil
}

// SumBalances returns the sum of owner's balances in currency over every
// account whose name starts with namePrefix (all of a user's cards).
func (l *Ledger) SumBalances(ctx context.Context, q store.Querier, owner int64, namePrefix, currency string) (money.Amount, error) {
	var b int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts
		WHERE owner_id = $1 AND currency = $2 AND name LIKE $3 ESCAPE '\'`, owner, currency, likePrefix(namePrefix)).Scan(&b)
	if err != nil {
		return 0, fmt.Errorf("ledger: sum balances: %w", err)
	}
	return money.Amount(b), nil
}

// likePrefix is a LIKE pattern matching the strings that start with prefix.
func likePrefix(prefix string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
}

// BalancesNamed returns owner's accounts called name, one per currency
// (a user's available balances).
func (l *Ledger) BalancesNamed(ctx context.Context, q store.Querier, owner int64, name string) ([]AccountBalance, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, currency, balance FROM ledger_accounts WHERE owner_id = $1 AND name = $2`, owner, name)
	if err != nil {
		return nil, fmt.Errorf("ledger: balances named: %w", err)
	}
	defer rows.Close()
	var out []AccountBalance
	for rows.Next() {
		a := AccountBalance{Name: name}
		if err := rows.Scan(&a.ID, &a.Currency, &a.Balance); err != nil {
			return nil, fmt.Errorf("ledger: balances named: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: balances named: %w", err)
	}
	return out, nil
}

// FirstNonZero returns the oldest of owner's accounts whose balance is not
// zero, or store.ErrNotFound when every balance is zero (an account that
// may be closed).
func (l *Ledger) FirstNonZero(ctx context.Context, q store.Querier, owner int64) (AccountBalance, error) {
	var a AccountBalance
	err := q.QueryRowContext(ctx, `SELECT id, name, currency, balance FROM ledger_accounts
		WHERE owner_id = $1 AND balance <> 0 ORDER BY id LIMIT 1`, owner).Scan(&a.ID, &a.Name, &a.Currency, &a.Balance)
	if errors.Is(err, sql.ErrNoRows) {
		return AccountBalance{}, store.ErrNotFound // compared with == by callers
	}
	if err != nil {
		return AccountBalance{}, fmt.Errorf("ledger: first non-zero balance: %w", err)
	}
	return a, nil
}

// BalanceColumn is a scalar subquery that another domain embeds in its own
// SELECT to read one account's balance per row without a round trip per
// row (a list of cards with their balances). owner, name and currency are
// SQL expressions of the enclosing query (columns or constants written by
// the caller, never user input). It is the one place outside this file's
// methods that names the ledger's table, so the ledger still owns the text.
func BalanceColumn(owner, name, currency string) string {
	return `(SELECT COALESCE(SUM(la.balance), 0) FROM ledger_accounts la
	WHERE la.owner_id = ` + owner + ` AND la.currency = ` + currency + ` AND la.name = ` + name + `)`
}
