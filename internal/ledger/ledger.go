// Package ledger is the double-entry book of every money movement: accounts
// per owner and currency in integer minor units, and immutable transactions
// of balanced postings with a unique business reference. Posting happens in
// the caller's database transaction, so a domain change and its money
// movement commit together or not at all.
package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// LockUserAccounts takes the row locks of user accounts (created when
// missing) in the ledger's global order, ascending id, for the rest of tx.
// Post sorts the accounts of one transaction; a caller that books several
// transactions in one database transaction locks every user account they
// touch first, or it could lock them in the opposite order to another
// caller (a commission job paying two referrers while they pay each other)
// and deadlock. House accounts are left out: they are sharded.
func (l *Ledger) LockUserAccounts(ctx context.Context, tx *sql.Tx, refs ...AccountRef) error {
	keys := make([]accountKey, 0, len(refs))
	for _, ref := range refs {
		if ref.Owner != House {
			keys = append(keys, accountKey{AccountRef: ref})
		}
	}
	ids, err := l.resolve(ctx, tx, keys)
	if err != nil {
		return fmt.Errorf("ledger: lock user accounts: %w", err)
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
