// Package testclock is the settable clock every test runs services on: one
// type, so a test moves time the same way whether it drives a single domain
// or the whole app (apptest.Harness.Clock is one of these).
package testclock

import (
	"sync"
	"time"
)

// Start is where test clocks begin unless told otherwise; fixed so that
// dates in test expectations are stable.
var Start = time.Date(2026, 2, 25, 12, 0, 0, 0, time.UTC)

// Clock is a goroutine-safe clock that moves only when told to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock reading start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the current test time; pass the method value as a service's
// clock (svc := NewService(db, c.Now)).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
