// Package batchjob is the loop of a job that walks many users in batches
// from a stored cursor (a broadcast, a coupon assigned to all): each domain
// writes its own step — one batch and the cursor moved past it, in one
// transaction — and this package decides how long one run keeps stepping.
package batchjob

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Defaults: a batch per transaction, and how long one run keeps going
// before it yields its worker (the job snoozes and resumes from its cursor).
const (
	DefaultBatch  = 500
	DefaultBudget = 20 * time.Second
)

// Limits returns batch and budget, each replaced by its default when zero
// or negative.
func Limits(batch int, budget time.Duration) (int, time.Duration) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	if budget <= 0 {
		budget = DefaultBudget
	}
	return batch, budget
}

// Run calls step until it reports done or budget is spent; then the job
// snoozes (without using up an attempt) so that its next run continues
// from the cursor. A step's error is returned wrapped with what (the job's
// name): the snooze is not, River reads it as it is.
func Run(ctx context.Context, what string, budget time.Duration, step func(context.Context) (done bool, err error)) error {
	deadline := time.Now().Add(budget)
	for {
		done, err := step(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return river.JobSnooze(0)
		}
	}
}
