package cardfee

import (
	"context"
	"database/sql"
	"fmt"
)

// Reconsume marks payment paymentID as used again by taskID, the failed
// application an operator retries, when it is still completed and unused:
// no other application consumed it since the failure released it, and it
// was not refunded. The conditional update keeps "one payment, one
// application" whatever races it.
func (s *Service) Reconsume(ctx context.Context, tx *sql.Tx, paymentID, taskID int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE card_fee_payments SET consumed_by_task_id = $1
		WHERE id = $2 AND status = $3 AND consumed_by_task_id IS NULL`, taskID, paymentID, StatusCompleted)
	if err != nil {
		return false, fmt.Errorf("cardfee: reconsume payment %d for task %d: %w", paymentID, taskID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("cardfee: reconsume payment %d for task %d: %w", paymentID, taskID, err)
	}
	return n == 1, nil
}
