package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

// TestDailySums: fee postings are summed per day of the asked time zone and
// per currency, net of refunds, within the asked days only.
func TestDailySums(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		hk := time.FixedZone("HKT", 8*3600)
		clock := testclock.New(time.Date(2026, 3, 1, 15, 30, 0, 0, time.UTC)) // 23:30 in Hong Kong
		l := ledger.New(db, clock.Now)
		fee := func(ref, currency string, amount int64) {
			t.Helper()
			if err := post(ctx, db, l, ledger.Transaction{Reference: ref, Kind: "fee", Entries: []ledger.Entry{
				{Account: ledger.HouseAccount(ledger.Custody, currency), Amount: -money.Amount(amount)},
				{Account: ledger.HouseAccount(ledger.FeeIncome, currency), Amount: money.Amount(amount)},
			}}); err != nil {
				t.Fatal(err)
			}
		}
		fee("a", usdt, 100)               // 1 March, Hong Kong
		clock.Advance(time.Hour)          // 00:30 on 2 March in Hong Kong, still 1 March in UTC
		fee("b", usdt, 50)                // 2 March
		fee("c", usdt, -20)               // a refund, 2 March
		fee("d", "HKD", 700)              // 2 March
		clock.Advance(5 * 24 * time.Hour) // 7 March
		fee("e", usdt, 1)                 // outside the asked days
		from := time.Date(2026, 3, 1, 0, 0, 0, 0, hk)
		to := time.Date(2026, 3, 6, 12, 0, 0, 0, hk)
		got, err := l.DailySums(ctx, db.SQL, ledger.House, ledger.FeeIncome, from, to, hk)
		if err != nil {
			t.Fatal(err)
		}
		want := []ledger.DaySum{
			{Day: time.Date(2026, 3, 2, 0, 0, 0, 0, hk), Currency: "HKD", Amount: 700},
			{Day: time.Date(2026, 3, 1, 0, 0, 0, 0, hk), Currency: usdt, Amount: 100},
			{Day: time.Date(2026, 3, 2, 0, 0, 0, 0, hk), Currency: usdt, Amount: 30},
		}
		if len(got) != len(want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		for i := range want {
			if !got[i].Day.Equal(want[i].Day) || got[i].Currency != want[i].Currency || got[i].Amount != want[i].Amount {
				t.Errorf("day %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}
