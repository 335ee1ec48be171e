package ledger_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestHouseAccountIsSharded: deposits of many users all post to the custody
// house account; they must spread over several rows and still sum exactly.
func TestHouseAccountIsSharded(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, l := newLedger(t, engine)
		var wg sync.WaitGroup
		for i := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := post(ctx, db, l, deposit(int64(1000+i), 5, fmt.Sprintf("dep-%d", i))); err != nil {
					t.Errorf("deposit %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		var rows int
		if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_accounts WHERE owner_id = 0 AND name = $1`, ledger.Custody).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows < 2 || rows > ledger.DefaultHouseShards {
			t.Errorf("custody is spread over %d rows, want 2..%d", rows, ledger.DefaultHouseShards)
		}
		if got, _ := l.Balance(ctx, db.SQL, ledger.HouseAccount(ledger.Custody, usdt)); got != -64*5 {
			t.Errorf("custody total %d, want %d", got, -64*5)
		}
		if report, err := l.VerifySnapshot(ctx); err != nil || !report.OK() {
			t.Fatalf("verify: %v %s", err, report)
		}
	})
}

// BenchmarkHouseAccountContention measures deposits of distinct users that
// all touch the custody house account, with one row versus the default
// shards. On PostgreSQL the single row serialises every writer on its row
// lock; run with COMECOMEPAY_TEST_POSTGRES_URL set to see it.
func BenchmarkHouseAccountContention(b *testing.B) {
	for _, engine := range storetest.Engines() {
		for _, shards := range []int{1, ledger.DefaultHouseShards} {
			b.Run(fmt.Sprintf("%s/shards=%d", engine, shards), func(b *testing.B) {
				benchDeposits(b, engine, shards)
			})
		}
	}
}

func benchDeposits(b *testing.B, engine store.Engine, shards int) {
	ctx := context.Background()
	db := storetest.New(b, engine)
	l := ledger.NewWithShards(db, time.Now, shards)
	var seq atomic.Int64
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			if err := post(ctx, db, l, deposit(n%500+1, 1, fmt.Sprintf("bench-%d", n))); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
