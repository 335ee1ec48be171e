package account

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// refereesOf selects the referees of $1 with their level: level 1 are the
// direct referees, level 2 the referees of those.
const refereesOf = `SELECT id, email, first_name, last_name, status, created_at, 1 AS level FROM users WHERE referred_by = $1
	UNION ALL
	SELECT u.id, u.email, u.first_name, u.last_name, u.status, u.created_at, 2 AS level FROM users u
		JOIN users p ON u.referred_by = p.id WHERE p.referred_by = $1`

// selectReferees lists the referees of userID at level 1, 2 or both (0),
// newest first, with the total matching.
func (s *Service) selectReferees(ctx context.Context, q store.Querier, userID int64, level, limit, offset int) ([]Referee, int, error) {
	where := ``
	args := []any{userID}
	if level != 0 {
		where = ` WHERE level = $2`
		args = append(args, level)
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+refereesOf+`) r`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(args)
	rows, err := q.QueryContext(ctx, `SELECT id, email, first_name, last_name, status, created_at, level FROM (`+refereesOf+`) r`+where+
		` ORDER BY created_at DESC, id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Referee
	for rows.Next() {
		var (
			ref         Referee
			first, last sql.NullString
			status      string
		)
		if err := rows.Scan(&ref.ID, &ref.Email, &first, &last, &status, store.TimeInto(&ref.CreatedAt), &ref.Level); err != nil {
			return nil, 0, err
		}
		ref.FirstName, ref.LastName, ref.Status = first.String, last.String, Status(status)
		out = append(out, ref)
	}
	return out, total, rows.Err()
}

// countReferees counts the referees of userID at each level.
func (s *Service) countReferees(ctx context.Context, q store.Querier, userID int64) (int, int, error) {
	var l1, l2 int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN level = 1 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN level = 2 THEN 1 ELSE 0 END), 0) FROM (`+refereesOf+`) r`, userID).Scan(&l1, &l2)
	return l1, l2, err
}

func (s *Service) selectDirectRefereeIDs(ctx context.Context, q store.Querier, userID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM users WHERE referred_by = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *Service) setReferralCode(ctx context.Context, q store.Querier, id int64, code string, now time.Time) error {
	return s.setUserColumn(ctx, q, id, now, "referral_code", code)
}
