package ratelimit_test

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

func newRequestLimiter(db *store.DB, now func() time.Time) *ratelimit.RequestLimiter {
	return ratelimit.NewRequestLimiter(db, slog.New(slog.DiscardHandler), now)
}

// admit sends n requests of key in a row and returns how many were allowed
// and the last refusal's Retry-After.
func admit(t *testing.T, l *ratelimit.RequestLimiter, key string, max, n int) (int, time.Duration) {
	t.Helper()
	allowed, wait := 0, time.Duration(0)
	for range n {
		d, err := l.Allow(context.Background(), key, max)
		if err != nil {
			t.Fatalf("allow %s: %v", key, err)
		}
		if d.Allowed {
			allowed++
		} else {
			wait = d.RetryAfter
		}
	}
	return allowed, wait
}

// TestRequestLimitExactOnOneReplica: one replica sees every hit, so the
// limit is exact, for a limit small enough to flush every hit and for one
// large enough to admit several hits between flushes.
func TestRequestLimitExactOnOneReplica(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		clock := testclock.New(t0.Add(15 * time.Second))
		l := newRequestLimiter(storetest.New(t, engine), clock.Now)
		for _, max := range []int{1, 3, 120, 300} {
			key := "user:" + string(rune('a'+max%26))
			got, wait := admit(t, l, key, max, max+10)
			if got != max {
				t.Fatalf("limit %d: %d admitted", max, got)
			}
			// Every hit landed 15 s into the window: the next request is
			// admitted once the window has slid far enough.
			if want := time.Minute + time.Minute/time.Duration(max) - 15*time.Second; wait < want || wait > want+2*time.Millisecond {
				t.Fatalf("limit %d: Retry-After %v, want %v", max, wait, want)
			}
		}
		// A second limiter (a restarted replica) reads the totals back.
		fresh := newRequestLimiter(storetest.New(t, engine), clock.Now)
		if got, _ := admit(t, fresh, "user:x", 2, 5); got != 2 {
			t.Fatalf("fresh limiter admitted %d of a limit of 2", got)
		}
	})
}

// TestRequestLimitSlides: the previous window counts by the share of it
// still inside the sliding minute, so a full window followed at once by
// another is refused, and a client waiting its Retry-After is admitted.
func TestRequestLimitSlides(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		clock := testclock.New(t0) // the start of a window
		l := newRequestLimiter(storetest.New(t, engine), clock.Now)
		if got, _ := admit(t, l, "ip:a", 10, 10); got != 10 {
			t.Fatalf("admitted %d of 10", got)
		}
		clock.Advance(time.Minute) // next window, the previous weighs fully
		got, wait := admit(t, l, "ip:a", 10, 1)
		if got != 0 || wait != 6*time.Second+time.Millisecond {
			t.Fatalf("at the boundary: %d admitted, Retry-After %v; want 0, 6.001s", got, wait)
		}
		clock.Advance(wait)
		if got, _ := admit(t, l, "ip:a", 10, 2); got != 1 {
			t.Fatalf("after Retry-After: %d admitted, want 1", got)
		}
		// Half-way: 10×½ + 1 counted, 4 more fit.
		clock.Advance(30*time.Second - wait)
		if got, _ := admit(t, l, "ip:a", 10, 10); got != 4 {
			t.Fatalf("half-way: %d admitted, want 4", got)
		}
		// Two windows on, nothing weighs.
		clock.Advance(2 * time.Minute)
		if got, _ := admit(t, l, "ip:a", 10, 20); got != 10 {
			t.Fatalf("two windows on: %d admitted, want 10", got)
		}
	})
}

// TestRequestLimitAcrossReplicas: three limiters on one database, racing
// one key, admit no more than the limit plus the documented 10 % — with the
// clock frozen (only the allowance forces flushes) and with a clock that
// ticks a millisecond per request (the periodic flushes run too).
func TestRequestLimitAcrossReplicas(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		for _, tc := range []struct {
			name string
			tick time.Duration
		}{{"frozen clock", 0}, {"ticking clock", time.Millisecond}} {
			for _, max := range []int{120, 300} {
				db := storetest.New(t, engine)
				var elapsed atomic.Int64
				now := func() time.Time { return t0.Add(time.Duration(elapsed.Add(int64(tc.tick)))) }
				replicas := []*ratelimit.RequestLimiter{newRequestLimiter(db, now), newRequestLimiter(db, now), newRequestLimiter(db, now)}
				var admitted atomic.Int64
				var wg sync.WaitGroup
				for i := range 12 {
					wg.Go(func() {
						for range max / 2 {
							d, err := replicas[i%3].Allow(context.Background(), "user:1", max)
							if err != nil {
								t.Errorf("allow: %v", err)
								return
							}
							if d.Allowed {
								admitted.Add(1)
							}
						}
					})
				}
				wg.Wait()
				slack, got := max/10, int(admitted.Load())
				t.Logf("%s, limit %d over 3 replicas: %d admitted", tc.name, max, got)
				if got < max || got > max+slack {
					t.Errorf("%s, limit %d over 3 replicas: %d admitted, want %d..%d", tc.name, max, got, max, max+slack)
				}
			}
		}
	})
}

// TestRequestLimitClockSkew: a replica still in the previous window adds
// its hits to the row's previous window, where a replica already in the
// next window counts them.
func TestRequestLimitClockSkew(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		db := storetest.New(t, engine)
		ahead := newRequestLimiter(db, func() time.Time { return t0.Add(time.Minute) })
		behindClock := testclock.New(t0.Add(time.Minute - 200*time.Millisecond))
		behind := newRequestLimiter(db, behindClock.Now)
		if got, _ := admit(t, ahead, "ip:s", 100, 1); got != 1 {
			t.Fatal("ahead refused its first request")
		}
		if got, _ := admit(t, behind, "ip:s", 100, 5); got != 5 {
			t.Fatalf("behind admitted %d of 5", got)
		}
		behindClock.Advance(150 * time.Millisecond) // still the previous window
		if got, _ := admit(t, behind, "ip:s", 100, 1); got != 1 {
			t.Fatal("behind refused its sixth request")
		}
		// All 6 of behind's hits are flushed (its last request ran the
		// periodic flush): ahead counts them in full at the window start.
		if got, _ := admit(t, ahead, "ip:s", 100, 200); got != 100-6-1 {
			t.Fatalf("ahead admitted %d more, want %d", got, 100-6-1)
		}
	})
}

// TestPurgeRequestCounters: the daily purge forgets old request counters.
func TestPurgeRequestCounters(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		l := newRequestLimiter(f.db, f.clock.Now)
		if got, _ := admit(t, l, "ip:p", 1, 2); got != 1 {
			t.Fatal("first request refused")
		}
		f.clock.Advance(time.Hour)
		if err := f.c.Purge(context.Background(), f.db.SQL, f.clock.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := f.db.SQL.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM request_counters`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d request counters left after the purge", n)
		}
	})
}
