package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

// These tests hold both booking paths to one contract: PostgreSQL books in
// one statement once the accounts exist and falls back to the statements
// of SQLite when one is missing. A ledger of one house shard makes every
// account exist after its first booking, so the one-statement path is the
// one exercised on PostgreSQL.

func newOneShardLedger(t *testing.T, engine store.Engine) (*store.DB, *ledger.Ledger) {
	t.Helper()
	db := storetest.New(t, engine)
	return db, ledger.NewWithShards(db, testclock.New(testclock.Start).Now, 1)
}

// bookCounts is what a booking may change, read in q.
type bookCounts struct {
	transactions, postings int
	balances               map[int64]money.Amount // user id → available
}

func readCounts(ctx context.Context, t *testing.T, q store.Querier, l *ledger.Ledger, users ...int64) bookCounts {
	t.Helper()
	c := bookCounts{balances: map[int64]money.Amount{}}
	if err := q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM ledger_transactions), (SELECT COUNT(*) FROM ledger_postings)`).
		Scan(&c.transactions, &c.postings); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		b, err := l.Balance(ctx, q, ledger.UserAccount(u, ledger.Available, usdt))
		if err != nil {
			t.Fatal(err)
		}
		c.balances[u] = b
	}
	return c
}

func sameCounts(a, b bookCounts) bool {
	if a.transactions != b.transactions || a.postings != b.postings || len(a.balances) != len(b.balances) {
		return false
	}
	for u, v := range a.balances {
		if b.balances[u] != v {
			return false
		}
	}
	return true
}

// fundTwoUsers deposits 100 for user 1 and 10 for user 2.
func fundTwoUsers(ctx context.Context, t *testing.T, db *store.DB, l *ledger.Ledger) {
	t.Helper()
	for _, tx := range []ledger.Transaction{deposit(1, 100, "dep-1"), deposit(2, 10, "dep-2")} {
		if err := post(ctx, db, l, tx); err != nil {
			t.Fatal(err)
		}
	}
}

func mustVerify(ctx context.Context, t *testing.T, l *ledger.Ledger) {
	t.Helper()
	if report, err := l.VerifySnapshot(ctx); err != nil || !report.OK() {
		t.Fatalf("verify: %v %s", err, report)
	}
}

// TestDuplicateWritesNothingAndTxContinues: callers carry on after
// ErrDuplicate in the same transaction, so a repeated reference must leave
// no trace (no balance moved, no posting) and must not abort the
// transaction; whether the accounts exist or one is new.
func TestDuplicateWritesNothingAndTxContinues(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, l := newOneShardLedger(t, engine)
		fundTwoUsers(ctx, t, db, l)
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			before := readCounts(ctx, t, tx, l, 1, 2)
			for _, dup := range []ledger.Transaction{
				deposit(1, 5, "dep-1"),        // every account exists
				transfer(1, 2, 30, "dep-2"),   // every account exists, other entries
				transfer(2, 1, 1000, "dep-1"), // would overdraw: the duplicate wins
				transfer(1, 9, 30, "dep-2"),   // user 9 has no account yet
			} {
				if _, err := l.Book(ctx, tx, dup); !errors.Is(err, ledger.ErrDuplicate) {
					t.Fatalf("%s again: err = %v, want ErrDuplicate", dup.Reference, err)
				}
				if after := readCounts(ctx, t, tx, l, 1, 2); !sameCounts(before, after) {
					t.Fatalf("%s again wrote: %+v, was %+v", dup.Reference, after, before)
				}
			}
			b, err := l.Book(ctx, tx, transfer(1, 2, 40, "trf-after-dup"))
			if err != nil {
				return fmt.Errorf("booking after a duplicate: %w", err)
			}
			if got, _ := b.Balance(ledger.UserAccount(1, ledger.Available, usdt)); got != 60 {
				t.Errorf("sender's balance after = %d, want 60", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if c := readCounts(ctx, t, db.SQL, l, 1, 2, 9); c.transactions != 3 || c.postings != 6 ||
			c.balances[1] != 60 || c.balances[2] != 50 || c.balances[9] != 0 {
			t.Fatalf("after commit: %+v", c)
		}
		mustVerify(ctx, t, l)
	})
}

// TestMissingAccountFallsBackAndBooks: an account's first booking creates
// its row and books once, with the balances of the user accounts reported.
func TestMissingAccountFallsBackAndBooks(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, l := newOneShardLedger(t, engine)
		var got [2]ledger.Booked
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			if got[0], err = l.Book(ctx, tx, deposit(1, 100, "dep-1")); err != nil { // nothing exists
				return err
			}
			got[1], err = l.Book(ctx, tx, transfer(1, 2, 30, "trf-1")) // the recipient is new
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].ID == 0 || got[1].ID == 0 || got[0].ID == got[1].ID {
			t.Errorf("transaction ids %d and %d", got[0].ID, got[1].ID)
		}
		for _, c := range []struct {
			b    ledger.Booked
			user int64
			want money.Amount
		}{{got[0], 1, 100}, {got[1], 1, 70}, {got[1], 2, 30}} {
			if v, ok := c.b.Balance(ledger.UserAccount(c.user, ledger.Available, usdt)); !ok || v != c.want {
				t.Errorf("booked balance of %d = %d (%v), want %d", c.user, v, ok, c.want)
			}
		}
		if _, ok := got[0].Balance(ledger.HouseAccount(ledger.Custody, usdt)); ok {
			t.Error("a house account's balance is reported")
		}
		if c := readCounts(ctx, t, db.SQL, l, 1, 2); c.transactions != 2 || c.postings != 4 || c.balances[1] != 70 || c.balances[2] != 30 {
			t.Fatalf("after commit: %+v", c)
		}
		mustVerify(ctx, t, l)
	})
}

// TestInsufficientBalanceWithAccountsExisting: the overdraft is refused
// when every account exists (the one-statement path on PostgreSQL), also
// when each entry alone would fit but their sum does not.
func TestInsufficientBalanceWithAccountsExisting(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, l := newOneShardLedger(t, engine)
		fundTwoUsers(ctx, t, db, l)
		before := readCounts(ctx, t, db.SQL, l, 1, 2)
		split := ledger.Transaction{Reference: "split", Kind: "transfer", Entries: []ledger.Entry{
			{Account: ledger.UserAccount(1, ledger.Available, usdt), Amount: -60},
			{Account: ledger.UserAccount(1, ledger.Available, usdt), Amount: -60},
			{Account: ledger.UserAccount(2, ledger.Available, usdt), Amount: 120},
		}}
		for _, tx := range []ledger.Transaction{transfer(1, 2, 101, "over"), transfer(2, 1, 11, "over-2"), split} {
			if err := post(ctx, db, l, tx); !errors.Is(err, ledger.ErrInsufficientBalance) {
				t.Errorf("%s: err = %v, want ErrInsufficientBalance", tx.Reference, err)
			}
		}
		if after := readCounts(ctx, t, db.SQL, l, 1, 2); !sameCounts(before, after) {
			t.Fatalf("refused bookings wrote: %+v, was %+v", after, before)
		}
		// The refused reference is free again: the caller rolled back.
		if err := post(ctx, db, l, transfer(1, 2, 100, "over")); err != nil {
			t.Fatalf("the whole balance: %v", err)
		}
		mustVerify(ctx, t, l)
	})
}

// TestSameAccountTwice: entries naming one account are netted for its
// balance and keep one posting each.
func TestSameAccountTwice(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, l := newOneShardLedger(t, engine)
		fundTwoUsers(ctx, t, db, l)
		user := func(id int64) ledger.AccountRef { return ledger.UserAccount(id, ledger.Available, usdt) }
		var b ledger.Booked
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			b, err = l.Book(ctx, tx, ledger.Transaction{Reference: "twice", Kind: "transfer", Entries: []ledger.Entry{
				{Account: user(1), Amount: -30},
				{Account: user(2), Amount: 50},
				{Account: user(1), Amount: -20},
				{Account: user(2), Amount: -7}, // nets to +43 for 2
				{Account: user(1), Amount: 7},  // and -43 for 1
			}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64]money.Amount{1: 57, 2: 53} {
			if v, ok := b.Balance(user(id)); !ok || v != want {
				t.Errorf("booked balance of %d = %d (%v), want %d", id, v, ok, want)
			}
		}
		var n int
		var sum int64
		if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*), SUM(amount) FROM ledger_postings WHERE transaction_id = $1`, b.ID).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		if n != 5 || sum != 0 {
			t.Errorf("%d postings summing to %d, want 5 and 0", n, sum)
		}
		if c := readCounts(ctx, t, db.SQL, l, 1, 2); c.balances[1] != 57 || c.balances[2] != 53 {
			t.Errorf("balances %v", c.balances)
		}
		mustVerify(ctx, t, l)
	})
}

// TestHouseShardsInOneTransaction: entries naming a house account pick a
// shard each, the same one or two different ones; with every shard
// existing (the one-statement path on PostgreSQL) the book still sums.
func TestHouseShardsInOneTransaction(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		l := ledger.NewWithShards(db, testclock.New(testclock.Start).Now, 2)
		custody := ledger.HouseAccount(ledger.Custody, usdt)
		const n = 40
		for i := range n {
			tx := ledger.Transaction{Reference: fmt.Sprintf("dep-%d", i), Kind: "deposit", Entries: []ledger.Entry{
				{Account: custody, Amount: -3},
				{Account: custody, Amount: -4},
				{Account: ledger.UserAccount(int64(1+i%3), ledger.Available, usdt), Amount: 7},
			}}
			if err := post(ctx, db, l, tx); err != nil {
				t.Fatalf("deposit %d: %v", i, err)
			}
		}
		var rows, postings int
		if err := db.SQL.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM ledger_accounts WHERE owner_id = 0),
			(SELECT COUNT(*) FROM ledger_postings)`).Scan(&rows, &postings); err != nil {
			t.Fatal(err)
		}
		if rows != 2 || postings != 3*n {
			t.Errorf("%d custody rows and %d postings, want 2 and %d", rows, postings, 3*n)
		}
		if got, _ := l.Balance(ctx, db.SQL, custody); got != -7*n {
			t.Errorf("custody total %d, want %d", got, -7*n)
		}
		if got, _ := l.SumBalances(ctx, db.SQL, ledger.House, "", usdt); got != -7*n {
			t.Errorf("house total %d, want %d", got, -7*n)
		}
		mustVerify(ctx, t, l)
	})
}
