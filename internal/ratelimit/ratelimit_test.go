package ratelimit_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

var t0 = testclock.Start

var rule = ratelimit.Rule{Max: 3, Window: 15 * time.Minute}

type fixture struct {
	t     *testing.T
	db    *store.DB
	clock *testclock.Clock
	c     *ratelimit.Counter
}

func newFixture(t *testing.T, engine store.Engine) *fixture {
	t.Helper()
	c := testclock.New(t0)
	return &fixture{t: t, db: storetest.New(t, engine), clock: c, c: ratelimit.NewCounter(c.Now)}
}

func (f *fixture) hit(key string, wantHits int, wantEnd time.Time) {
	f.t.Helper()
	n, end, err := f.c.Hit(context.Background(), f.db.SQL, key, rule)
	if err != nil {
		f.t.Fatalf("hit %s: %v", key, err)
	}
	if n != wantHits || !end.Equal(wantEnd) {
		f.t.Fatalf("hit %s = %d, window end %v; want %d, %v", key, n, end, wantHits, wantEnd)
	}
}

func (f *fixture) exceeded(key string, want bool, wantLeft time.Duration) {
	f.t.Helper()
	blocked, left, err := f.c.Exceeded(context.Background(), f.db.SQL, key, rule)
	if err != nil {
		f.t.Fatalf("exceeded %s: %v", key, err)
	}
	if blocked != want || left != wantLeft {
		f.t.Fatalf("exceeded %s = %v, %v; want %v, %v", key, blocked, left, want, wantLeft)
	}
}

func TestHitAndExceeded(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		end := t0.Add(rule.Window)
		f.exceeded("k", false, 0) // never hit
		f.hit("k", 1, end)
		f.clock.Advance(time.Minute)
		f.hit("k", 2, end) // the window keeps its start
		f.exceeded("k", false, 0)
		f.hit("k", 3, end)
		f.exceeded("k", true, rule.Window-time.Minute)
		f.clock.Advance(4 * time.Minute)
		f.exceeded("k", true, rule.Window-5*time.Minute)
		f.hit("k", 4, end) // hits past the limit are still counted
		f.exceeded("other", false, 0)
		f.hit("other", 1, f.clock.Now().Add(rule.Window))
	})
}

func TestWindowRollover(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		for i := 1; i <= 3; i++ {
			f.hit("k", i, t0.Add(rule.Window))
		}
		f.clock.Advance(rule.Window - time.Microsecond)
		f.exceeded("k", true, time.Microsecond)
		f.clock.Advance(time.Microsecond) // the window has ended
		f.exceeded("k", false, 0)
		f.hit("k", 1, f.clock.Now().Add(rule.Window))
		f.exceeded("k", false, 0)
		f.clock.Advance(2 * rule.Window)
		f.hit("k", 1, f.clock.Now().Add(rule.Window))
	})
}

func TestReset(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		for i := 1; i <= 3; i++ {
			f.hit("a", i, t0.Add(rule.Window))
			f.hit("b", i, t0.Add(rule.Window))
		}
		if err := f.c.Reset(context.Background(), f.db.SQL, "a"); err != nil {
			t.Fatal(err)
		}
		f.exceeded("a", false, 0)
		f.exceeded("b", true, rule.Window)
		f.clock.Advance(time.Second)
		f.hit("a", 1, f.clock.Now().Add(rule.Window))
		if err := f.c.Reset(context.Background(), f.db.SQL, "never-seen"); err != nil {
			t.Fatalf("reset of an unknown key: %v", err)
		}
	})
}

// TestInsideTransaction: a hit made in a rolled-back transaction is not kept.
func TestInsideTransaction(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		ctx := context.Background()
		_ = f.db.InTx(ctx, func(tx *sql.Tx) error {
			if _, _, err := f.c.Hit(ctx, tx, "k", rule); err != nil {
				t.Error(err)
			}
			return sql.ErrTxDone // any error rolls back
		})
		f.hit("k", 1, t0.Add(rule.Window))
		if err := f.db.InTx(ctx, func(tx *sql.Tx) error {
			_, _, err := f.c.Hit(ctx, tx, "k", rule)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		f.hit("k", 3, t0.Add(rule.Window))
	})
}

// TestConcurrentHits: no hit is lost when many arrive at once.
func TestConcurrentHits(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		const n = 25
		seen := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				hits, _, err := f.c.Hit(context.Background(), f.db.SQL, "k", rule)
				if err != nil {
					t.Errorf("hit: %v", err)
				}
				seen[i] = hits
			})
		}
		wg.Wait()
		got := map[int]bool{}
		for _, h := range seen {
			got[h] = true
		}
		if len(got) != n {
			t.Fatalf("hit counts %v are not 1..%d each once", seen, n)
		}
		for i := 1; i <= n; i++ {
			if !got[i] {
				t.Fatalf("hit counts %v miss %d", seen, i)
			}
		}
	})
}
