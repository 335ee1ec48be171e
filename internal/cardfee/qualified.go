package cardfee

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/store"
)

// qualifiedChunk bounds the ids of one query, far below SQLite's limit on
// bound parameters.
const qualifiedChunk = 500

// CountPaying returns how many of userIDs have at least one completed card
// fee payment (consumed or not): the "qualified" referees of API.md §2.10.
// A refunded payment no longer counts.
func (s *Service) CountPaying(ctx context.Context, q store.Querier, userIDs []int64) (int, error) {
	total := 0
	for start := 0; start < len(userIDs); start += qualifiedChunk {
		ids := userIDs[start:min(start+qualifiedChunk, len(userIDs))]
		args := make([]any, 0, len(ids)+1)
		args = append(args, StatusCompleted)
		marks := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			marks[i] = "$" + strconv.Itoa(i+2)
		}
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT user_id) FROM card_fee_payments
			WHERE status = $1 AND user_id IN (`+strings.Join(marks, ", ")+`)`, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("cardfee: count paying users among %d: %w", len(userIDs), err)
		}
		total += n
	}
	return total, nil
}
