package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Simulated transaction types (API.md §4 POST /sandbox/cards/{token}/transactions).
const (
	TxAuthorization = "authorization"
	TxClearing      = "clearing"
	TxReversal      = "reversal"
	TxRefund        = "refund"
	TxDecline       = "decline"
)

// Errors of the simulator's helper.
var (
	ErrUnknownCard  = errors.New("sandbox issuer: no such card")
	ErrUnknownTrade = errors.New("sandbox issuer: no such trade in a state that allows this")
)

// Transaction is a simulated card transaction. Amount is HKD cents; 0 means
// "the authorised amount" for clearing, reversal and refund.
type Transaction struct {
	Type             string
	Amount           money.Amount
	TradeID          int64
	MerchantName     string
	MerchantCity     string
	MerchantCountry  string
	MerchantCurrency string
	MerchantAmount   money.Amount
	DeclineReason    string
}

// TransactionResult is what the helper reports.
type TransactionResult struct {
	EventID     string
	TradeID     int64
	CardBalance money.Amount
}

// Simulate runs a card transaction at the simulated issuer and delivers the
// resulting card event through Deliver (the signed webhook path). An
// authorisation the card cannot cover, or on a card that is not active,
// becomes a decline.
func (i *Issuer) Simulate(ctx context.Context, publicToken string, tx Transaction) (TransactionResult, error) {
	var (
		eventType string
		data      map[string]any
		res       TransactionResult
	)
	err := i.db.InTx(ctx, func(q *sql.Tx) error {
		var status string
		var balance int64
		if err := q.QueryRowContext(ctx, `SELECT status, balance FROM sim_issuer_cards WHERE public_token = $1`+i.db.ForUpdate(), publicToken).
			Scan(&status, &balance); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrUnknownCard
			}
			return fmt.Errorf("lock card: %w", err)
		}
		move := func(delta money.Amount) error {
			balance += int64(delta)
			if _, err := q.ExecContext(ctx, `UPDATE sim_issuer_cards SET balance = $1 WHERE public_token = $2`, balance, publicToken); err != nil {
				return fmt.Errorf("move balance: %w", err)
			}
			return nil
		}
		merchant := map[string]any{"merchant_name": or(tx.MerchantName, "SANDBOX MERCHANT"), "merchant_city": or(tx.MerchantCity, "HONG KONG"),
			"merchant_country": or(tx.MerchantCountry, "HK"), "merchant_currency": or(tx.MerchantCurrency, "HKD")}
		switch tx.Type {
		case TxAuthorization, TxDecline:
			res.TradeID = newTradeID()
			reason := tx.DeclineReason
			switch {
			case tx.Type == TxDecline && reason == "":
				reason = "do_not_honor"
			case status != "active":
				reason = "card_" + status
			case int64(tx.Amount) > balance:
				reason = "insufficient_funds"
			}
			data = merchant
			data["trade_id"], data["amount"], data["trade_fee"] = res.TradeID, hkd(tx.Amount), hkd(0)
			data["merchant_amount"] = hkd(or(tx.MerchantAmount, tx.Amount))
			if reason != "" {
				eventType = "card.transaction.declined"
				data["decline_reason"], data["fee"] = reason, hkd(0)
				break
			}
			eventType = "card.transaction.authorized"
			if err := move(-tx.Amount); err != nil {
				return err
			}
			_, err := q.ExecContext(ctx, `INSERT INTO sim_issuer_trades (trade_id, public_token, amount, state, created_at)
				VALUES ($1, $2, $3, 'authorized', $4)`, res.TradeID, publicToken, int64(tx.Amount), store.At(i.now()))
			if err != nil {
				return fmt.Errorf("record trade %d: %w", res.TradeID, err)
			}
		case TxClearing, TxReversal, TxRefund:
			want := map[string]string{TxClearing: "authorized", TxReversal: "authorized", TxRefund: "cleared"}[tx.Type]
			var authorised int64
			if err := q.QueryRowContext(ctx, `SELECT amount FROM sim_issuer_trades WHERE trade_id = $1 AND public_token = $2 AND state = $3`,
				tx.TradeID, publicToken, want).Scan(&authorised); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return ErrUnknownTrade
				}
				return fmt.Errorf("read trade %d: %w", tx.TradeID, err)
			}
			amount := or(tx.Amount, money.Amount(authorised))
			res.TradeID = tx.TradeID
			next := map[string]string{TxClearing: "cleared", TxReversal: "reversed", TxRefund: "refunded"}[tx.Type]
			switch tx.Type {
			case TxClearing:
				// A clearing for less than the authorisation gives the rest back.
				if err := move(money.Amount(authorised) - amount); err != nil {
					return err
				}
				eventType, data = "card.transaction.cleared", map[string]any{"trade_id": tx.TradeID, "clear_amount": hkd(amount),
					"clear_time": i.now().UTC().Format(time.DateTime)}
			case TxReversal:
				if err := move(amount); err != nil {
					return err
				}
				eventType, data = "card.transaction.reversed", map[string]any{"trade_id": tx.TradeID, "reversal_amount": hkd(amount)}
			case TxRefund:
				// A refund to a closed card goes to the programme's float.
				if status != "closed" {
					if err := move(amount); err != nil {
						return err
					}
				}
				res.TradeID = newTradeID()
				eventType, data = "card.transaction.refunded", map[string]any{"trade_id": res.TradeID, "original_trade_id": tx.TradeID,
					"amount": hkd(amount)}
				if _, err := q.ExecContext(ctx, `INSERT INTO sim_issuer_trades (trade_id, public_token, amount, state, created_at)
					VALUES ($1, $2, $3, 'refund', $4)`, res.TradeID, publicToken, int64(amount), store.At(i.now())); err != nil {
					return fmt.Errorf("record refund trade %d: %w", res.TradeID, err)
				}
			}
			var cleared, reversed money.Amount
			switch tx.Type {
			case TxClearing:
				cleared = amount
			case TxReversal:
				reversed = amount
			}
			if _, err := q.ExecContext(ctx, `UPDATE sim_issuer_trades SET state = $1, clear_amount = clear_amount + $2,
				reversal_amount = reversal_amount + $3 WHERE trade_id = $4`, next, int64(cleared), int64(reversed), tx.TradeID); err != nil {
				return fmt.Errorf("update trade %d: %w", tx.TradeID, err)
			}
		default:
			return errors.New("sandbox issuer: unknown transaction type")
		}
		if balance < 0 {
			return ErrUnknownTrade
		}
		res.CardBalance = money.Amount(balance)
		data["balance_after"] = hkd(res.CardBalance)
		return nil
	})
	if err != nil {
		return TransactionResult{}, fmt.Errorf("sandbox issuer: simulate %s: %w", tx.Type, err)
	}
	res.EventID = "evt_" + uuid.NewString()
	body, err := json.Marshal(map[string]any{"event_id": res.EventID, "event_type": eventType,
		"occurred_at": i.now().UTC().Format(time.RFC3339), "public_token": publicToken, "data": data})
	if err != nil {
		return TransactionResult{}, fmt.Errorf("sandbox issuer: simulate %s: encode event: %w", tx.Type, err)
	}
	if i.Deliver == nil {
		return res, errors.New("sandbox issuer: no event delivery configured")
	}
	if err := i.Deliver(ctx, body); err != nil {
		return res, fmt.Errorf("sandbox issuer: deliver %s: %w", res.EventID, err)
	}
	return res, nil
}

// TradeState implements card.TradeSource: what the simulator knows of a
// trade ("trade_query" failure injection).
func (i *Issuer) TradeState(ctx context.Context, publicToken string, tradeID int64) (card.IssuerTrade, error) {
	if i.injectedFailure("trade_query") {
		return card.IssuerTrade{}, errors.New("sandbox issuer: injected trade_query failure")
	}
	var (
		st                card.IssuerTrade
		state             string
		cleared, reversed int64
	)
	err := i.db.SQL.QueryRowContext(ctx, `SELECT state, clear_amount, reversal_amount FROM sim_issuer_trades
		WHERE trade_id = $1 AND public_token = $2`, tradeID, publicToken).Scan(&state, &cleared, &reversed)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("sandbox issuer: trade_query %d: %w", tradeID, err)
	}
	st.Found = true
	st.Cleared = state == "cleared" || state == "refunded"
	st.ClearAmount, st.ReversalAmount = money.Amount(cleared), money.Amount(reversed)
	return st, nil
}

// ReportOrder delivers the issuer's physical.order.updated event for one of
// the simulator's card orders.
func (i *Issuer) ReportOrder(ctx context.Context, publicToken, orderNo string, status physical.Status, trackingNo, failReason string) (string, error) {
	id := "evt_" + uuid.NewString()
	body, err := json.Marshal(map[string]any{"event_id": id, "event_type": "physical.order.updated",
		"occurred_at": i.now().UTC().Format(time.RFC3339), "public_token": publicToken,
		"data": map[string]string{"order_no": orderNo, "status": string(status), "tracking_no": trackingNo, "fail_reason": failReason}})
	if err != nil {
		return "", fmt.Errorf("sandbox issuer: encode order event: %w", err)
	}
	if i.Deliver == nil {
		return "", errors.New("sandbox issuer: no event delivery configured")
	}
	if err := i.Deliver(ctx, body); err != nil {
		return id, fmt.Errorf("sandbox issuer: deliver %s: %w", id, err)
	}
	return id, nil
}

func hkd(a money.Amount) json.Number { return json.Number(a.Format(2)) }

func or[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// newTradeID returns a random 16-digit issuer trade id.
func newTradeID() int64 {
	n, _ := strconv.ParseInt("7"+secret.Digits(15), 10, 64)
	return n
}
