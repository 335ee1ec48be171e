package idempotency_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

// newStore is a Store with an identity of its own, as one process has.
func newStore(t *testing.T, db *store.DB, now func() time.Time) *idempotency.Store {
	s, _ := newProcess(t, db, now)
	return s
}

// newProcess is what one replica holds: its identity and its Store.
func newProcess(t *testing.T, db *store.DB, now func() time.Time) (*idempotency.Store, *idempotency.Instance) {
	t.Helper()
	in, err := idempotency.Register(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	if in.ID() == 0 {
		t.Fatal("no identity")
	}
	return idempotency.NewStore(db, in, now), in
}

// TestClaimOfEndedProcessIsTakenOverAtOnce: a retry reaching another
// replica answers IN_PROGRESS while the claiming process lives (PostgreSQL,
// where several processes share the database) and takes the claim over the
// moment that process has ended — long before the claim goes stale — while
// the old claimant can no longer finish.
func TestClaimOfEndedProcessIsTakenOverAtOnce(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		clk := testclock.New(testclock.Start)
		dying, dyingID := newProcess(t, db, clk.Now)
		other := newStore(t, db, clk.Now)

		old, _, err := dying.Begin(ctx, 1, "key-takeover", "fp")
		if err != nil || old == nil {
			t.Fatalf("first claim: %v %v", old, err)
		}
		if engine == store.Postgres {
			if _, _, err := other.Begin(ctx, 1, "key-takeover", "fp"); !errors.Is(err, idempotency.ErrInProgress) {
				t.Fatalf("retry while the claimant lives = %v, want IN_PROGRESS", err)
			}
		}
		if err := dyingID.Close(); err != nil {
			t.Fatal(err)
		}
		taken, _, err := other.Begin(ctx, 1, "key-takeover", "fp")
		if err != nil || taken == nil {
			t.Fatalf("retry after the claimant ended: %v %v, want a claim", taken, err)
		}
		if _, _, err := other.Begin(ctx, 1, "key-takeover", "fp"); !errors.Is(err, idempotency.ErrInProgress) {
			t.Fatalf("the new claim is live in its own process: %v, want IN_PROGRESS", err)
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error { return dying.Finish(ctx, tx, old, 200, []byte(`{"twice":true}`)) })
		if !errors.Is(err, idempotency.ErrClaimLost) {
			t.Fatalf("old claimant finish = %v, want ErrClaimLost", err)
		}
		if err := db.InTx(ctx, func(tx *sql.Tx) error { return other.Finish(ctx, tx, taken, 200, []byte(`{"once":true}`)) }); err != nil {
			t.Fatal(err)
		}
		_, replay, err := dying.Begin(ctx, 1, "key-takeover", "fp")
		if err != nil || replay == nil || string(replay.Body) != `{"once":true}` {
			t.Fatalf("replay = %+v, %v", replay, err)
		}
	})
}

// TestTakeoverWaitsForCommitInFlight: the claimant's effect transaction has
// stored its answer and is committing when its process ends. A retry must
// wait for that commit and replay it, never execute a second time.
func TestTakeoverWaitsForCommitInFlight(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		clk := testclock.New(testclock.Start)
		dying, dyingID := newProcess(t, db, clk.Now)
		other := newStore(t, db, clk.Now)
		claim, _, err := dying.Begin(ctx, 1, "key-inflight", "fp")
		if err != nil {
			t.Fatal(err)
		}
		finished, commit := make(chan struct{}), make(chan struct{})
		effect := make(chan error, 1)
		go func() {
			effect <- db.InTx(ctx, func(tx *sql.Tx) error {
				if err := dying.Finish(ctx, tx, claim, 200, []byte(`{"effect":1}`)); err != nil {
					return err
				}
				close(finished)
				<-commit
				return nil
			})
		}()
		<-finished
		if err := dyingID.Close(); err != nil {
			t.Fatal(err)
		}
		type began struct {
			claim  *idempotency.Claim
			replay *idempotency.Stored
			err    error
		}
		retry := make(chan began, 1)
		go func() {
			c, r, err := other.Begin(ctx, 1, "key-inflight", "fp")
			retry <- began{c, r, err}
		}()
		select {
		case b := <-retry:
			t.Fatalf("the retry did not wait for the commit in flight: %+v", b)
		case <-time.After(200 * time.Millisecond):
		}
		close(commit)
		if err := <-effect; err != nil {
			t.Fatal(err)
		}
		b := <-retry
		if b.err != nil || b.claim != nil || b.replay == nil || string(b.replay.Body) != `{"effect":1}` {
			t.Fatalf("retry after the commit = %+v, want the replay", b)
		}
	})
}
