// Package ratelimit counts events in the database, so limits hold across
// every replica of the service: Counter in fixed windows, synchronously
// (login limits, quotas: security limits, exact), RequestLimiter in sliding
// windows flushed in batches (the per-request limits).
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Rule is a limit of Max events per Window.
type Rule struct {
	Max    int
	Window time.Duration
}

// Counter records and reads event counts.
type Counter struct{ now func() time.Time }

// NewCounter returns a Counter on the given clock.
func NewCounter(now func() time.Time) *Counter { return &Counter{now: now} }

// Hit records one event for key and returns the count in the current window
// and when that window ends.
func (c *Counter) Hit(ctx context.Context, q store.Querier, key string, r Rule) (int, time.Time, error) {
	now := c.now()
	var hits int
	var start time.Time
	err := q.QueryRowContext(ctx, `INSERT INTO rate_counters (key, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN rate_counters.window_start <= $3 THEN 1 ELSE rate_counters.hits + 1 END,
			window_start = CASE WHEN rate_counters.window_start <= $3 THEN excluded.window_start ELSE rate_counters.window_start END
		RETURNING hits, window_start`, key, store.At(now), store.At(now.Add(-r.Window))).Scan(&hits, store.TimeInto(&start))
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("ratelimit: hit: %w", err)
	}
	return hits, start.Add(r.Window), nil
}

// Exceeded reports whether key already reached r.Max in the current window,
// and for how long it stays blocked.
func (c *Counter) Exceeded(ctx context.Context, q store.Querier, key string, r Rule) (bool, time.Duration, error) {
	var hits int
	var start time.Time
	err := q.QueryRowContext(ctx, `SELECT hits, window_start FROM rate_counters WHERE key = $1`, key).Scan(&hits, store.TimeInto(&start))
	if err != nil {
		if store.NotFound(err) == store.ErrNotFound {
			return false, 0, nil
		}
		return false, 0, fmt.Errorf("ratelimit: exceeded: %w", err)
	}
	end := start.Add(r.Window)
	left := end.Sub(c.now())
	if left <= 0 || hits < r.Max {
		return false, 0, nil
	}
	return true, left, nil
}

// Reset forgets key (e.g. after a successful login).
func (c *Counter) Reset(ctx context.Context, q store.Querier, key string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM rate_counters WHERE key = $1`, key)
	if err != nil {
		return fmt.Errorf("ratelimit: reset: %w", err)
	}
	return nil
}

// Purge deletes the counters whose window started before cutoff, in q (the
// periodic purge's transaction); a later hit starts a fresh window anyway.
// The request limits' counters (RequestLimiter) go too.
func (c *Counter) Purge(ctx context.Context, q store.Querier, cutoff time.Time) error {
	for _, query := range []string{
		`DELETE FROM rate_counters WHERE window_start < $1`,
		`DELETE FROM request_counters WHERE window_start < $1`,
	} {
		if _, err := q.ExecContext(ctx, query, store.At(cutoff)); err != nil {
			return fmt.Errorf("ratelimit: purge: %w", err)
		}
	}
	return nil
}
