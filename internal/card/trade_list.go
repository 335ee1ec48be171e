package card

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
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
		add("trade_time >= ?", store.At(f.From))
	}
	if !f.To.IsZero() {
		add("trade_time < ?", store.At(f.To))
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
		return nil, 0, fmt.Errorf("card: count trades of card %d: %w", c.ID, err)
	}
	n := len(args)
	args = append(args, f.Limit, (f.Page-1)*f.Limit)
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+tradeColumns+` FROM card_trades WHERE `+where+
		` ORDER BY trade_time DESC, trade_id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("card: trades of card %d: %w", c.ID, err)
	}
	defer rows.Close()
	out := []Trade{}
	for rows.Next() {
		t, err := scanTrade(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("card: trades of card %d: %w", c.ID, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("card: trades of card %d: %w", c.ID, err)
	}
	return out, total, nil
}

// IssuerTrade is what the issuer reports about one trade when asked.
type IssuerTrade struct {
	Found          bool
	Cleared        bool
	ClearAmount    money.Amount
	ReversalAmount money.Amount
}

// TradeSource asks the issuer about a trade (API.md §2.6: a trade requested
// by id and not yet cleared is refreshed from the issuer).
type TradeSource interface {
	TradeState(ctx context.Context, publicToken string, tradeID int64) (IssuerTrade, error)
}

// TradeByID returns one trade of the card. An uncleared purchase is first
// refreshed from the issuer, so a clearing or reversal whose event was lost
// still reaches the card's balance; the refresh goes through the same
// event handling, so a late event moves nothing again.
func (s *Service) TradeByID(ctx context.Context, c Card, id int64) (Trade, error) {
	t, err := s.localTrade(ctx, c, id)
	if err != nil || t.Cleared || t.Type == TradeRefund {
		return t, err
	}
	st, err := s.TradeSource.TradeState(ctx, c.PublicToken, id)
	if err != nil {
		return Trade{}, IssuerFailure(err, ErrIssuerUnavailable.WithDetails("The card issuer could not be asked about this trade"))
	}
	var events []IssuerEvent
	if st.Found && st.ReversalAmount > t.ReversalAmount {
		events = append(events, syntheticEvent(c, id, "card.transaction.reversed", map[string]any{"trade_id": id,
			"reversal_amount": json.Number(st.ReversalAmount.Format(2))}))
	}
	if st.Found && st.Cleared {
		events = append(events, syntheticEvent(c, id, "card.transaction.cleared", map[string]any{"trade_id": id,
			"clear_amount": json.Number(st.ClearAmount.Format(2))}))
	}
	for _, ev := range events {
		if err := s.DB.InTx(ctx, func(tx *sql.Tx) error { _, err := s.applyTradeEvent(ctx, tx, ev); return err }); err != nil {
			return Trade{}, fmt.Errorf("card: refresh trade %d of card %d (%s): %w", id, c.ID, ev.Type, err)
		}
	}
	if len(events) == 0 {
		return t, nil
	}
	return s.localTrade(ctx, c, id)
}

// syntheticEvent is an issuer event rebuilt from a trade query; its id is
// derived from the facts, so asking twice books nothing twice.
func syntheticEvent(c Card, tradeID int64, typ string, data map[string]any) IssuerEvent {
	raw, _ := json.Marshal(data)
	return IssuerEvent{ID: "refresh:" + typ + ":" + strconv.FormatInt(tradeID, 10) + ":" + string(raw), Type: typ,
		PublicToken: c.PublicToken, Data: raw}
}

func (s *Service) localTrade(ctx context.Context, c Card, id int64) (Trade, error) {
	t, err := scanTrade(s.DB.SQL.QueryRowContext(ctx, `SELECT `+tradeColumns+` FROM card_trades
		WHERE trade_id = $1 AND card_id = $2 AND (authorized OR trade_clear = 1)`, id, c.ID))
	if errors.Is(err, store.ErrNotFound) {
		return Trade{}, ErrTradeNotFound.WithDetails("No such trade on this card")
	}
	if err != nil {
		return Trade{}, fmt.Errorf("card: trade %d of card %d: %w", id, c.ID, err)
	}
	return t, nil
}
