package threeds

import (
	"context"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/store"
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
	var c store.Conds
	c.Eq("user_id", f.UserID, f.UserID != 0)
	c.Eq("challenge_status", f.Status, f.Status != "")
	where, args := c.Where()
	out, total, err := store.Page(ctx, s.DB.SQL, recordColumns, `FROM threeds_challenges`+where, args, `received_at DESC, id DESC`,
		limit, offset, func(row store.Row) (Record, error) {
			r, _, err := scanRecord(row) // the sealed passcode is dropped unopened
			return r, err
		})
	if err != nil {
		return nil, 0, fmt.Errorf("threeds: challenges: %w", err)
	}
	return out, total, nil
}
