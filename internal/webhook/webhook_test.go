package webhook_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// recorder is a processor that counts applications and can fail.
type recorder struct {
	applied int
	fail    error
}

func (r *recorder) Process(context.Context, *sql.Tx, []byte) (string, error) {
	if r.fail != nil {
		return "", r.fail
	}
	r.applied++
	return webhook.StateProcessed, nil
}

// queued counts the processing jobs inserted.
type queued struct{ n int }

func (q *queued) InsertTx(context.Context, *sql.Tx, river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	q.n++
	return &rivertype.JobInsertResult{}, nil
}

func TestInboxStoresOnceAndAppliesOnce(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		proc := &recorder{fail: errors.New("provider hiccup")}
		inbox := webhook.NewInbox(db, map[string]webhook.Processor{"custody": proc}, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
		jobs := &queued{}

		id, dup, err := inbox.Receive(ctx, jobs, "custody", "trade-1:3", []byte(`{"a":1}`))
		if err != nil || dup || jobs.n != 1 {
			t.Fatalf("first delivery: id=%d dup=%v err=%v jobs=%d", id, dup, err, jobs.n)
		}
		again, dup, err := inbox.Receive(ctx, jobs, "custody", "trade-1:3", []byte(`{"a":1}`))
		if err != nil || !dup || again != id || jobs.n != 1 {
			t.Fatalf("redelivery: id=%d dup=%v err=%v jobs=%d", again, dup, err, jobs.n)
		}
		// A failing processor leaves the event for a retry and records why.
		if err := inbox.Process(ctx, id); err == nil {
			t.Fatal("failing processor reported success")
		}
		var attempts int
		var lastErr string
		if err := db.SQL.QueryRowContext(ctx, `SELECT attempts, last_error FROM webhook_events WHERE id = $1`, id).Scan(&attempts, &lastErr); err != nil {
			t.Fatal(err)
		}
		if attempts != 1 || lastErr == "" {
			t.Fatalf("after a failure attempts=%d last_error=%q", attempts, lastErr)
		}
		proc.fail = nil
		for range 3 {
			if err := inbox.Process(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if proc.applied != 1 {
			t.Fatalf("applied %d times, want once", proc.applied)
		}
		orphan, _, err := inbox.Receive(ctx, jobs, "nobody", "k", []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		if err := inbox.Process(ctx, orphan); err == nil {
			t.Fatal("an event of a provider without processor was processed")
		}
	})
}
