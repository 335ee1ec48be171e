package account

import (
	"context"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/store"
)

// The users an operator's broadcast or coupon campaign reaches. Closed
// accounts are never part of an audience; the filter narrows the rest.

// audienceWhere is the condition of f on users, with its arguments numbered
// from $first.
func audienceWhere(f notification.Audience, first int) (string, []any) {
	where, args := `status <> '`+string(StatusDeactivated)+`'`, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where += ` AND ` + cond + ` $` + strconv.Itoa(first+len(args)-1)
	}
	if f.Status != "" {
		add(`status =`, f.Status)
	}
	if f.Language != "" {
		add(`language =`, f.Language)
	}
	if f.RegisteredFrom != nil {
		add(`created_at >=`, store.At(*f.RegisteredFrom))
	}
	if f.RegisteredTo != nil {
		add(`created_at <`, store.At(*f.RegisteredTo))
	}
	return where, args
}

// AudienceSize counts the users f reaches now and returns the highest user
// id, the bound that fixes the audience of a job that pages through it
// later (users who register afterwards are not part of it).
func (s *Service) AudienceSize(ctx context.Context, q store.Querier, f notification.Audience) (count int, lastID int64, err error) {
	where, args := audienceWhere(f, 1)
	err = q.QueryRowContext(ctx, `SELECT COUNT(*), (SELECT COALESCE(MAX(id), 0) FROM users) FROM users WHERE `+where, args...).
		Scan(&count, &lastID)
	if err != nil {
		return 0, 0, fmt.Errorf("account: audience size: %w", err)
	}
	return count, lastID, nil
}

// AudienceIDs returns up to limit ids of the users f reaches with
// after < id <= upTo, in id order: one page of a batched job whose cursor
// is the last id it handled.
func (s *Service) AudienceIDs(ctx context.Context, q store.Querier, f notification.Audience, after, upTo int64, limit int) ([]int64, error) {
	where, args := audienceWhere(f, 4)
	rows, err := q.QueryContext(ctx, `SELECT id FROM users WHERE id > $1 AND id <= $2 AND `+where+` ORDER BY id LIMIT $3`,
		append([]any{after, upTo, limit}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("account: audience after %d: %w", after, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("account: audience after %d: %w", after, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account: audience after %d: %w", after, err)
	}
	return ids, nil
}
