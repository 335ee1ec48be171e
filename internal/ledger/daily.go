package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// DaySum is the net amount posted to an account on one day, in one currency.
type DaySum struct {
	Day      time.Time // midnight of the day, in the zone asked for
	Currency string
	Amount   money.Amount
}

const microsPerDay = int64(24 * time.Hour / time.Microsecond)

// DailySums returns, per day and currency, the net of the postings to the
// accounts named name of owner (House: every shard) from the day of from to
// the day of to, both included, with days cut at midnight of loc (at the
// UTC offset loc has at to). Days without postings are left out; the result
// is ordered by currency, then day. The operators' dashboard charts the fee
// income with it.
func (l *Ledger) DailySums(ctx context.Context, q store.Querier, owner int64, name string, from, to time.Time,
	loc *time.Location) ([]DaySum, error) {
	_, offset := to.In(loc).Zone()
	shift := int64(offset) * int64(time.Second/time.Microsecond)
	first := dayStart(from.In(loc))
	end := dayStart(to.In(loc)).AddDate(0, 0, 1)
	rows, err := q.QueryContext(ctx, `SELECT (p.created_at + $1) / $2 AS day, a.currency, SUM(p.amount)
		FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
		WHERE a.owner_id = $3 AND a.name = $4 AND p.created_at >= $5 AND p.created_at < $6
		GROUP BY 1, 2 ORDER BY 2, 1`,
		shift, microsPerDay, owner, name, store.At(first), store.At(end))
	if err != nil {
		return nil, fmt.Errorf("ledger: daily sums of %s: %w", name, err)
	}
	defer rows.Close()
	var out []DaySum
	for rows.Next() {
		var (
			day int64
			s   DaySum
		)
		if err := rows.Scan(&day, &s.Currency, &s.Amount); err != nil {
			return nil, fmt.Errorf("ledger: daily sums of %s: %w", name, err)
		}
		// The bucket is a day of local wall time; name it by its date in loc.
		y, m, d := time.UnixMicro(day * microsPerDay).UTC().Date()
		s.Day = time.Date(y, m, d, 0, 0, 0, 0, loc)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: daily sums of %s: %w", name, err)
	}
	return out, nil
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
