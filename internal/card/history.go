package card

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// HistoryType is the trade_type of a history row (API.md §2.6): "consume"
// or one of the issuer's numeric codes, always a string.
type HistoryType string

// History row types.
const (
	HistoryPurchase   HistoryType = "consume" // debit
	HistoryWithdrawal HistoryType = "2"       // to the wallet, debit
	HistoryTopUp      HistoryType = "6"       // from the wallet, credit
	HistoryRefund     HistoryType = "7"       // credit
	HistoryFee        HistoryType = "10"      // debit
	HistoryReversal   HistoryType = "11"      // authorisation reversal, credit
)

// HistoryDirection says whether a history row took money off the card or
// put it on.
type HistoryDirection string

// History row directions.
const (
	Debit  HistoryDirection = "debit"
	Credit HistoryDirection = "credit"
)

// HistoryStatus is the state of a history row.
type HistoryStatus string

// History row statuses.
const (
	HistoryPending  HistoryStatus = "pending"
	HistorySuccess  HistoryStatus = "success"
	HistoryReversed HistoryStatus = "reversed"
	HistoryDeclined HistoryStatus = "declined"
)

// HistoryEntry is one row of a card's transaction history (API.md §2.6
// GET /card/transaction-history). Source names the business event ("swap:12",
// "trade:7182…:consume") so a repeated event updates its row instead of
// adding one.
type HistoryEntry struct {
	Card         Card
	Source       string
	TradeID      int64
	TradeType    HistoryType
	Direction    HistoryDirection
	Amount       money.Amount
	Fee          money.Amount
	MerchantName string
	Description  string
	Status       HistoryStatus
	TradeTime    time.Time
}

// RecordHistory writes or updates a history row in tx, with the card's
// balance as of tx.
func (s *Service) RecordHistory(ctx context.Context, tx *sql.Tx, h HistoryEntry) error {
	bal, err := s.Balance(ctx, tx, h.Card)
	if err != nil {
		return fmt.Errorf("card: history %s of card %d: %w", h.Source, h.Card.ID, err)
	}
	now := store.At(s.Now())
	_, err = tx.ExecContext(ctx, `INSERT INTO card_transactions (card_id, source, trade_id, trade_type, direction, amount, fee,
			balance_after, merchant_name, description, status, trade_time, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
		ON CONFLICT (card_id, source) DO UPDATE SET status = excluded.status, amount = excluded.amount, fee = excluded.fee,
			updated_at = excluded.updated_at`,
		h.Card.ID, h.Source, h.TradeID, h.TradeType, h.Direction, int64(h.Amount), int64(h.Fee), int64(bal), h.MerchantName,
		h.Description, h.Status, store.At(h.TradeTime), now)
	if err != nil {
		return fmt.Errorf("card: history %s of card %d: %w", h.Source, h.Card.ID, err)
	}
	return nil
}

// HistoryRow is a stored history entry.
type HistoryRow struct {
	ID           int64
	TradeID      int64
	TradeType    HistoryType
	Direction    HistoryDirection
	Amount       money.Amount
	Fee          money.Amount
	BalanceAfter money.Amount
	MerchantName string
	Description  string
	Status       HistoryStatus
	TradeTime    time.Time
	CreatedAt    time.Time
}

// HistoryFilter selects history rows of one card.
type HistoryFilter struct {
	From, To    time.Time // To exclusive; zero = unbounded
	Page, Limit int
}

// History returns a page of a card's history, newest first, and the total.
func (s *Service) History(ctx context.Context, c Card, f HistoryFilter) ([]HistoryRow, int, error) {
	where, args := `card_id = $1`, []any{c.ID}
	if !f.From.IsZero() {
		args = append(args, store.At(f.From))
		where += ` AND trade_time >= $2`
	}
	if !f.To.IsZero() {
		args = append(args, store.At(f.To))
		where += ` AND trade_time < $` + strconv.Itoa(len(args))
	}
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM card_transactions WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("card: count history of card %d: %w", c.ID, err)
	}
	n := len(args)
	args = append(args, f.Limit, (f.Page-1)*f.Limit)
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT id, trade_id, trade_type, direction, amount, fee, balance_after, merchant_name,
		description, status, trade_time, created_at FROM card_transactions WHERE `+where+` ORDER BY trade_time DESC, id DESC
		LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("card: history of card %d: %w", c.ID, err)
	}
	defer rows.Close()
	out := []HistoryRow{}
	for rows.Next() {
		var h HistoryRow
		if err := rows.Scan(&h.ID, &h.TradeID, &h.TradeType, &h.Direction, &h.Amount, &h.Fee, &h.BalanceAfter, &h.MerchantName,
			&h.Description, &h.Status, store.TimeInto(&h.TradeTime), store.TimeInto(&h.CreatedAt)); err != nil {
			return nil, 0, fmt.Errorf("card: history of card %d: %w", c.ID, store.NotFound(err))
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("card: history of card %d: %w", c.ID, err)
	}
	return out, total, nil
}

// FailedThisMonth counts a card's declined transactions in the current
// calendar month (UTC), which the issuer's failed-transaction fee counts.
func (s *Service) FailedThisMonth(ctx context.Context, c Card) (int, error) {
	now := s.Now().UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var n int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM card_transactions WHERE card_id = $1 AND status = $2
		AND trade_time >= $3`, c.ID, HistoryDeclined, store.At(start)).Scan(&n); err != nil {
		return 0, fmt.Errorf("card: declines this month of card %d: %w", c.ID, err)
	}
	return n, nil
}
