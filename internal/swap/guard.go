package swap

import (
	"context"
	"database/sql"
	"fmt"
)

// DeactivationBlocker keeps the account open while a swap is not final:
// its money waits in the clearing account and goes back to the user's
// wallet or card when the card leg settles or fails. It implements
// account.DeactivationGuard; the wallet's guard runs first and holds the
// wallet lock that settle and undo take before booking.
func (s *Service) DeactivationBlocker(ctx context.Context, tx *sql.Tx, userID int64) (string, error) {
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM swaps WHERE user_id = $1 AND status = $2`, userID, StatusPending).
		Scan(&open); err != nil {
		return "", fmt.Errorf("swap: deactivation guard: %w", err)
	}
	if open > 0 {
		return fmt.Sprintf("%d swap(s) are not final yet", open), nil
	}
	return "", nil
}
