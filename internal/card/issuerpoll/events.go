package issuerpoll

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/card"
)

// Event types of API.md §2.11.3 the poller produces.
const (
	eventIssued     = "card.issuance.completed"
	eventIssueFail  = "card.issuance.failed"
	eventAuthorized = "card.transaction.authorized"
	eventDeclined   = "card.transaction.declined"
	eventCleared    = "card.transaction.cleared"
	eventReversed   = "card.transaction.reversed"
	eventRefunded   = "card.transaction.refunded"
	eventStatus     = "card.status.changed"
)

// event builds one issuer event; data is encoded as the pushed event's.
func event(id, typ, token string, at time.Time, data map[string]any) card.IssuerEvent {
	raw, _ := json.Marshal(data) // maps of strings and numbers always encode
	return card.IssuerEvent{ID: id, Type: typ, OccurredAt: at.UTC(), PublicToken: token, Data: raw}
}

// issuanceEvents turns a task's state into its event: none while the
// issuer is still working on it. The key names the task and its end, so
// the task's end is stored once however often it is read.
func issuanceEvents(ref string, t IssuanceTask, now time.Time) []card.IssuerEvent {
	at := t.UpdatedAt
	if at.IsZero() {
		at = now
	}
	switch t.State {
	case TaskCompleted:
		if t.Card.PublicToken == "" || t.Card.MaskedPAN == "" || t.Card.Expiry.IsZero() {
			return nil // not usable yet: read again next time
		}
		return []card.IssuerEvent{event("poll:issuance:"+ref+":completed", eventIssued, t.Card.PublicToken, at, map[string]any{
			"task_ref": ref, "public_token": t.Card.PublicToken, "masked_pan": t.Card.MaskedPAN,
			"expiry_date": t.Card.Expiry.UTC().Format(time.RFC3339),
		})}
	case TaskFailed:
		return []card.IssuerEvent{event("poll:issuance:"+ref+":failed", eventIssueFail, "", at, map[string]any{
			"task_ref": ref, "fail_reason": t.FailReason,
		})}
	}
	return nil
}

// tradeEvents turns one trade row into its events, in the order a pushing
// issuer would send them: a purchase read already cleared yields its
// authorisation first (the key of which is a duplicate if an earlier read
// stored it), so the trade's merchant and amount are never lost.
func tradeEvents(t Trade, now time.Time) []card.IssuerEvent {
	at := t.OccurredAt
	if at.IsZero() {
		at = now
	}
	id := strconv.FormatInt(t.TradeID, 10)
	key := func(what string) string { return "poll:trade:" + id + ":" + what }
	switch t.Type {
	case TypeRefund:
		return []card.IssuerEvent{event(key("refunded"), eventRefunded, t.PublicToken, at, numbers(map[string]any{
			"trade_id": t.TradeID, "original_trade_id": t.OriginalTradeID}, "amount", t.Amount))}
	case TypeReversal:
		// A reversal row of its own reverses the authorisation it names.
		target := t.OriginalTradeID
		if target == 0 {
			target = t.TradeID
		}
		return []card.IssuerEvent{event(key("reversed"), eventReversed, t.PublicToken, at, numbers(map[string]any{
			"trade_id": target}, "reversal_amount", t.Amount))}
	case TypeAuthorization:
	default:
		return nil
	}
	if t.State == TradeDeclined {
		d := numbers(authorisation(t), "fee", t.Fee)
		d["decline_reason"] = t.DeclineReason
		return []card.IssuerEvent{event(key("declined"), eventDeclined, t.PublicToken, at, d)}
	}
	out := []card.IssuerEvent{event(key("authorized"), eventAuthorized, t.PublicToken, at, authorisation(t))}
	switch t.State {
	case TradeCleared:
		cleared := t.ClearedAt
		if cleared.IsZero() {
			cleared = at
		}
		amount := t.ClearAmount
		if amount == "" {
			amount = t.Amount
		}
		out = append(out, event(key("cleared"), eventCleared, t.PublicToken, cleared, numbers(map[string]any{
			"trade_id": t.TradeID, "clear_time": cleared.UTC().Format(time.RFC3339)}, "clear_amount", amount)))
	case TradeReversed:
		amount := t.ReversalAmount
		if amount == "" {
			amount = t.Amount
		}
		// The amount is in the key: a second partial reversal raises the
		// total and is a new event.
		out = append(out, event(key("reversed:"+amount), eventReversed, t.PublicToken, at, numbers(map[string]any{
			"trade_id": t.TradeID}, "reversal_amount", amount)))
	}
	return out
}

func authorisation(t Trade) map[string]any {
	return numbers(map[string]any{
		"trade_id": t.TradeID, "currency_code": t.CurrencyCode, "merchant_name": t.MerchantName,
		"merchant_city": t.MerchantCity, "merchant_country": t.MerchantCountry, "merchant_currency": t.MerchantCurrency,
	}, "amount", t.Amount, "merchant_amount", t.MerchantAmount, "trade_fee", t.TradeFee, "balance_after", t.BalanceAfter)
}

// numbers adds the decimal strings given as key, value pairs to d, leaving
// out the empty ones: the processor reads them as numbers, and "" is none.
func numbers(d map[string]any, pairs ...string) map[string]any {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			d[pairs[i]] = pairs[i+1]
		}
	}
	return d
}

// statusEvent reports a card whose issuer status differs from ours. The key
// carries how many changes we had recorded: until the event is applied a
// re-read gives the same key; once applied the states agree and nothing is
// emitted; a later difference with the same code is a new key.
func statusEvent(c card.CardAtIssuer, st CardState, now time.Time) (card.IssuerEvent, bool) {
	if c.Claimed || card.StatusCode(c.Status) == st.Code {
		return card.IssuerEvent{}, false
	}
	switch st.Code {
	case card.CodeActive, card.CodeFrozen, card.CodeCancelled:
	default:
		return card.IssuerEvent{}, false
	}
	at := st.ChangedAt
	if at.IsZero() {
		at = now
	}
	reason := st.Reason
	if reason == "" {
		reason = "reported by the issuer"
	}
	key := "poll:card:" + c.PublicToken + ":" + string(st.Code) + ":" + strconv.FormatInt(c.Changes, 10)
	return event(key, eventStatus, c.PublicToken, at, map[string]any{"card_status_code": string(st.Code), "reason": reason}), true
}
