package wallet

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// insertTransfer writes a booked transfer's row and both sides' history
// rows, and returns the transfer id and the sender's history row id. The
// history rows need the transfer id (their reference is "TRF<id>"), which
// costs SQLite a second statement; PostgreSQL takes one, the history insert
// reading the id from the transfer insert's RETURNING (a round trip is
// what a transfer's throughput is made of).
func (s *Service) insertTransfer(ctx context.Context, tx *sql.Tx, in TransferInput, ledgerTxID int64, now time.Time) (int64, int64, error) {
	if s.DB.Engine == store.Postgres {
		return s.insertTransferOnce(ctx, tx, in, ledgerTxID, now)
	}
	var transferID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO transfers (sender_id, recipient_id, currency, amount, description, ledger_tx_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, in.SenderID, in.RecipientID, in.Currency.Name, int64(in.Amount),
		in.Description, ledgerTxID, store.At(now)).Scan(&transferID); err != nil {
		return 0, 0, fmt.Errorf("insert: %w", err)
	}
	ref := "TRF" + strconv.FormatInt(transferID, 10)
	activity := func(user, counterparty int64, amount money.Amount) Activity {
		return Activity{UserID: user, Type: ActivityTransfer, Status: ActivityCompleted, Amount: amount, Currency: in.Currency.Name,
			Description: in.Description, Reference: ref, SourceTable: "transfers", SourceID: transferID, Counterparty: counterparty, Completed: true}
	}
	ids, err := s.RecordActivities(ctx, tx, activity(in.SenderID, in.RecipientID, -in.Amount), activity(in.RecipientID, in.SenderID, in.Amount))
	if err != nil {
		return 0, 0, err
	}
	return transferID, ids[0], nil
}

// insertTransferOnce is insertTransfer in one PostgreSQL statement; its
// history rows are the ones RecordActivities writes for a completed
// transfer.
func (s *Service) insertTransferOnce(ctx context.Context, tx *sql.Tx, in TransferInput, ledgerTxID int64, now time.Time) (int64, int64, error) {
	rows, err := tx.QueryContext(ctx, `WITH t (id) AS (
			INSERT INTO transfers (sender_id, recipient_id, currency, amount, description, ledger_tx_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id),
		sides (user_id, counterparty_user_id, amount) AS (VALUES
			(CAST($1 AS BIGINT), CAST($2 AS BIGINT), -CAST($4 AS BIGINT)), (CAST($2 AS BIGINT), CAST($1 AS BIGINT), CAST($4 AS BIGINT)))
		INSERT INTO unified_transactions (user_id, type, status, amount, currency, fee, description, address, tx_hash, reference,
			source_table, source_id, counterparty_user_id, created_at, completed_at)
		SELECT sides.user_id, $8, $9, sides.amount, $3, 0, $5, '', '', 'TRF' || t.id, 'transfers', t.id, sides.counterparty_user_id, $7, $7
		FROM t, sides
		RETURNING id, user_id, source_id`, in.SenderID, in.RecipientID, in.Currency.Name, int64(in.Amount), in.Description, ledgerTxID,
		store.At(now), ActivityTransfer, ActivityCompleted)
	if err != nil {
		return 0, 0, fmt.Errorf("insert with history: %w", err)
	}
	defer rows.Close()
	var transferID, senderRow int64
	for rows.Next() {
		var id, user, source int64
		if err := rows.Scan(&id, &user, &source); err != nil {
			return 0, 0, fmt.Errorf("insert with history: %w", err)
		}
		transferID = source
		if user == in.SenderID {
			senderRow = id
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("insert with history: %w", err)
	}
	if transferID == 0 || senderRow == 0 {
		return 0, 0, fmt.Errorf("insert with history: rows missing for the transfer of user %d", in.SenderID)
	}
	return transferID, senderRow, nil
}
