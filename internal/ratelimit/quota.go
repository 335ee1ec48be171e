package ratelimit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
)

// Take counts one action of a user against every rule, in the caller's
// transaction, and refuses it with RATE_LIMITED once a window is full. The
// count lives and dies with the transaction: an action that fails for any
// reason (this refusal included) rolls its count back, so a quota counts
// actions that happened, and concurrent actions of one user queue on the
// counter row instead of slipping past it. what names the action in plural
// ("withdrawals") in the counter keys and in the refusal.
//
// The refusal is interim: an Idempotency-Key is not bound to it, so the same
// request may be sent again once the window has passed.
func (c *Counter) Take(ctx context.Context, tx *sql.Tx, what string, userID int64, rules ...Rule) error {
	var (
		wait time.Duration
		full Rule
	)
	for _, r := range rules {
		key := "quota:" + what + ":" + strconv.FormatInt(userID, 10) + ":" + r.Window.String()
		hits, ends, err := c.Hit(ctx, tx, key, r)
		if err != nil {
			return fmt.Errorf("ratelimit: %s quota: %w", what, err)
		}
		if left := ends.Sub(c.now()); hits > r.Max && left > wait {
			wait, full = left, r
		}
	}
	if wait <= 0 {
		return nil
	}
	return apperr.New(apperr.CodeRateLimited).
		WithDetails(fmt.Sprintf("At most %d %s per %s; try again later", full.Max, what, windowName(full.Window))).
		WithRetryAfter(wait).AsInterim()
}

func windowName(d time.Duration) string {
	switch d {
	case time.Hour:
		return "hour"
	case 24 * time.Hour:
		return "day"
	}
	return d.String()
}
