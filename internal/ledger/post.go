package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Booking a transaction costs a fixed number of statements whatever its
// number of entries: the accounts are found in one query, the transaction
// row is inserted (a repeated reference answered by the same insert), the
// balances move in one conditional update that locks its rows in id order,
// and the postings go in with one insert. Money paths run at the speed of
// their round trips, so the count is kept flat. On PostgreSQL the four are
// one statement of data-modifying CTEs (post_pg.go) once the accounts
// exist; SQLite has no DML in CTEs and keeps the four.

// Booked is a transaction booked by Book.
type Booked struct {
	ID int64
	// balances are the balances after the booking of the user accounts of
	// its entries (a house account is spread over shards: not here).
	balances map[AccountRef]money.Amount
}

// Balance returns a user account's balance right after the booking;
// ok=false for a house account or an account the transaction did not touch.
func (b Booked) Balance(ref AccountRef) (money.Amount, bool) {
	v, ok := b.balances[ref]
	return v, ok
}

// Post books t in tx. A user account that would go below zero fails the whole
// transaction with INSUFFICIENT_BALANCE (the caller rolls back). A repeated
// reference returns ErrDuplicate. It returns the transaction id.
func (l *Ledger) Post(ctx context.Context, tx *sql.Tx, t Transaction) (int64, error) {
	b, err := l.Book(ctx, tx, t)
	return b.ID, err
}

// Book is Post that also tells the user accounts' balances after it, read
// by the same update that moved them.
func (l *Ledger) Book(ctx context.Context, tx *sql.Tx, t Transaction) (Booked, error) {
	if err := t.validate(); err != nil {
		return Booked{}, fmt.Errorf("ledger: post: %w", err)
	}
	keys := make([]accountKey, len(t.Entries))
	for i, e := range t.Entries {
		keys[i] = l.keyOf(e.Account)
	}
	now := store.At(l.now())
	if l.db.Engine == store.Postgres {
		// One statement when every account exists; it wrote nothing when
		// one is missing, and the path below creates it (first use only).
		b, err := l.bookInOne(ctx, tx, t, keys, now)
		if !errors.Is(err, errAccountsMissing) {
			return b, err
		}
	}
	ids, err := l.resolve(ctx, tx, keys)
	if err != nil {
		return Booked{}, fmt.Errorf("ledger: post: %w", err)
	}
	// A repeated reference inserts nothing and is answered here: a failed
	// insert would abort the caller's whole transaction on PostgreSQL, and
	// callers treat ErrDuplicate as "already booked" and carry on.
	var txID int64
	err = tx.QueryRowContext(ctx, `INSERT INTO ledger_transactions (reference, kind, description, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (reference) DO NOTHING RETURNING id`, t.Reference, t.Kind, t.Description, now).Scan(&txID)
	if errors.Is(err, sql.ErrNoRows) {
		return Booked{}, ErrDuplicate
	}
	if err != nil {
		return Booked{}, fmt.Errorf("ledger: insert transaction: %w", err)
	}
	after, err := l.moveBalances(ctx, tx, ids, t.Entries)
	if err != nil {
		return Booked{}, err
	}
	if err := insertPostings(ctx, tx, txID, ids, t.Entries, now); err != nil {
		return Booked{}, err
	}
	b := Booked{ID: txID, balances: map[AccountRef]money.Amount{}}
	for i, e := range t.Entries {
		if e.Account.Owner != House {
			b.balances[e.Account] = after[ids[i]]
		}
	}
	return b, nil
}

// moveBalances adds each account's net amount to its balance in one
// statement and returns the new balances by account id. The rows are
// locked in ascending id, the ledger's global order, so two transactions
// touching the same accounts can never deadlock; a user account that would
// go below zero is left out by the condition, and a short count of updated
// rows is INSUFFICIENT_BALANCE.
func (l *Ledger) moveBalances(ctx context.Context, tx *sql.Tx, ids []int64, entries []Entry) (map[int64]money.Amount, error) {
	net := map[int64]money.Amount{}
	for i, e := range entries {
		net[ids[i]] += e.Amount
	}
	order := make([]int64, 0, len(net))
	for id := range net {
		order = append(order, id)
	}
	slices.Sort(order)
	var values strings.Builder
	args := make([]any, 0, 2*len(order))
	for i, id := range order {
		if i > 0 {
			values.WriteString(", ")
		}
		n := strconv.Itoa(2*i + 1)
		values.WriteString("(CAST($" + n + " AS BIGINT), CAST($" + strconv.Itoa(2*i+2) + " AS BIGINT))")
		args = append(args, id, int64(net[id]))
	}
	// The locking CTE is never folded into the update (it has a locking
	// clause); its ORDER BY sorts below the lock, so rows are locked in id
	// order, and the update only reaches rows it has produced. SQLite needs
	// no lock: its one connection serialises transactions.
	rows, err := tx.QueryContext(ctx, `WITH moves (account_id, delta) AS (VALUES `+values.String()+`),
		locked (locked_id) AS (SELECT id FROM ledger_accounts WHERE id IN (SELECT account_id FROM moves) ORDER BY id`+l.db.ForUpdate()+`)
		UPDATE ledger_accounts SET balance = balance + moves.delta FROM moves, locked
		WHERE ledger_accounts.id = moves.account_id AND ledger_accounts.id = locked.locked_id
			AND (ledger_accounts.may_go_negative OR ledger_accounts.balance + moves.delta >= 0)
		RETURNING id, balance`, args...)
	if err != nil {
		return nil, fmt.Errorf("ledger: update balances: %w", err)
	}
	defer rows.Close()
	after := make(map[int64]money.Amount, len(order))
	for rows.Next() {
		var id, balance int64
		if err := rows.Scan(&id, &balance); err != nil {
			return nil, fmt.Errorf("ledger: update balances: %w", err)
		}
		after[id] = money.Amount(balance)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: update balances: %w", err)
	}
	if len(after) != len(order) {
		return nil, ErrInsufficientBalance
	}
	return after, nil
}

// insertPostings appends one posting per entry in one statement.
func insertPostings(ctx context.Context, tx *sql.Tx, txID int64, ids []int64, entries []Entry, now store.Micros) error {
	var values strings.Builder
	args := make([]any, 0, 2+2*len(entries))
	args = append(args, txID, now)
	for i, e := range entries {
		if i > 0 {
			values.WriteString(", ")
		}
		values.WriteString("($1, $" + strconv.Itoa(2*i+3) + ", $" + strconv.Itoa(2*i+4) + ", $2)")
		args = append(args, ids[i], int64(e.Amount))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_postings (transaction_id, account_id, amount, created_at) VALUES `+
		values.String(), args...); err != nil {
		return fmt.Errorf("ledger: insert postings: %w", err)
	}
	return nil
}

// accountKey is an account row's unique key: a house account's shard is
// picked per entry.
type accountKey struct {
	AccountRef
	shard int
}

// keyOf picks the row an entry posts to; a house account's shard at random,
// so concurrent writers rarely wait on each other.
func (l *Ledger) keyOf(ref AccountRef) accountKey {
	k := accountKey{AccountRef: ref}
	if ref.Owner == House {
		n, _ := rand.Int(rand.Reader, big.NewInt(l.shards))
		k.shard = int(n.Int64())
	}
	return k
}

// resolve returns the row id of each key (same order), creating the rows
// that do not exist yet: one query when they all exist.
func (l *Ledger) resolve(ctx context.Context, tx *sql.Tx, keys []accountKey) ([]int64, error) {
	found, err := l.findAccounts(ctx, tx, keys)
	if err != nil {
		return nil, err
	}
	var missing []accountKey
	for _, k := range keys {
		if _, ok := found[k]; !ok && !slices.Contains(missing, k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		now := store.At(l.now())
		for _, k := range missing {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_accounts (owner_id, name, currency, shard, balance, may_go_negative, created_at)
				VALUES ($1, $2, $3, $4, 0, $5, $6) ON CONFLICT (owner_id, name, currency, shard) DO NOTHING`,
				k.Owner, k.Name, k.Currency, k.shard, k.Owner == House, now); err != nil {
				return nil, fmt.Errorf("create account: %w", err)
			}
		}
		created, err := l.findAccounts(ctx, tx, missing)
		if err != nil {
			return nil, err
		}
		for k, id := range created {
			found[k] = id
		}
	}
	ids := make([]int64, len(keys))
	for i, k := range keys {
		id, ok := found[k]
		if !ok {
			return nil, fmt.Errorf("account %d/%s/%s/%d: %w", k.Owner, k.Name, k.Currency, k.shard, store.ErrNotFound)
		}
		ids[i] = id
	}
	return ids, nil
}

// findAccounts reads the ids of the existing rows among keys.
func (l *Ledger) findAccounts(ctx context.Context, tx *sql.Tx, keys []accountKey) (map[accountKey]int64, error) {
	found := make(map[accountKey]int64, len(keys))
	if len(keys) == 0 {
		return found, nil
	}
	var where strings.Builder
	args := make([]any, 0, 4*len(keys))
	for i, k := range keys {
		if i > 0 {
			where.WriteString(" OR ")
		}
		p := func(j int) string { return "$" + strconv.Itoa(4*i+j) }
		where.WriteString("(owner_id = " + p(1) + " AND name = " + p(2) + " AND currency = " + p(3) + " AND shard = " + p(4) + ")")
		args = append(args, k.Owner, k.Name, k.Currency, k.shard)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, owner_id, name, currency, shard FROM ledger_accounts WHERE `+where.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("find accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k  accountKey
			id int64
		)
		if err := rows.Scan(&id, &k.Owner, &k.Name, &k.Currency, &k.shard); err != nil {
			return nil, fmt.Errorf("find accounts: %w", err)
		}
		found[k] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find accounts: %w", err)
	}
	return found, nil
}
