package wallet

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// HistoryFilter selects unified transactions.
type HistoryFilter struct {
	UserID   int64
	Type     ActivityType   // "" = any
	Status   ActivityStatus // "" = any
	From, To time.Time      // To is exclusive; zero = unbounded
	Page     int
	PageSize int
}

// HistoryItem is one unified transaction with its currency scale.
type HistoryItem struct {
	ID           int64
	Type         ActivityType
	Status       ActivityStatus
	Amount       money.Amount
	Currency     string
	Decimals     int
	Fee          money.Amount
	Description  string
	Address      string
	TxHash       string
	Reference    string
	SourceTable  string
	SourceID     int64
	Counterparty *int64
	CreatedAt    time.Time
	CompletedAt  *time.Time
}

// History lists a user's unified transactions, newest first.
func (s *Service) History(ctx context.Context, f HistoryFilter) ([]HistoryItem, int, error) {
	conds, args := []string{"user_id = $1"}, []any{f.UserID}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Type != "" {
		add("type = ?", f.Type)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if !f.From.IsZero() {
		add("created_at >= ?", store.At(f.From))
	}
	if !f.To.IsZero() {
		add("created_at < ?", store.At(f.To))
	}
	where := strings.Join(conds, " AND ")
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM unified_transactions WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("wallet: count history of user %d: %w", f.UserID, err)
	}
	args = append(args, f.PageSize, (f.Page-1)*f.PageSize)
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT id, type, status, amount, currency, fee, description, address, tx_hash, reference,
			source_table, source_id, counterparty_user_id, created_at, completed_at
		FROM unified_transactions WHERE `+where+` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("wallet: history of user %d: %w", f.UserID, err)
	}
	defer rows.Close()
	var out []HistoryItem
	for rows.Next() {
		var (
			it           HistoryItem
			counterparty sql.NullInt64
			completed    time.Time
		)
		if err := rows.Scan(&it.ID, &it.Type, &it.Status, &it.Amount, &it.Currency, &it.Fee, &it.Description, &it.Address,
			&it.TxHash, &it.Reference, &it.SourceTable, &it.SourceID, &counterparty, store.TimeInto(&it.CreatedAt),
			store.TimeInto(&completed)); err != nil {
			return nil, 0, fmt.Errorf("wallet: history of user %d: %w", f.UserID, err)
		}
		it.Decimals = 6
		if c, ok := s.Currencies.Get(it.Currency); ok {
			it.Decimals = c.Decimals
		}
		if counterparty.Valid {
			it.Counterparty = &counterparty.Int64
		}
		if !completed.IsZero() {
			it.CompletedAt = &completed
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("wallet: history of user %d: %w", f.UserID, err)
	}
	return out, total, nil
}
