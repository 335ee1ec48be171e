package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

const usdt = "USDT-TRC20"

func newLedger(t *testing.T, engine store.Engine) (*store.DB, *ledger.Ledger) {
	t.Helper()
	db := storetest.New(t, engine)
	return db, ledger.New(db, testclock.New(testclock.Start).Now)
}

func deposit(userID int64, amount money.Amount, ref string) ledger.Transaction {
	return ledger.Transaction{Reference: ref, Kind: "deposit", Entries: []ledger.Entry{
		{Account: ledger.HouseAccount(ledger.Custody, usdt), Amount: -amount},
		{Account: ledger.UserAccount(userID, ledger.Available, usdt), Amount: amount},
	}}
}

func transfer(from, to int64, amount money.Amount, ref string) ledger.Transaction {
	return ledger.Transaction{Reference: ref, Kind: "transfer", Entries: []ledger.Entry{
		{Account: ledger.UserAccount(from, ledger.Available, usdt), Amount: -amount},
		{Account: ledger.UserAccount(to, ledger.Available, usdt), Amount: amount},
	}}
}

func post(ctx context.Context, db *store.DB, l *ledger.Ledger, t ledger.Transaction) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		_, err := l.Post(ctx, tx, t)
		return err
	})
}

func TestPostRules(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, l := newLedger(t, engine)
		if err := post(ctx, db, l, deposit(1, 100, "dep-1")); err != nil {
			t.Fatalf("deposit: %v", err)
		}
		for _, tc := range []struct {
			name string
			tx   ledger.Transaction
			want error
		}{
			{"duplicate reference", deposit(1, 5, "dep-1"), ledger.ErrDuplicate},
			{"overdraft", transfer(1, 2, 101, "trf-over"), ledger.ErrInsufficientBalance},
			{"unbalanced", ledger.Transaction{Reference: "bad", Kind: "x", Entries: []ledger.Entry{
				{Account: ledger.UserAccount(1, ledger.Available, usdt), Amount: -5},
				{Account: ledger.UserAccount(2, ledger.Available, usdt), Amount: 4},
			}}, ledger.ErrUnbalanced},
			{"mixed currencies do not net", ledger.Transaction{Reference: "fx", Kind: "x", Entries: []ledger.Entry{
				{Account: ledger.UserAccount(1, ledger.Available, usdt), Amount: -5},
				{Account: ledger.UserAccount(2, ledger.Available, "HKD"), Amount: 5},
			}}, ledger.ErrUnbalanced},
		} {
			if err := post(ctx, db, l, tc.tx); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
			}
		}
		if err := post(ctx, db, l, transfer(1, 2, 100, "trf-all")); err != nil {
			t.Fatalf("transfer of the whole balance: %v", err)
		}
		for user, want := range map[int64]money.Amount{1: 0, 2: 100} {
			got, err := l.Balance(ctx, db.SQL, ledger.UserAccount(user, ledger.Available, usdt))
			if err != nil || got != want {
				t.Errorf("balance of %d = %d (%v), want %d", user, got, err, want)
			}
		}
		if got, _ := l.Balance(ctx, db.SQL, ledger.HouseAccount(ledger.Custody, usdt)); got != -100 {
			t.Errorf("custody = %d, want -100", got)
		}
		report, err := l.VerifySnapshot(ctx)
		if err != nil || !report.OK() || report.Transactions != 2 {
			t.Fatalf("verify: %v %s", err, report)
		}
	})
}

// TestVerifyFindsDrift corrupts the book behind the ledger's back, after
// removing the database's own guard against a negative user balance (as
// the tables' owner could), so Verify is the check that remains.
func TestVerifyFindsDrift(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, l := newLedger(t, engine)
		if err := post(ctx, db, l, deposit(7, 50, "dep")); err != nil {
			t.Fatal(err)
		}
		unguard := `DROP TRIGGER ledger_accounts_user_not_negative_update`
		if engine == store.Postgres {
			unguard = `ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_user_not_negative`
		}
		if _, err := db.SQL.ExecContext(ctx, unguard); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL.ExecContext(ctx, `UPDATE ledger_accounts SET balance = -3 WHERE owner_id = 7`); err != nil {
			t.Fatal(err)
		}
		report, err := l.VerifySnapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if report.OK() || len(report.Problems) < 3 {
			t.Fatalf("drift not reported (want balance≠postings, negative user, book≠0): %s", report)
		}
	})
}

// TestConcurrentDebitsNeverOverdraw races 50 transfers of 7 from a balance
// of 100: exactly 14 may succeed, the rest must fail cleanly.
func TestConcurrentDebitsNeverOverdraw(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, l := newLedger(t, engine)
		if err := post(ctx, db, l, deposit(1, 100, "dep")); err != nil {
			t.Fatal(err)
		}
		const n = 50
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			ok, nsf int
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := post(ctx, db, l, transfer(1, int64(100+i%5), 7, fmt.Sprintf("trf-%d", i)))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, ledger.ErrInsufficientBalance):
					nsf++
				default:
					t.Errorf("transfer %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if ok != 14 || nsf != 36 {
			t.Fatalf("%d succeeded and %d were refused, want 14 and 36", ok, nsf)
		}
		if got, _ := l.Balance(ctx, db.SQL, ledger.UserAccount(1, ledger.Available, usdt)); got != 2 {
			t.Fatalf("remaining balance %d, want 2", got)
		}
		if report, err := l.VerifySnapshot(ctx); err != nil || !report.OK() {
			t.Fatalf("verify: %v %s", err, report)
		}
	})
}

// TestConcurrentDuplicateBooksOnce delivers one business event 10 times at once.
func TestConcurrentDuplicateBooksOnce(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, l := newLedger(t, engine)
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- post(ctx, db, l, deposit(3, 25, "custody-trade-42"))
			}()
		}
		wg.Wait()
		close(errs)
		booked := 0
		for err := range errs {
			switch {
			case err == nil:
				booked++
			case !errors.Is(err, ledger.ErrDuplicate):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if got, _ := l.Balance(ctx, db.SQL, ledger.UserAccount(3, ledger.Available, usdt)); booked != 1 || got != 25 {
			t.Fatalf("booked %d times, balance %d; want once and 25", booked, got)
		}
	})
}
