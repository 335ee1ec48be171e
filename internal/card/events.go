package card

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// IssuerEvent is the common shape of the issuer's card events (API.md
// §2.11.3); Data is decoded per event type.
type IssuerEvent struct {
	ID          string          `json:"event_id"`
	Type        string          `json:"event_type"`
	OccurredAt  time.Time       `json:"occurred_at"`
	PublicToken string          `json:"public_token"`
	Data        json.RawMessage `json:"data"`
}

// ErrMalformedEvent marks an event that cannot be parsed.
var ErrMalformedEvent = errors.New("issuer event malformed")

// ParseIssuerEvent reads and checks the envelope of an issuer event.
func ParseIssuerEvent(body []byte) (IssuerEvent, error) {
	var ev IssuerEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.Type == "" {
		return IssuerEvent{}, ErrMalformedEvent
	}
	return ev, nil
}

// decodeData decodes an event's data keeping numbers exact.
func decodeData(raw json.RawMessage, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return ErrMalformedEvent
	}
	return nil
}

// EventHandler applies one issuer event type inside the inbox transaction
// and returns the inbox state (processed, unmatched or ignored).
type EventHandler func(ctx context.Context, tx *sql.Tx, ev IssuerEvent) (string, error)

// IssuerProcessor dispatches stored issuer events by type: the card's own
// events here, the others (KYC review, physical orders) to handlers the
// composition root registers.
func (s *Service) IssuerProcessor(others map[string]EventHandler) webhook.Processor {
	handlers := map[string]EventHandler{
		"card.transaction.authorized": s.applyTradeEvent,
		"card.transaction.declined":   s.applyTradeEvent,
		"card.transaction.cleared":    s.applyTradeEvent,
		"card.transaction.reversed":   s.applyTradeEvent,
		"card.transaction.refunded":   s.applyTradeEvent,
		"card.balance.updated":        s.applyBalanceEvent,
		"card.status.changed":         s.applyStatusEvent,
		"card.issuance.completed":     s.applyIssuanceEvent,
		"card.issuance.failed":        s.applyIssuanceEvent,
	}
	for k, h := range others {
		handlers[k] = h
	}
	return issuerProcessor{handlers}
}

type issuerProcessor struct{ handlers map[string]EventHandler }

func (p issuerProcessor) Process(ctx context.Context, tx *sql.Tx, payload []byte) (string, error) {
	ev, err := ParseIssuerEvent(payload)
	if err != nil {
		return webhook.StateIgnored, nil
	}
	h, ok := p.handlers[ev.Type]
	if !ok {
		return webhook.StateIgnored, nil
	}
	state, err := h(ctx, tx, ev)
	if err != nil {
		return "", fmt.Errorf("card: issuer event %s (%s): %w", ev.ID, ev.Type, err)
	}
	return state, nil
}

// cardByToken returns the card an event names, locked in tx.
func (s *Service) cardByToken(ctx context.Context, tx *sql.Tx, token string) (Card, error) {
	c, err := scanCard(tx.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE public_token = $1`+s.DB.ForUpdate(), token))
	if err != nil {
		return Card{}, fmt.Errorf("card %s: %w", token, err)
	}
	return c, nil
}

// applyBalanceEvent keeps the issuer's reported balance beside the ledger's,
// for reconciliation.
func (s *Service) applyBalanceEvent(ctx context.Context, tx *sql.Tx, ev IssuerEvent) (string, error) {
	var d struct {
		Balance json.Number `json:"balance"`
	}
	if err := decodeData(ev.Data, &d); err != nil {
		return webhook.StateIgnored, nil
	}
	c, err := s.cardByToken(ctx, tx, ev.PublicToken)
	if errors.Is(err, store.ErrNotFound) {
		return webhook.StateUnmatched, nil
	}
	if err != nil {
		return "", err
	}
	if err := s.setIssuerBalance(ctx, tx, c, d.Balance); err != nil {
		return "", err
	}
	return webhook.StateProcessed, nil
}

func (s *Service) setIssuerBalance(ctx context.Context, tx *sql.Tx, c Card, balance json.Number) error {
	if balance == "" {
		return nil
	}
	b, err := parseHKD(string(balance), true)
	if err != nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cards SET balance = $1 WHERE id = $2`, int64(b), c.ID); err != nil {
		return fmt.Errorf("record issuer balance of card %d: %w", c.ID, err)
	}
	return nil
}

// applyStatusEvent follows an issuer-side status change (e.g. a block by
// the issuer); a cancelled card never comes back.
func (s *Service) applyStatusEvent(ctx context.Context, tx *sql.Tx, ev IssuerEvent) (string, error) {
	var d struct {
		Code   IssuerCode `json:"card_status_code"`
		Reason string     `json:"reason"`
	}
	if err := decodeData(ev.Data, &d); err != nil {
		return webhook.StateIgnored, nil
	}
	target, ok := statusByCode[d.Code]
	if !ok {
		return webhook.StateIgnored, nil
	}
	c, err := s.cardByToken(ctx, tx, ev.PublicToken)
	if errors.Is(err, store.ErrNotFound) {
		return webhook.StateUnmatched, nil
	}
	if err != nil {
		return "", err
	}
	if c.Status == target || c.Status == StatusCancelled {
		return webhook.StateIgnored, nil
	}
	// A change the issuer reports from before our last change is stale.
	var last time.Time
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(created_at), 0) FROM card_status_changes WHERE card_id = $1`, c.ID).
		Scan(store.TimeInto(&last)); err != nil {
		return "", fmt.Errorf("last status change of card %d: %w", c.ID, err)
	}
	if !ev.OccurredAt.IsZero() && ev.OccurredAt.Before(last) {
		return webhook.StateIgnored, nil
	}
	if err := s.changeStatus(ctx, tx, c, target, sourceIssuer, 0, text.Truncate(d.Reason, 200)); err != nil {
		return "", err
	}
	if target == StatusCancelled {
		// The issuer closed the card: what is left on it goes to the wallet.
		c.Status = StatusCancelled
		if err := s.sweepCancelled(ctx, tx, c); err != nil {
			return "", err
		}
	}
	return webhook.StateProcessed, nil
}
