package batchjob_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/platform/batchjob"
)

func TestRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	steps := 0
	if err := batchjob.Run(ctx, "job", time.Minute, func(context.Context) (bool, error) { steps++; return steps == 3, nil }); err != nil || steps != 3 {
		t.Errorf("until done: err %v after %d steps, want nil after 3", err, steps)
	}
	var snooze *rivertype.JobSnoozeError
	if err := batchjob.Run(ctx, "job", time.Nanosecond, func(context.Context) (bool, error) {
		time.Sleep(time.Millisecond)
		return false, nil
	}); !errors.As(err, &snooze) {
		t.Errorf("budget spent: %v, want a snooze", err)
	}
	boom := errors.New("boom")
	if err := batchjob.Run(ctx, "job", time.Minute, func(context.Context) (bool, error) { return false, boom }); !errors.Is(err, boom) ||
		err.Error() != "job: boom" {
		t.Errorf("failed step: %v, want job: boom", err)
	}
	if b, d := batchjob.Limits(0, -1); b != batchjob.DefaultBatch || d != batchjob.DefaultBudget {
		t.Errorf("Limits(0, -1) = %d, %v", b, d)
	}
}
