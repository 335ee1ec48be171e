package jobs_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestScheduledJobRuns: a job inserted in a transaction with a ScheduledAt
// (the card pending-status check, the physical order and swap recoveries)
// runs once that time has passed, on both engines. On SQLite River compares
// times as text, so the stored layout must be River's own.
func TestScheduledJobRuns(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		db, err := store.Open(context.Background(), storetest.URL(t, engine))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		w := &stallWorker{done: make(chan int64, 4)}
		client := newClient(t, db, w)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		for _, at := range []time.Time{time.Now().Add(-10 * time.Minute), time.Now().Add(300 * time.Millisecond),
			time.Now().In(time.FixedZone("HKT", 8*3600)).Add(300 * time.Millisecond)} {
			if err := db.InTx(ctx, func(tx *sql.Tx) error {
				_, err := client.InsertTx(ctx, tx, stallArgs{}, &river.InsertOpts{ScheduledAt: at})
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Stop(context.Background()) })
		for i := 0; i < 3; i++ {
			select {
			case <-w.done:
			case <-time.After(10 * time.Second):
				var raw string
				_ = db.SQL.QueryRowContext(ctx, `SELECT CAST(scheduled_at AS TEXT) FROM river_job WHERE state <> 'completed' LIMIT 1`).Scan(&raw)
				t.Fatalf("only %d of 3 scheduled jobs ran; a waiting one is scheduled at %q", i, raw)
			}
		}
	})
}
