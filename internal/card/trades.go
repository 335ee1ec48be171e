package card

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// Issuer trade types (API.md §2.6 Trade object).
const (
	TradeAuthorization = 17
	TradeReversal      = 18
	TradeRefund        = 19
)

// tradeData is the data of the card.transaction.* events; numbers may come
// as JSON numbers or strings.
type tradeData struct {
	TradeID          json.Number `json:"trade_id"`
	OriginalTradeID  json.Number `json:"original_trade_id"`
	Amount           json.Number `json:"amount"`
	MerchantName     string      `json:"merchant_name"`
	MerchantCity     string      `json:"merchant_city"`
	MerchantCountry  string      `json:"merchant_country"`
	MerchantCurrency string      `json:"merchant_currency"`
	MerchantAmount   json.Number `json:"merchant_amount"`
	TradeFee         json.Number `json:"trade_fee"`
	Fee              json.Number `json:"fee"`
	DeclineReason    string      `json:"decline_reason"`
	ClearAmount      json.Number `json:"clear_amount"`
	ReversalAmount   json.Number `json:"reversal_amount"`
	BalanceAfter     json.Number `json:"balance_after"`
}

// Trade is the local mirror of one issuer trade. Held and Captured are what
// the ledger holds and has captured for it.
type Trade struct {
	TradeID          int64
	CardID           int64
	Type             int
	OriginalTradeID  int64
	Authorized       bool
	Amount           money.Amount
	TradeFee         money.Amount
	MerchantName     string
	MerchantCity     string
	MerchantCountry  string
	MerchantCurrency string
	MerchantAmount   money.Amount
	Cleared          bool
	ClearAmount      money.Amount
	ReversalAmount   money.Amount
	Exception        string
	Held, Captured   money.Amount
	TradeTime        time.Time
	ClearTime        time.Time
	ReversalTime     time.Time
}

// parseHKD parses an HKD amount of an event (2 decimals); zero allowed when
// zeroOK.
func parseHKD(s string, zeroOK bool) (money.Amount, error) {
	if zeroOK && (s == "" || s == "0") {
		return 0, nil
	}
	return money.ParsePositive(s, 2)
}

// applyTradeEvent folds one card.transaction.* event into the trade and
// moves the card's money by the difference between what the ledger holds
// and captures for the trade and what the trade's state now implies. So a
// duplicate changes nothing, and events arriving out of order (a clearing
// before its authorization) end in the same balances.
func (s *Service) applyTradeEvent(ctx context.Context, tx *sql.Tx, ev IssuerEvent) (string, error) {
	var d tradeData
	if err := decodeData(ev.Data, &d); err != nil {
		return webhook.StateIgnored, nil
	}
	tradeID, err := strconv.ParseInt(d.TradeID.String(), 10, 64)
	if err != nil || tradeID <= 0 {
		return webhook.StateIgnored, nil
	}
	c, err := s.cardByToken(ctx, tx, ev.PublicToken)
	if errors.Is(err, store.ErrNotFound) {
		return webhook.StateUnmatched, nil
	}
	if err != nil {
		return "", err
	}
	if ev.Type == "card.transaction.declined" {
		return s.applyDecline(ctx, tx, c, ev, tradeID, d)
	}
	t, err := s.trade(ctx, tx, c, tradeID)
	if err != nil {
		return "", err
	}
	at := ev.OccurredAt.UTC()
	if at.IsZero() {
		at = s.Now()
	}
	wasAuthorized, wasRefund := t.Authorized, t.Type == TradeRefund
	amount := func(n json.Number) money.Amount { a, _ := parseHKD(n.String(), true); return a }
	switch ev.Type {
	case "card.transaction.authorized":
		t.Authorized, t.Amount, t.TradeFee = true, amount(d.Amount), amount(d.TradeFee)
		t.MerchantName, t.MerchantCity, t.MerchantCountry = d.MerchantName, d.MerchantCity, d.MerchantCountry
		t.MerchantCurrency, t.MerchantAmount, t.TradeTime = d.MerchantCurrency, amount(d.MerchantAmount), at
	case "card.transaction.cleared":
		t.Cleared, t.ClearAmount, t.ClearTime = true, amount(d.ClearAmount), at
	case "card.transaction.reversed":
		if r := amount(d.ReversalAmount); r > t.ReversalAmount {
			t.ReversalAmount, t.ReversalTime = r, at
		}
	case "card.transaction.refunded":
		t.Type, t.Authorized, t.Amount, t.TradeTime = TradeRefund, true, amount(d.Amount), at
		t.OriginalTradeID, _ = strconv.ParseInt(d.OriginalTradeID.String(), 10, 64)
		if t.MerchantName == "" && t.OriginalTradeID > 0 {
			// A refund names the purchase's merchant.
			err := tx.QueryRowContext(ctx, `SELECT merchant_name, merchant_city, merchant_country FROM card_trades WHERE trade_id = $1 AND card_id = $2`,
				t.OriginalTradeID, c.ID).Scan(&t.MerchantName, &t.MerchantCity, &t.MerchantCountry)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return "", fmt.Errorf("merchant of trade %d: %w", t.OriginalTradeID, err)
			}
		}
	}
	if t.TradeTime.IsZero() {
		t.TradeTime = at
	}
	if err := s.settleTrade(ctx, tx, c, &t, ev.ID); err != nil {
		return "", err
	}
	if err := s.saveTrade(ctx, tx, t); err != nil {
		return "", err
	}
	if err := s.tradeHistory(ctx, tx, c, t); err != nil {
		return "", err
	}
	if err := s.sweepCancelled(ctx, tx, c); err != nil {
		return "", err
	}
	switch {
	case ev.Type == "card.transaction.authorized" && !wasAuthorized:
		err = s.notifyTransaction(ctx, tx, c, t.Amount, t.MerchantName, "authorized")
	case ev.Type == "card.transaction.refunded" && !wasRefund:
		err = s.notifyTransaction(ctx, tx, c, t.Amount, t.MerchantName, "refunded")
	}
	if err != nil {
		return "", err
	}
	return webhook.StateProcessed, s.setIssuerBalance(ctx, tx, c, d.BalanceAfter)
}

// settleTrade posts the difference between the trade's target hold and
// capture and what is booked. A card that cannot cover it (our mirror
// disagrees with the issuer) is flagged for reconciliation, not forced
// negative.
func (s *Service) settleTrade(ctx context.Context, tx *sql.Tx, c Card, t *Trade, eventID string) error {
	var hold, captured money.Amount
	switch {
	case t.Type == TradeRefund:
		captured = -t.Amount // money back onto the card
	case t.Cleared:
		captured = t.ClearAmount
	case t.Authorized:
		hold = max(t.Amount-t.ReversalAmount, 0)
	}
	dHold, dCaptured := hold-t.Held, captured-t.Captured
	if dHold == 0 && dCaptured == 0 {
		return nil
	}
	if debit := dHold + dCaptured; debit > 0 {
		bal, err := s.Balance(ctx, tx, c)
		if err != nil {
			return fmt.Errorf("balance of card %d: %w", c.ID, err)
		}
		if bal < debit {
			t.Exception = "balance_mismatch"
			return nil
		}
	}
	entries := ledger.NonZero(
		ledger.Entry{Account: BalanceAccount(c), Amount: -(dHold + dCaptured)},
		ledger.Entry{Account: HoldAccount(c), Amount: dHold},
		ledger.Entry{Account: ledger.HouseAccount(ledger.CardFloat, Currency), Amount: dCaptured},
	)
	if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: "card-trade:" + strconv.FormatInt(t.TradeID, 10) + ":" + eventID,
		Kind: "card_trade", Entries: entries}); err != nil {
		return fmt.Errorf("post trade %d: %w", t.TradeID, err)
	}
	t.Held, t.Captured, t.Exception = hold, captured, ""
	return nil
}

// tradeHistory writes the history rows a trade implies.
func (s *Service) tradeHistory(ctx context.Context, tx *sql.Tx, c Card, t Trade) error {
	source := "trade:" + strconv.FormatInt(t.TradeID, 10)
	if t.Type == TradeRefund {
		return s.RecordHistory(ctx, tx, HistoryEntry{Card: c, Source: source, TradeID: t.TradeID, TradeType: HistoryRefund, Direction: Credit,
			Amount: t.Amount, MerchantName: t.MerchantName, Description: "Refund", Status: HistorySuccess, TradeTime: t.TradeTime})
	}
	if !t.Authorized && !t.Cleared {
		return nil
	}
	status, amount := HistoryPending, t.Amount
	switch {
	case t.Cleared:
		status, amount = HistorySuccess, t.ClearAmount
	case t.ReversalAmount > 0 && t.ReversalAmount >= t.Amount:
		status = HistoryReversed
	}
	desc := "Purchase"
	if t.MerchantName != "" {
		desc += " at " + t.MerchantName
	}
	if err := s.RecordHistory(ctx, tx, HistoryEntry{Card: c, Source: source, TradeID: t.TradeID, TradeType: HistoryPurchase, Direction: Debit,
		Amount: amount, Fee: t.TradeFee, MerchantName: t.MerchantName, Description: desc, Status: status, TradeTime: t.TradeTime}); err != nil {
		return err
	}
	// A reversal after clearing moves no money (the issuer refunds a
	// cleared purchase instead), so it gets no credit row either.
	if t.ReversalAmount == 0 || t.Cleared {
		return nil
	}
	return s.RecordHistory(ctx, tx, HistoryEntry{Card: c, Source: source + ":reversal", TradeID: t.TradeID, TradeType: HistoryReversal,
		Direction: Credit, Amount: t.ReversalAmount, MerchantName: t.MerchantName, Description: "Authorization reversal",
		Status: HistorySuccess, TradeTime: t.ReversalTime})
}

// applyDecline records a declined authorization and the issuer's fee for it.
func (s *Service) applyDecline(ctx context.Context, tx *sql.Tx, c Card, ev IssuerEvent, tradeID int64, d tradeData) (string, error) {
	amount, _ := parseHKD(d.Amount.String(), true)
	fee, _ := parseHKD(d.Fee.String(), true)
	at := ev.OccurredAt.UTC()
	if at.IsZero() {
		at = s.Now()
	}
	source := "trade:" + strconv.FormatInt(tradeID, 10)
	desc := "Declined"
	if d.DeclineReason != "" {
		desc += ": " + text.Truncate(d.DeclineReason, 100)
	}
	if err := s.RecordHistory(ctx, tx, HistoryEntry{Card: c, Source: source, TradeID: tradeID, TradeType: HistoryPurchase, Direction: Debit,
		Amount: amount, MerchantName: d.MerchantName, Description: desc, Status: HistoryDeclined, TradeTime: at}); err != nil {
		return "", err
	}
	if err := s.notifyTransaction(ctx, tx, c, amount, d.MerchantName, "declined"); err != nil {
		return "", err
	}
	if fee > 0 {
		bal, err := s.Balance(ctx, tx, c)
		if err != nil {
			return "", fmt.Errorf("balance of card %d: %w", c.ID, err)
		}
		if bal >= fee {
			_, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: source + ":decline-fee", Kind: "card_fee", Entries: []ledger.Entry{
				{Account: BalanceAccount(c), Amount: -fee},
				{Account: ledger.HouseAccount(ledger.CardFloat, Currency), Amount: fee},
			}})
			if err != nil && !errors.Is(err, ledger.ErrDuplicate) {
				return "", fmt.Errorf("post decline fee of trade %d: %w", tradeID, err)
			}
			if err := s.RecordHistory(ctx, tx, HistoryEntry{Card: c, Source: source + ":fee", TradeID: tradeID, TradeType: HistoryFee,
				Direction: Debit, Amount: fee, Description: "Failed transaction fee", Status: HistorySuccess, TradeTime: at}); err != nil {
				return "", err
			}
		}
	}
	return webhook.StateProcessed, s.setIssuerBalance(ctx, tx, c, d.BalanceAfter)
}

const tradeColumns = `trade_id, card_id, trade_type, original_trade_id, authorized, amount, trade_fee, merchant_name, merchant_city,
	merchant_country, merchant_currency, merchant_amount, trade_clear, clear_amount, reversal_amount, trade_exception, held, captured,
	trade_time, clear_time, reversal_time`

func scanTrade(row interface{ Scan(...any) error }) (Trade, error) {
	var (
		t       Trade
		cleared int
	)
	if err := row.Scan(&t.TradeID, &t.CardID, &t.Type, &t.OriginalTradeID, &t.Authorized, &t.Amount, &t.TradeFee, &t.MerchantName,
		&t.MerchantCity, &t.MerchantCountry, &t.MerchantCurrency, &t.MerchantAmount, &cleared, &t.ClearAmount, &t.ReversalAmount,
		&t.Exception, &t.Held, &t.Captured, store.TimeInto(&t.TradeTime), store.TimeInto(&t.ClearTime), store.TimeInto(&t.ReversalTime)); err != nil {
		return Trade{}, store.NotFound(err)
	}
	t.Cleared = cleared == 1
	return t, nil
}

// trade returns the trade locked in tx, creating an empty one for a trade
// seen for the first time.
func (s *Service) trade(ctx context.Context, tx *sql.Tx, c Card, id int64) (Trade, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO card_trades (trade_id, card_id, trade_type, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) ON CONFLICT (trade_id) DO NOTHING`, id, c.ID, TradeAuthorization, store.At(s.Now())); err != nil {
		return Trade{}, fmt.Errorf("create trade %d: %w", id, err)
	}
	t, err := scanTrade(tx.QueryRowContext(ctx, `SELECT `+tradeColumns+` FROM card_trades WHERE trade_id = $1`+s.DB.ForUpdate(), id))
	if err != nil {
		return Trade{}, fmt.Errorf("lock trade %d: %w", id, err)
	}
	if t.CardID != c.ID {
		return Trade{}, fmt.Errorf("trade %d belongs to card %d, not %d", id, t.CardID, c.ID)
	}
	return t, nil
}

// ClearFlag is the issuer's trade_clear: 1 once cleared.
func (t Trade) ClearFlag() int {
	if t.Cleared {
		return 1
	}
	return 0
}

// ReversalFlag is the issuer's trade_reversal: 0 none, 1 partial, 2 full.
func (t Trade) ReversalFlag() int {
	switch {
	case t.ReversalAmount > 0 && t.ReversalAmount >= t.Amount:
		return 2
	case t.ReversalAmount > 0:
		return 1
	}
	return 0
}

func (s *Service) saveTrade(ctx context.Context, tx *sql.Tx, t Trade) error {
	cleared, reversal := t.ClearFlag(), t.ReversalFlag()
	typ := t.Type
	if reversal > 0 && typ == TradeAuthorization {
		typ = TradeReversal
	}
	_, err := tx.ExecContext(ctx, `UPDATE card_trades SET trade_type = $1, original_trade_id = $2, authorized = $3, amount = $4,
		trade_fee = $5, merchant_name = $6, merchant_city = $7, merchant_country = $8, merchant_currency = $9, merchant_amount = $10,
		trade_clear = $11, clear_amount = $12, reversal_amount = $13, trade_exception = $14, held = $15, captured = $16,
		trade_time = $17, clear_time = $18, reversal_time = $19, updated_at = $20 WHERE trade_id = $21`,
		typ, t.OriginalTradeID, t.Authorized, int64(t.Amount), int64(t.TradeFee), t.MerchantName, t.MerchantCity, t.MerchantCountry,
		t.MerchantCurrency, int64(t.MerchantAmount), cleared, int64(t.ClearAmount), int64(t.ReversalAmount), t.Exception,
		int64(t.Held), int64(t.Captured), store.At(t.TradeTime), store.At(t.ClearTime), store.At(t.ReversalTime), store.At(s.Now()), t.TradeID)
	if err != nil {
		return fmt.Errorf("save trade %d: %w", t.TradeID, err)
	}
	return nil
}
