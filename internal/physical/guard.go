package physical

import (
	"context"
	"database/sql"
	"fmt"
)

// openStatuses are paid orders that may still fail, and a failure refunds
// the fee to the wallet.
var openStatuses = sqlList(StatusFeePaid, StatusSubmitted, StatusProcessing, StatusShipped)

// DeactivationBlocker keeps the account open while a paid physical card
// order is neither delivered nor failed (API.md §2.2). It implements
// account.DeactivationGuard and runs after the wallet's guard: paying an
// order debits the wallet and records FEE_PAID in one commit, and the
// balances are read first, so one of the two reads sees it. A failing
// order's refund passes the wallet gate (fail), which the wallet's guard
// holds exclusively until the deactivation commits.
func (s *Service) DeactivationBlocker(ctx context.Context, tx *sql.Tx, userID int64) (string, error) {
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM physical_orders WHERE user_id = $1 AND status IN `+openStatuses,
		userID).Scan(&open); err != nil {
		return "", fmt.Errorf("physical: deactivation guard: %w", err)
	}
	if open > 0 {
		return fmt.Sprintf("%d physical card order(s) are not final yet (confirm the delivery once the card arrives)", open), nil
	}
	return "", nil
}
