package threeds

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// ValidStatus reports whether s is a challenge status.
func ValidStatus(s Status) bool {
	switch s {
	case StatusOTPSent, StatusUnconfirmed, StatusProcessing, StatusSuccess, StatusFailure, StatusConfirmFailed, StatusExpired:
		return true
	}
	return false
}

// RecordFilter selects challenges for operators.
type RecordFilter struct {
	UserID int64  // 0 = any
	Status Status // "" = any
}

// Records lists challenges for operators, newest first, and the total. The
// passcode is never opened here: an operator has no use for a cardholder's
// one-time code, live or not.
func (s *Service) Records(ctx context.Context, f RecordFilter, limit, offset int) ([]Record, int, error) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.UserID != 0 {
		add("user_id = ?", f.UserID)
	}
	if f.Status != "" {
		add("challenge_status = ?", f.Status)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM threeds_challenges`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("threeds: count challenges: %w", err)
	}
	args = append(args, limit, offset)
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+recordColumns+` FROM threeds_challenges`+where+`
		ORDER BY received_at DESC, id DESC LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("threeds: challenges: %w", err)
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		r, _, err := scanRecord(rows) // the sealed passcode is dropped unopened
		if err != nil {
			return nil, 0, fmt.Errorf("threeds: challenges: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("threeds: challenges: %w", err)
	}
	return out, total, nil
}
