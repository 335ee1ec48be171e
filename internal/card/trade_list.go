package card

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/store"
)

// ErrTradeNotFound is a trade id unknown for the card.
var ErrTradeNotFound = apperr.New("TRADE_NOT_FOUND")

// TradeFilter selects trades of one card (GET /card/trades).
type TradeFilter struct {
	From, To    time.Time // To exclusive; zero = unbounded
	Type        int       // 0 = any
	Clear       int       // -1 = any, else 0 or 1
	Page, Limit int
}

// Trades returns a page of a card's trades, newest first, and the total.
func (s *Service) Trades(ctx context.Context, c Card, f TradeFilter) ([]Trade, int, error) {
	conds, args := []string{"card_id = $1", "(authorized OR trade_clear = 1)"}, []any{c.ID}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if !f.From.IsZero() {
		add("trade_time >= ?", f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		add("trade_time < ?", f.To.UnixMicro())
	}
	if f.Type != 0 {
		add("trade_type = ?", f.Type)
	}
	if f.Clear >= 0 {
		add("trade_clear = ?", f.Clear)
	}
	where := strings.Join(conds, " AND ")
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM card_trades WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(args)
	args = append(args, f.Limit, (f.Page-1)*f.Limit)
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+tradeColumns+` FROM card_trades WHERE `+where+
		` ORDER BY trade_time DESC, trade_id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Trade{}
	for rows.Next() {
		t, err := scanTrade(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, total, rows.Err()
}

// TradeByID returns one trade of the card.
func (s *Service) TradeByID(ctx context.Context, c Card, id int64) (Trade, error) {
	t, err := scanTrade(s.DB.SQL.QueryRowContext(ctx, `SELECT `+tradeColumns+` FROM card_trades
		WHERE trade_id = $1 AND card_id = $2 AND (authorized OR trade_clear = 1)`, id, c.ID))
	if errors.Is(err, store.ErrNotFound) {
		return Trade{}, ErrTradeNotFound.WithDetails("No such trade on this card")
	}
	return t, err
}
