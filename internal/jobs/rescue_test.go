package jobs_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/jobs"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// helperDBEnv carries the database URL to the child process of
// TestJobKilledWhileRunningIsRescued; without it TestHelperProcess does nothing.
const helperDBEnv = "CCP_JOBS_RESCUE_HELPER_DB"

// testJobTimeout is the jobs' time-out in the rescue test: the production
// rule applied to a shorter time-out, so the test takes seconds.
const testJobTimeout = 500 * time.Millisecond

// stallArgs is a job like an issuer call or a withdrawal submission.
type stallArgs struct{}

func (stallArgs) Kind() string { return "test_stall" }

// stallWorker hangs without heeding its context in the child process (an
// upstream call that never answers) and completes in the parent.
type stallWorker struct {
	river.WorkerDefaults[stallArgs]
	hang bool
	done chan int64
}

func (w *stallWorker) Work(_ context.Context, job *river.Job[stallArgs]) error {
	if w.hang {
		select {}
	}
	w.done <- job.ID
	return nil
}

func newClient(t testing.TB, db *store.DB, w *stallWorker) *jobs.Client {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	client, err := jobs.New(db, workers, jobs.Options{PollInterval: 20 * time.Millisecond, JobTimeout: testJobTimeout})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// TestHelperProcess is the process that dies: it works the stalled job
// until the parent kills it.
func TestHelperProcess(t *testing.T) {
	url := os.Getenv(helperDBEnv)
	if url == "" {
		return
	}
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	client := newClient(t, db, &stallWorker{hang: true})
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {}
}

// TestJobKilledWhileRunningIsRescued kills (SIGKILL) a process while its job
// is running, as a crash during an issuer call would, and starts a fresh
// client on the same database: the job must be rescued and completed after
// the rescue delay derived from the jobs' time-out, not River's default hour.
func TestJobKilledWhileRunningIsRescued(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		url := storetest.URL(t, engine)
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		parent := &stallWorker{done: make(chan int64, 1)}
		client := newClient(t, db, parent)
		inserted, err := client.Insert(ctx, stallArgs{}, nil)
		if err != nil {
			t.Fatal(err)
		}

		var out bytes.Buffer
		child := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		child.Env = append(os.Environ(), helperDBEnv+"="+url)
		child.Stdout, child.Stderr = &out, &out
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		killed := false
		t.Cleanup(func() {
			if !killed {
				_ = child.Process.Kill()
				_ = child.Wait()
			}
		})
		waitState(t, db, inserted.Job.ID, "running", 30*time.Second, &out)
		if err := child.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = child.Wait()
		killed = true

		// The dead process was the queue's leader; its leadership lapses
		// after River's 15 s TTL. Ending it now keeps the test short
		// without touching what is under test (the rescue delay).
		if _, err := db.SQL.ExecContext(ctx, `DELETE FROM river_leader`); err != nil {
			t.Fatal(err)
		}
		// The rescuer runs when the new client becomes leader and then
		// every 30 s: start it once the job is old enough to be rescued.
		time.Sleep(jobs.RescueAfter(testJobTimeout))
		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Stop(context.Background()) })
		select {
		case id := <-parent.done:
			if id != inserted.Job.ID {
				t.Fatalf("worked job %d, want %d", id, inserted.Job.ID)
			}
		case <-time.After(20 * time.Second):
			var state string
			_ = db.SQL.QueryRowContext(ctx, `SELECT state FROM river_job WHERE id = $1`, inserted.Job.ID).Scan(&state)
			t.Fatalf("the killed job was not rescued (state %s)", state)
		}
		waitState(t, db, inserted.Job.ID, "completed", 10*time.Second, &out)
	})
}

// TestRescueRule pins the rule the service runs with: a job cut off by a
// crash resumes within a few minutes.
func TestRescueRule(t *testing.T) {
	t.Parallel()
	if got := jobs.RescueAfter(jobs.DefaultJobTimeout); got <= jobs.DefaultJobTimeout || got > 3*time.Minute {
		t.Fatalf("RescueAfter(%s) = %s, want above the time-out and at most 3 min", jobs.DefaultJobTimeout, got)
	}
}

func waitState(t *testing.T, db *store.DB, id int64, want string, within time.Duration, childOut *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var state string
		err := db.SQL.QueryRow(`SELECT state FROM river_job WHERE id = $1`, id).Scan(&state)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
		if state == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %q, not %q, after %s; child output:\n%s", id, state, want, within, childOut)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
