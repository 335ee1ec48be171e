package wallet

import (
	"context"
	"database/sql"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
)

// Activity is one row of a user's unified transaction history.
type Activity struct {
	UserID       int64
	Type         string
	Status       string
	Amount       money.Amount // signed, from the user's point of view
	Currency     string
	Fee          money.Amount
	Description  string
	Address      string
	TxHash       string
	Reference    string
	SourceTable  string
	SourceID     int64
	Counterparty int64 // 0 = none
	Completed    bool
}

// RecordActivity appends a history row in tx and returns its id.
func (s *Service) RecordActivity(ctx context.Context, tx *sql.Tx, a Activity) (int64, error) {
	now := s.Now().UnixMicro()
	var completed, counterparty any
	if a.Completed {
		completed = now
	}
	if a.Counterparty != 0 {
		counterparty = a.Counterparty
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO unified_transactions (user_id, type, status, amount, currency, fee, description,
			address, tx_hash, reference, source_table, source_id, counterparty_user_id, created_at, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		a.UserID, a.Type, a.Status, int64(a.Amount), a.Currency, int64(a.Fee), a.Description, a.Address, a.TxHash, a.Reference,
		a.SourceTable, a.SourceID, counterparty, now, completed).Scan(&id)
	return id, err
}

func amountOutOfRange(field string, min, max money.Amount, decimals int) error {
	return apperr.Validation(map[string]string{field: "must be between " + min.Format(decimals) + " and " + max.Format(decimals)})
}

func moneyText(minor int64, decimals int) string { return money.Amount(minor).Format(decimals) }

// SetActivityStatus moves the history row of a business record (source
// table and id, row type) to status; completed stamps completed_at.
func (s *Service) SetActivityStatus(ctx context.Context, tx *sql.Tx, sourceTable string, sourceID int64, typ, status string, completed bool) error {
	var done any
	if completed {
		done = s.Now().UnixMicro()
	}
	_, err := tx.ExecContext(ctx, `UPDATE unified_transactions SET status = $1, completed_at = COALESCE($2, completed_at)
		WHERE source_table = $3 AND source_id = $4 AND type = $5`, status, done, sourceTable, sourceID, typ)
	return err
}
