package ratelimit_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestTake: a quota counts only actions whose transaction commits, refuses
// the one past any window with an interim RATE_LIMITED carrying the wait of
// the window that is full, and keeps users apart.
func TestTake(t *testing.T) {
	t.Parallel()
	hour, day := ratelimit.Rule{Max: 2, Window: time.Hour}, ratelimit.Rule{Max: 3, Window: 24 * time.Hour}
	errFailed := errors.New("the action failed")
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		take := func(user int64, then error) error {
			return f.db.InTx(context.Background(), func(tx *sql.Tx) error {
				if err := f.c.Take(context.Background(), tx, "tests", user, hour, day); err != nil {
					return err
				}
				return then
			})
		}
		refused := func(user int64, wait time.Duration) {
			t.Helper()
			e, ok := apperr.As(take(user, nil))
			if !ok || e.Code != apperr.CodeRateLimited || e.RetryAfter != wait || !e.Interim {
				t.Fatalf("user %d: got %v (retry after %v), want an interim RATE_LIMITED after %v", user, e, e.RetryAfter, wait)
			}
		}
		if err := take(1, errFailed); !errors.Is(err, errFailed) {
			t.Fatal(err)
		}
		for range 2 { // the failed action above was not counted
			if err := take(1, nil); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(10 * time.Minute)
		refused(1, 50*time.Minute)
		refused(1, 50*time.Minute) // refusals are not counted either
		if err := take(2, nil); err != nil {
			t.Fatal("another user was refused:", err)
		}
		f.clock.Advance(50 * time.Minute)
		if err := take(1, nil); err != nil {
			t.Fatal("a new hour was refused:", err)
		}
		refused(1, 23*time.Hour) // the day is full: its window wins
	})
}
