package card

import (
	"context"
	"database/sql"
	"fmt"
)

// DeactivationBlocker keeps the account open while a card application is
// not final (API.md §2.2): its issuance would open a card at the issuer for
// a closed account, and a physical application's order starts only when
// the card is issued. It implements account.DeactivationGuard and runs
// before the physical orders' guard, so an issuance committing between the
// two reads (task completed and order created together) is seen by one.
// A new application cannot slip in after this read: Apply takes the users
// row lock the deactivation holds, and then refuses a closed account.
//
// A completed fee payment no application has used does not block: it moves
// no money later, and an account whose KYC was refused could never use it.
func (s *Service) DeactivationBlocker(ctx context.Context, tx *sql.Tx, userID int64) (string, error) {
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM card_tasks WHERE user_id = $1 AND status IN ($2, $3)`,
		userID, TaskPending, TaskProcessing).Scan(&open); err != nil {
		return "", fmt.Errorf("card: deactivation guard: %w", err)
	}
	if open > 0 {
		return fmt.Sprintf("%d card application(s) are still being issued", open), nil
	}
	return "", nil
}
