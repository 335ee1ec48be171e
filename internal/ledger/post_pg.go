package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// errAccountsMissing tells Book that bookInOne found some account rows
// missing and wrote nothing: the rows are created on the path of four
// statements.
var errAccountsMissing = errors.New("ledger: accounts missing")

// bookInOne books t on PostgreSQL in one statement of data-modifying CTEs,
// the four statements of the other path folded into one round trip. It
// keeps their contract exactly:
//
//   - found: the account row of each entry (keys are unique, so at most one).
//   - t: the transaction row, inserted only when every entry's row was found;
//     a repeated reference inserts nothing (ON CONFLICT DO NOTHING, which
//     does not abort the caller's transaction, unlike a failed insert).
//   - locked, upd: the conditional balance update of moveBalances, netted
//     per account, its rows locked in ascending id by a CTE of its own (a
//     CTE with a locking clause is never folded into the update, and its
//     ORDER BY sorts below the lock). Both only run when t inserted its row,
//     so neither a missing account nor a duplicate locks or moves anything,
//     and t's insert (which may wait on a concurrent insert of the same
//     reference) comes before any account lock, as on the other path.
//   - posted: one posting per entry, in entry order, only once t inserted
//     its row and every account moved (a short update is refused anyway).
//
// Data-modifying CTEs share one snapshot and run once; a CTE reading
// another's RETURNING sees its rows, which is all the chaining above uses.
// The final SELECT always yields a row, so the flags are read even when
// nothing was updated.
func (l *Ledger) bookInOne(ctx context.Context, tx *sql.Tx, t Transaction, keys []accountKey, now store.Micros) (Booked, error) {
	var entries strings.Builder
	args := make([]any, 0, 4+5*len(keys))
	args = append(args, t.Reference, t.Kind, t.Description, now)
	for i, k := range keys {
		if i > 0 {
			entries.WriteString(", ")
		}
		p := func(j int) string { return "$" + strconv.Itoa(5+5*i+j) }
		entries.WriteString("(" + strconv.Itoa(i) + ", CAST(" + p(0) + " AS BIGINT), CAST(" + p(1) + " AS TEXT), CAST(" +
			p(2) + " AS TEXT), CAST(" + p(3) + " AS INTEGER), CAST(" + p(4) + " AS BIGINT))")
		args = append(args, k.Owner, k.Name, k.Currency, k.shard, int64(t.Entries[i].Amount))
	}
	rows, err := tx.QueryContext(ctx, `WITH entries (ord, owner_id, name, currency, shard, amount) AS (VALUES `+entries.String()+`),
		found (ord, account_id, amount) AS (
			SELECT entries.ord, a.id, entries.amount FROM entries JOIN ledger_accounts a
				ON a.owner_id = entries.owner_id AND a.name = entries.name AND a.currency = entries.currency AND a.shard = entries.shard),
		t (id) AS (
			INSERT INTO ledger_transactions (reference, kind, description, created_at)
			SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS BIGINT)
			WHERE (SELECT count(*) FROM found) = `+strconv.Itoa(len(keys))+`
			ON CONFLICT (reference) DO NOTHING RETURNING id),
		moves (account_id, delta) AS (SELECT account_id, CAST(sum(amount) AS BIGINT) FROM found GROUP BY account_id),
		locked (locked_id) AS (
			SELECT id FROM ledger_accounts WHERE id IN (SELECT account_id FROM moves) AND EXISTS (SELECT 1 FROM t)
			ORDER BY id`+l.db.ForUpdate()+`),
		upd AS (
			UPDATE ledger_accounts SET balance = balance + moves.delta FROM moves, locked
			WHERE ledger_accounts.id = moves.account_id AND ledger_accounts.id = locked.locked_id
				AND (ledger_accounts.may_go_negative OR ledger_accounts.balance + moves.delta >= 0)
				AND EXISTS (SELECT 1 FROM t)
			RETURNING ledger_accounts.owner_id, ledger_accounts.name, ledger_accounts.currency, ledger_accounts.balance),
		posted AS (
			INSERT INTO ledger_postings (transaction_id, account_id, amount, created_at)
			SELECT t.id, found.account_id, found.amount, CAST($4 AS BIGINT) FROM t, found
			WHERE (SELECT count(*) FROM upd) = (SELECT count(*) FROM moves)
			ORDER BY found.ord)
		SELECT (SELECT id FROM t), (SELECT count(*) FROM found), (SELECT count(*) FROM moves),
			upd.owner_id, upd.name, upd.currency, upd.balance
		FROM (VALUES (1)) AS one (x) LEFT JOIN upd ON true`, args...)
	if err != nil {
		return Booked{}, fmt.Errorf("ledger: book: %w", err)
	}
	defer rows.Close()
	var (
		txID           sql.NullInt64
		nFound, nMoves int64
		updated        int64
		balances       = map[AccountRef]money.Amount{}
	)
	for rows.Next() {
		var (
			owner, balance sql.NullInt64
			name, currency sql.NullString
		)
		if err := rows.Scan(&txID, &nFound, &nMoves, &owner, &name, &currency, &balance); err != nil {
			return Booked{}, fmt.Errorf("ledger: book: %w", err)
		}
		if !owner.Valid {
			continue // the one row of a statement that updated nothing
		}
		updated++
		if owner.Int64 != House {
			balances[AccountRef{Owner: owner.Int64, Name: name.String, Currency: currency.String}] = money.Amount(balance.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return Booked{}, fmt.Errorf("ledger: book: %w", err)
	}
	switch {
	case nFound != int64(len(keys)):
		if txID.Valid || updated > 0 {
			// The insert is conditioned on every row found: unreachable,
			// but a partial booking must never pass for a missing account.
			return Booked{}, fmt.Errorf("ledger: book: transaction %d written with %d of %d accounts", txID.Int64, nFound, len(keys))
		}
		return Booked{}, errAccountsMissing
	case !txID.Valid:
		return Booked{}, ErrDuplicate
	case updated != nMoves:
		return Booked{}, ErrInsufficientBalance
	}
	return Booked{ID: txID.Int64, balances: balances}, nil
}
