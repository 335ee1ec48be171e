// Package ledger is the double-entry book of every money movement: accounts
// per owner and currency in integer minor units, and immutable transactions
// of balanced postings with a unique business reference. Posting happens in
// the caller's database transaction, so a domain change and its money
// movement commit together or not at all.
package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// House is the owner id of platform accounts.
const House int64 = 0

// Account names.
const (
	// User accounts; never negative.
	Available      = "available"
	WithdrawalHold = "withdrawal_hold"

	// House accounts.
	Custody       = "custody"        // on-chain funds held by the custody provider (asset: goes negative)
	CardFloat     = "card_float"     // prefunding at the card issuer
	FeeIncome     = "fee_income"     // fees earned
	Commissions   = "commissions"    // commission expense
	SwapClearing  = "swap_clearing"  // crypto waiting for a card leg to settle
	Suspense      = "suspense"       // unmatched deposits
	Adjustments   = "adjustments"    // operator corrections
	ExternalWorld = "external_world" // counterpart of funds entering or leaving the platform
)

// DefaultHouseShards is how many rows one house account is spread over.
// Postings pick a shard at random, so concurrent writers rarely wait on each
// other (see BenchmarkHouseAccountContention).
const DefaultHouseShards = 16

// Errors.
var (
	ErrInsufficientBalance = apperr.New("INSUFFICIENT_BALANCE")
	// ErrDuplicate means a transaction with the same reference exists: the
	// business event was already booked.
	ErrDuplicate  = errors.New("ledger: duplicate transaction reference")
	ErrUnbalanced = errors.New("ledger: postings do not sum to zero per currency")
)

// AccountRef names an account; for house accounts the shard is chosen by the ledger.
type AccountRef struct {
	Owner    int64
	Name     string
	Currency string
}

// UserAccount names a user's account.
func UserAccount(userID int64, name, currency string) AccountRef {
	return AccountRef{Owner: userID, Name: name, Currency: currency}
}

// HouseAccount names a platform account.
func HouseAccount(name, currency string) AccountRef {
	return AccountRef{Owner: House, Name: name, Currency: currency}
}

// Entry moves Amount (signed minor units) into Account.
type Entry struct {
	Account AccountRef
	Amount  money.Amount
}

// Transaction is one business event.
type Transaction struct {
	Reference   string
	Kind        string
	Description string
	Entries     []Entry
}

// NonZero drops the entries of zero amount, for transactions whose legs
// are computed and may vanish (a fee rounding to nothing, a hold that does
// not change).
func NonZero(entries ...Entry) []Entry {
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if e.Amount != 0 {
			out = append(out, e)
		}
	}
	return out
}

// Ledger posts transactions and reads balances.
type Ledger struct {
	db     *store.DB
	now    func() time.Time
	shards int64
}

// New returns a Ledger on db.
func New(db *store.DB, now func() time.Time) *Ledger {
	return NewWithShards(db, now, DefaultHouseShards)
}

// NewWithShards returns a Ledger spreading house accounts over n rows.
// Changing n later is safe: balances are summed over whatever shards exist.
func NewWithShards(db *store.DB, now func() time.Time, n int) *Ledger {
	return &Ledger{db: db, now: now, shards: int64(max(n, 1))}
}

// validate checks the transaction is well formed and balanced per currency.
func (t Transaction) validate() error {
	if t.Reference == "" || t.Kind == "" || len(t.Entries) < 2 {
		return errors.New("ledger: a transaction needs a reference, a kind and at least two entries")
	}
	sums := map[string]money.Amount{}
	for _, e := range t.Entries {
		if e.Amount == 0 || e.Account.Name == "" || e.Account.Currency == "" {
			return errors.New("ledger: every entry needs an account and a non-zero amount")
		}
		sums[e.Account.Currency] += e.Amount
	}
	for _, s := range sums {
		if s != 0 {
			return ErrUnbalanced
		}
	}
	return nil
}

// Post books t in tx. A user account that would go below zero fails the whole
// transaction with INSUFFICIENT_BALANCE (the caller rolls back). A repeated
// reference returns ErrDuplicate. It returns the transaction id.
func (l *Ledger) Post(ctx context.Context, tx *sql.Tx, t Transaction) (int64, error) {
	if err := t.validate(); err != nil {
		return 0, fmt.Errorf("ledger: post: %w", err)
	}
	now := store.At(l.now())
	type resolved struct {
		id     int64
		amount money.Amount
	}
	rows := make([]resolved, 0, len(t.Entries))
	for _, e := range t.Entries {
		id, err := l.accountID(ctx, tx, e.Account, now)
		if err != nil {
			return 0, fmt.Errorf("ledger: post: %w", err)
		}
		rows = append(rows, resolved{id: id, amount: e.Amount})
	}
	// Lock accounts in one global order so two transactions touching the
	// same accounts can never deadlock.
	slices.SortFunc(rows, func(a, b resolved) int { return int(a.id - b.id) })

	// A repeated reference is answered before the insert: on PostgreSQL a
	// failed insert would abort the caller's whole transaction, and callers
	// treat ErrDuplicate as "already booked" and carry on.
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ledger_transactions WHERE reference = $1)`, t.Reference).
		Scan(&exists); err != nil {
		return 0, fmt.Errorf("ledger: check reference: %w", err)
	}
	if exists {
		return 0, ErrDuplicate
	}
	var txID int64
	err := tx.QueryRowContext(ctx, `INSERT INTO ledger_transactions (reference, kind, description, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, t.Reference, t.Kind, t.Description, now).Scan(&txID)
	if store.IsUniqueViolation(err) {
		return 0, ErrDuplicate
	}
	if err != nil {
		return 0, fmt.Errorf("ledger: insert transaction: %w", err)
	}
	for _, r := range rows {
		res, err := tx.ExecContext(ctx, `UPDATE ledger_accounts SET balance = balance + $1
			WHERE id = $2 AND (may_go_negative OR balance + $1 >= 0)`, int64(r.amount), r.id)
		if err != nil {
			return 0, fmt.Errorf("ledger: update balance: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err != nil {
				return 0, fmt.Errorf("ledger: post: %w", err)
			}
			return 0, ErrInsufficientBalance
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_postings (transaction_id, account_id, amount, created_at)
			VALUES ($1, $2, $3, $4)`, txID, r.id, int64(r.amount), now); err != nil {
			return 0, fmt.Errorf("ledger: insert posting: %w", err)
		}
	}
	return txID, nil
}

// LockUserAccounts takes the row locks of user accounts (created when
// missing) in the ledger's global order, ascending id, for the rest of tx.
// Post sorts the accounts of one transaction; a caller that books several
// transactions in one database transaction locks every user account they
// touch first, or it could lock them in the opposite order to another
// caller (a commission job paying two referrers while they pay each other)
// and deadlock. House accounts are left out: they are sharded.
func (l *Ledger) LockUserAccounts(ctx context.Context, tx *sql.Tx, refs ...AccountRef) error {
	now := store.At(l.now())
	ids := make([]int64, 0, len(refs))
	for _, ref := range refs {
		if ref.Owner == House {
			continue
		}
		id, err := l.accountID(ctx, tx, ref, now)
		if err != nil {
			return fmt.Errorf("ledger: lock user accounts: %w", err)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		var locked int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE id = $1`+l.db.ForUpdate(), id).Scan(&locked); err != nil {
			return fmt.Errorf("ledger: lock account: %w", err)
		}
	}
	return nil
}

// accountID finds or creates the account row an entry posts to.
func (l *Ledger) accountID(ctx context.Context, tx *sql.Tx, ref AccountRef, now store.Micros) (int64, error) {
	shard := 0
	if ref.Owner == House {
		n, _ := rand.Int(rand.Reader, big.NewInt(l.shards))
		shard = int(n.Int64())
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE owner_id = $1 AND name = $2 AND currency = $3 AND shard = $4`,
		ref.Owner, ref.Name, ref.Currency, shard).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_accounts (owner_id, name, currency, shard, balance, may_go_negative, created_at)
		VALUES ($1, $2, $3, $4, 0, $5, $6) ON CONFLICT (owner_id, name, currency, shard) DO NOTHING`,
		ref.Owner, ref.Name, ref.Currency, shard, ref.Owner == House, now); err != nil {
		return 0, fmt.Errorf("ledger: create account: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE owner_id = $1 AND name = $2 AND currency = $3 AND shard = $4`,
		ref.Owner, ref.Name, ref.Currency, shard).Scan(&id)
	return id, err
}
