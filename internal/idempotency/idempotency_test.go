package idempotency_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

func TestValidKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]bool{
		"phy_1700000000000_609659162": true, "abcdefgh": true, "a:b.c-d_e1": true,
		"short": false, "has space1": false, "üñïçødé12": false, "": false,
		string(make([]byte, 129)): false,
	} {
		if got := idempotency.ValidKey(key); got != want {
			t.Errorf("ValidKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestFingerprintIgnoresKeyOrderAndSpacing(t *testing.T) {
	t.Parallel()
	a := idempotency.Fingerprint("POST", "/wallet/transfer-by-uid", "", []byte(`{"amount":"10","currency":"USDT-TRC20"}`))
	b := idempotency.Fingerprint("POST", "/wallet/transfer-by-uid", "", []byte(" {\"currency\": \"USDT-TRC20\",\n \"amount\": \"10\"} "))
	if a != b {
		t.Fatal("same request, different fingerprints")
	}
	for name, other := range map[string]string{
		"body":   idempotency.Fingerprint("POST", "/wallet/transfer-by-uid", "", []byte(`{"amount":"11","currency":"USDT-TRC20"}`)),
		"route":  idempotency.Fingerprint("POST", "/wallet/withdrawal", "", []byte(`{"amount":"10","currency":"USDT-TRC20"}`)),
		"query":  idempotency.Fingerprint("POST", "/wallet/transfer-by-uid", "x=1", []byte(`{"amount":"10","currency":"USDT-TRC20"}`)),
		"method": idempotency.Fingerprint("PUT", "/wallet/transfer-by-uid", "", []byte(`{"amount":"10","currency":"USDT-TRC20"}`)),
		"number": idempotency.Fingerprint("POST", "/wallet/transfer-by-uid", "", []byte(`{"amount":10,"currency":"USDT-TRC20"}`)),
	} {
		if other == a {
			t.Errorf("a different %s gives the same fingerprint", name)
		}
	}
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		clk := testclock.New(testclock.Start)
		s := newStore(t, db, clk.Now)

		claim, replay, err := s.Begin(ctx, 1, "key-00001", "fp-a")
		if err != nil || claim == nil || replay != nil {
			t.Fatalf("first Begin = %v %v %v", claim, replay, err)
		}
		if _, _, err := s.Begin(ctx, 1, "key-00001", "fp-a"); !errors.Is(err, idempotency.ErrInProgress) {
			t.Fatalf("Begin while running = %v, want IN_PROGRESS", err)
		}
		if _, _, err := s.Begin(ctx, 1, "key-00001", "fp-b"); !errors.Is(err, idempotency.ErrConflict) {
			t.Fatalf("Begin with another request = %v, want CONFLICT", err)
		}
		// Another user's identical key is independent.
		if c, _, err := s.Begin(ctx, 2, "key-00001", "fp-a"); err != nil || c == nil {
			t.Fatalf("other user's key: %v %v", c, err)
		}
		if err := db.InTx(ctx, func(tx *sql.Tx) error { return s.Finish(ctx, tx, claim, 200, []byte(`{"ok":true}`)) }); err != nil {
			t.Fatal(err)
		}
		_, replay, err = s.Begin(ctx, 1, "key-00001", "fp-a")
		if err != nil || replay == nil || replay.Status != 200 || string(replay.Body) != `{"ok":true}` {
			t.Fatalf("replay = %+v, %v", replay, err)
		}
		if _, _, err := s.Begin(ctx, 1, "key-00001", "fp-b"); !errors.Is(err, idempotency.ErrConflict) {
			t.Fatalf("done key with another request = %v, want CONFLICT", err)
		}

		// A released claim can be claimed again; a rolled-back Finish leaves it running.
		c2, _, _ := s.Begin(ctx, 1, "key-00002", "fp")
		_ = db.InTx(ctx, func(tx *sql.Tx) error {
			_ = s.Finish(ctx, tx, c2, 201, nil)
			return errors.New("effect failed")
		})
		if _, _, err := s.Begin(ctx, 1, "key-00002", "fp"); !errors.Is(err, idempotency.ErrInProgress) {
			t.Fatalf("after rolled-back finish = %v, want IN_PROGRESS", err)
		}
		if err := s.Release(ctx, c2); err != nil {
			t.Fatal(err)
		}
		if c, _, err := s.Begin(ctx, 1, "key-00002", "fp"); err != nil || c == nil {
			t.Fatalf("after release: %v %v", c, err)
		}

		// A claim whose process died goes stale and can be taken over; the
		// old claimant can then no longer finish.
		c3, _, _ := s.Begin(ctx, 1, "key-00003", "fp")
		clk.Advance(3 * time.Minute)
		c4, _, err := s.Begin(ctx, 1, "key-00003", "fp")
		if err != nil || c4 == nil {
			t.Fatalf("stale takeover: %v %v", c4, err)
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error { return s.Finish(ctx, tx, c3, 200, nil) })
		if !errors.Is(err, idempotency.ErrClaimLost) {
			t.Fatalf("old claimant finish = %v, want ErrClaimLost", err)
		}

		// After the retention the key is new again.
		clk.Advance(25 * time.Hour)
		if c, _, err := s.Begin(ctx, 1, "key-00001", "fp-b"); err != nil || c == nil {
			t.Fatalf("after retention: %v %v", c, err)
		}
	})
}

func TestConcurrentBeginClaimsOnce(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		s := newStore(t, db, testclock.New(testclock.Start).Now)
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			claims int
		)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, _, err := s.Begin(ctx, 9, "race-key-1", "fp")
				mu.Lock()
				defer mu.Unlock()
				if c != nil {
					claims++
				} else if !errors.Is(err, idempotency.ErrInProgress) {
					t.Errorf("loser got %v, want IN_PROGRESS", err)
				}
			}()
		}
		wg.Wait()
		if claims != 1 {
			t.Fatalf("%d claims, want exactly 1", claims)
		}
	})
}
