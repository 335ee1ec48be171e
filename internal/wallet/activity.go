package wallet

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// ActivityType is the kind of a unified transaction (API.md §3.4.9); the
// domains that move a user's money name theirs with it.
type ActivityType string

// Activity types.
const (
	ActivityDeposit         ActivityType = "deposit"
	ActivityWithdraw        ActivityType = "withdraw"
	ActivitySwap            ActivityType = "swap"
	ActivityCardFee         ActivityType = "card_fee"
	ActivityCardUpgrade     ActivityType = "card_upgrade"
	ActivityTransfer        ActivityType = "transfer"
	ActivityCommission      ActivityType = "commission"
	ActivityRefund          ActivityType = "refund"
	ActivityFee             ActivityType = "fee"
	ActivityAdminAdjustment ActivityType = "admin_adjustment"
)

// ActivityStatus is the status of a unified transaction: its source
// record's, in the vocabulary of API.md §3.4.9.
type ActivityStatus string

// Activity statuses.
const (
	ActivityPending   ActivityStatus = "pending"
	ActivityApproved  ActivityStatus = "approved"
	ActivityCompleted ActivityStatus = "completed"
	ActivityRejected  ActivityStatus = "rejected"
	ActivityFailed    ActivityStatus = "failed"
	ActivityCredited  ActivityStatus = "credited"
	ActivityCancelled ActivityStatus = "cancelled"
)

// Activity is one row of a user's unified transaction history.
type Activity struct {
	UserID       int64
	Type         ActivityType
	Status       ActivityStatus
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
	now := s.Now()
	var completed time.Time // NULL unless completed
	if a.Completed {
		completed = now
	}
	var counterparty any
	if a.Counterparty != 0 {
		counterparty = a.Counterparty
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO unified_transactions (user_id, type, status, amount, currency, fee, description,
			address, tx_hash, reference, source_table, source_id, counterparty_user_id, created_at, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		a.UserID, a.Type, a.Status, int64(a.Amount), a.Currency, int64(a.Fee), a.Description, a.Address, a.TxHash, a.Reference,
		a.SourceTable, a.SourceID, counterparty, store.At(now), store.NullAt(completed)).Scan(&id); err != nil {
		return 0, fmt.Errorf("wallet: record %s activity %s: %w", a.Type, a.Reference, err)
	}
	return id, nil
}

// RecordActivities appends several history rows in one statement and
// returns their ids in the order of acts. Rows are told apart by user, so
// each activity must belong to another user (the two sides of a transfer).
func (s *Service) RecordActivities(ctx context.Context, tx *sql.Tx, acts ...Activity) ([]int64, error) {
	now := s.Now()
	var values strings.Builder
	args := make([]any, 0, 15*len(acts))
	for i, a := range acts {
		for _, b := range acts[:i] {
			if b.UserID == a.UserID {
				return nil, fmt.Errorf("wallet: record activities: user %d appears twice", a.UserID)
			}
		}
		var completed time.Time // NULL unless completed
		if a.Completed {
			completed = now
		}
		var counterparty any
		if a.Counterparty != 0 {
			counterparty = a.Counterparty
		}
		if i > 0 {
			values.WriteString(", ")
		}
		values.WriteString("(")
		for j := range 15 {
			if j > 0 {
				values.WriteString(", ")
			}
			values.WriteString("$" + strconv.Itoa(15*i+j+1))
		}
		values.WriteString(")")
		args = append(args, a.UserID, a.Type, a.Status, int64(a.Amount), a.Currency, int64(a.Fee), a.Description, a.Address, a.TxHash,
			a.Reference, a.SourceTable, a.SourceID, counterparty, store.At(now), store.NullAt(completed))
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO unified_transactions (user_id, type, status, amount, currency, fee, description,
			address, tx_hash, reference, source_table, source_id, counterparty_user_id, created_at, completed_at)
		VALUES `+values.String()+` RETURNING id, user_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("wallet: record activities: %w", err)
	}
	defer rows.Close()
	byUser := make(map[int64]int64, len(acts))
	for rows.Next() {
		var id, user int64
		if err := rows.Scan(&id, &user); err != nil {
			return nil, fmt.Errorf("wallet: record activities: %w", err)
		}
		byUser[user] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("wallet: record activities: %w", err)
	}
	ids := make([]int64, len(acts))
	for i, a := range acts {
		if ids[i] = byUser[a.UserID]; ids[i] == 0 {
			return nil, fmt.Errorf("wallet: record activities: no row returned for user %d", a.UserID)
		}
	}
	return ids, nil
}

func amountOutOfRange(field string, min, max money.Amount, decimals int) error {
	return apperr.Validation(map[string]string{field: "must be between " + min.Format(decimals) + " and " + max.Format(decimals)})
}

func moneyText(minor int64, decimals int) string { return money.Amount(minor).Format(decimals) }

// SetActivityStatus moves the history row of a business record (source
// table and id, row type) to status; completed stamps completed_at.
func (s *Service) SetActivityStatus(ctx context.Context, tx *sql.Tx, sourceTable string, sourceID int64, typ ActivityType,
	status ActivityStatus, completed bool) error {
	var done time.Time // NULL keeps completed_at
	if completed {
		done = s.Now()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE unified_transactions SET status = $1, completed_at = COALESCE($2, completed_at)
		WHERE source_table = $3 AND source_id = $4 AND type = $5`, status, store.NullAt(done), sourceTable, sourceID, typ); err != nil {
		return fmt.Errorf("wallet: set %s activity of %s %d to %s: %w", typ, sourceTable, sourceID, status, err)
	}
	return nil
}
