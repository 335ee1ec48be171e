package ledger

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

// TestBookInOneIsTaken: the round trips are only saved if the one
// statement books when the accounts exist; a fallback taken every time
// would pass every other test. It also checks the statement's own answers:
// missing accounts write nothing, a duplicate writes nothing.
func TestBookInOneIsTaken(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		if engine != store.Postgres {
			t.Skip("PostgreSQL only: SQLite has no DML in CTEs")
		}
		ctx := context.Background()
		db := storetest.New(t, engine)
		l := NewWithShards(db, testclock.New(testclock.Start).Now, 1)
		dep := Transaction{Reference: "dep", Kind: "deposit", Entries: []Entry{
			{Account: HouseAccount(Custody, "USDT-TRC20"), Amount: -100},
			{Account: UserAccount(1, Available, "USDT-TRC20"), Amount: 100},
		}}
		trf := Transaction{Reference: "trf", Kind: "transfer", Entries: []Entry{
			{Account: UserAccount(1, Available, "USDT-TRC20"), Amount: -40},
			{Account: UserAccount(2, Available, "USDT-TRC20"), Amount: 40},
		}}
		keys := func(t Transaction) []accountKey {
			k := make([]accountKey, len(t.Entries))
			for i, e := range t.Entries {
				k[i] = l.keyOf(e.Account)
			}
			return k
		}
		count := func(tx *sql.Tx) (n int) {
			if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM ledger_transactions) + (SELECT COUNT(*) FROM ledger_postings)`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := l.bookInOne(ctx, tx, dep, keys(dep), store.At(l.now())); !errors.Is(err, errAccountsMissing) || count(tx) != 0 {
				t.Fatalf("no accounts yet: err = %v, %d rows written", err, count(tx))
			}
			if _, err := l.Book(ctx, tx, dep); err != nil { // creates them
				return err
			}
			if _, err := l.bookInOne(ctx, tx, trf, keys(trf), store.At(l.now())); !errors.Is(err, errAccountsMissing) || count(tx) != 3 {
				t.Fatalf("recipient missing: err = %v, %d rows written", err, count(tx))
			}
			if _, err := l.resolve(ctx, tx, keys(trf)); err != nil {
				return err
			}
			b, err := l.bookInOne(ctx, tx, trf, keys(trf), store.At(l.now()))
			if err != nil {
				t.Fatalf("accounts exist: %v", err)
			}
			if v, _ := b.Balance(UserAccount(2, Available, "USDT-TRC20")); v != 40 || b.ID == 0 || count(tx) != 6 {
				t.Fatalf("booked %+v, %d rows", b, count(tx))
			}
			if _, err := l.bookInOne(ctx, tx, trf, keys(trf), store.At(l.now())); !errors.Is(err, ErrDuplicate) || count(tx) != 6 {
				t.Fatalf("again: err = %v, %d rows", err, count(tx))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
