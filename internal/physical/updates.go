package physical

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// CardIssued implements card.PhysicalOrders: a card applied for as physical
// gets its order directly in SUBMITTED (its production is covered by the
// physical card fee), in the transaction that records the card.
func (s *Service) CardIssued(ctx context.Context, tx *sql.Tx, in card.IssuedPhysical) error {
	postal, err := json.Marshal(Shipping{Recipient: in.Postal.Recipient, NameOnCard: in.Postal.NameOnCard, AreaCode: in.Postal.AreaCode,
		Phone: in.Postal.Phone, Country: in.Postal.Country, City: in.Postal.City, Address: in.Postal.Address, PostalCode: in.Postal.PostalCode})
	if err != nil {
		return fmt.Errorf("physical: order of card %d: encode shipping: %w", in.CardID, err)
	}
	if _, err := s.insertOrder(ctx, tx, Order{UserID: in.UserID, CardID: in.CardID, PublicToken: in.PublicToken, Kind: KindApplication,
		Status: StatusSubmitted}, s.Box.Seal(postal, postalAD(in.UserID)), SourceSystem); err != nil {
		return fmt.Errorf("physical: order of card %d: %w", in.CardID, err)
	}
	return nil
}

// ApplyIssuerUpdate moves the order orderNo to status (PROCESSING, SHIPPED,
// DELIVERED or FAILED) in the caller's transaction — the issuer's
// physical.order.updated event, the sandbox shipment helper or an operator.
// Orders only move forward: an update that is stale, repeated or would move
// the order backwards is ignored (applied=false). FAILED after payment
// refunds the fee and reverts the card's physical flag. An unknown order is
// ORDER_NOT_FOUND.
func (s *Service) ApplyIssuerUpdate(ctx context.Context, tx *sql.Tx, orderNo string, status Status, trackingNo, failReason string,
	source Source) (Order, bool, error) {
	o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM physical_orders WHERE order_no = $1`+s.DB.ForUpdate(), orderNo))
	if errors.Is(err, store.ErrNotFound) {
		return Order{}, false, ErrOrderNotFound.WithDetails("No such physical order")
	}
	if err != nil {
		return Order{}, false, fmt.Errorf("physical: update order %s to %s: %w", orderNo, status, err)
	}
	if !s.advances(o.Status, status) {
		return o, false, nil
	}
	if status == StatusFailed {
		if failReason == "" {
			failReason = "The card issuer could not produce the card"
		}
		if err := s.fail(ctx, tx, o, failReason, source); err != nil {
			return Order{}, false, fmt.Errorf("physical: update order %s to %s: %w", orderNo, status, err)
		}
	} else if err := s.forward(ctx, tx, o, status, trackingNo, source, ""); err != nil {
		return Order{}, false, fmt.Errorf("physical: update order %s to %s: %w", orderNo, status, err)
	}
	if o, err = s.order(ctx, tx, o.ID, false); err != nil {
		return Order{}, false, fmt.Errorf("physical: update order %s to %s: %w", orderNo, status, err)
	}
	return o, true, nil
}

// advances reports whether an update to target moves an order at current
// forward. Drafts were never sent to the issuer, so no update applies to
// them; FAILED ends any paid order that is not yet delivered.
func (s *Service) advances(current, target Status) bool {
	cur := Rank(current)
	if cur < rank[StatusFeePaid] || current == StatusDelivered {
		return false
	}
	if target == StatusFailed {
		return true
	}
	t := Rank(target)
	return t > rank[StatusSubmitted] && t > cur
}

// forward records a forward transition with its shipping facts; remark
// goes on the timeline (the cardholder sees it).
func (s *Service) forward(ctx context.Context, tx *sql.Tx, o Order, status Status, trackingNo string, source Source, remark string) error {
	now := store.At(s.Now())
	switch status {
	case StatusShipped:
		if trackingNo == "" {
			trackingNo = "SF" + secret.Digits(10)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE physical_orders SET tracking_no = $1, shipped_at = $2 WHERE id = $3`,
			text.Truncate(trackingNo, 64), now, o.ID); err != nil {
			return fmt.Errorf("record shipment: %w", err)
		}
	case StatusDelivered:
		// Delivery may be the first news of a shipment (a missed event).
		if trackingNo != "" && o.TrackingNo == "" {
			if _, err := tx.ExecContext(ctx, `UPDATE physical_orders SET tracking_no = $1 WHERE id = $2`, text.Truncate(trackingNo, 64), o.ID); err != nil {
				return fmt.Errorf("record tracking number: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE physical_orders SET delivered_at = $1, shipped_at = COALESCE(shipped_at, $1) WHERE id = $2`,
			now, o.ID); err != nil {
			return fmt.Errorf("record delivery: %w", err)
		}
	}
	if err := s.transition(ctx, tx, o, status, source, remark, ""); err != nil {
		return err
	}
	if o.Status == StatusFeePaid {
		// The issuer answered before our own settling step did.
		return s.Cards.SetPhysical(ctx, tx, o.CardID, true)
	}
	return nil
}

// Progress returns the card's latest order that reached FEE_PAID and its
// timeline, oldest first.
func (s *Service) Progress(ctx context.Context, userID int64, publicToken string) (Order, []Event, error) {
	c, err := s.card(ctx, userID, 0, publicToken)
	if err != nil {
		return Order{}, nil, fmt.Errorf("physical: progress of card %s: %w", publicToken, err)
	}
	o, err := s.latestPaid(ctx, s.DB.SQL, c.ID)
	if errors.Is(err, store.ErrNotFound) {
		return Order{}, nil, ErrOrderNotFound.WithDetails("This card has no physical card order")
	}
	if err != nil {
		return Order{}, nil, fmt.Errorf("physical: progress: %w", err)
	}
	events, err := s.timeline(ctx, s.DB.SQL, o.ID)
	if err != nil {
		return Order{}, nil, fmt.Errorf("physical: progress of order %d: %w", o.ID, err)
	}
	return o, events, nil
}

func (s *Service) timeline(ctx context.Context, q store.Querier, orderID int64) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT status, previous_status, source, operator, remark, external_req_id, created_at
		FROM physical_order_events WHERE order_id = $1 ORDER BY id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.Status, &e.PreviousStatus, &e.Source, &e.Operator, &e.Remark, &e.ExternalReqID, store.TimeInto(&e.At)); err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return out, nil
}

// ConfirmDelivery records that the user received the card: id is first a
// card record id of the user (its latest order is used, as the mobile
// client sends), otherwise an order id of the user. SHIPPED → DELIVERED;
// an order already delivered is returned unchanged.
func (s *Service) ConfirmDelivery(ctx context.Context, userID, id int64) (Order, error) {
	var (
		o   Order
		err error
	)
	if c, cerr := s.Cards.Get(ctx, userID, id, ""); cerr == nil {
		o, err = s.latestPaid(ctx, s.DB.SQL, c.ID)
	} else if errors.Is(cerr, card.ErrCardNotFound) {
		err = store.ErrNotFound
	} else {
		return Order{}, fmt.Errorf("physical: confirm delivery of %d: %w", id, cerr)
	}
	if errors.Is(err, store.ErrNotFound) {
		o, err = scanOrder(s.DB.SQL.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM physical_orders
			WHERE id = $1 AND user_id = $2 AND status IN `+paidStatuses, id, userID))
	}
	if errors.Is(err, store.ErrNotFound) {
		return Order{}, ErrApplicationNotFound.WithDetails("No such physical card application")
	}
	if err != nil {
		return Order{}, fmt.Errorf("physical: confirm delivery of %d: %w", id, err)
	}
	orderID := o.ID
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.order(ctx, tx, o.ID, true)
		if err != nil {
			return err
		}
		switch cur.Status {
		case StatusDelivered:
		case StatusShipped:
			if err := s.forward(ctx, tx, cur, StatusDelivered, "", SourceUser, ""); err != nil {
				return err
			}
		default:
			return ErrNotShipped.WithDetails("The card has not been shipped yet (" + string(cur.Status) + ")")
		}
		o, err = s.order(ctx, tx, o.ID, false)
		return err
	})
	if err != nil {
		return Order{}, fmt.Errorf("physical: confirm delivery of order %d: %w", orderID, err)
	}
	return o, nil
}

// NextUpdate names the card's latest paid order and the status an update
// should move it to (status, or by default the next shipping step): what
// the sandbox issuer reports for POST /sandbox/cards/{token}/shipment/advance.
func (s *Service) NextUpdate(ctx context.Context, publicToken string, status Status) (orderNo string, next Status, err error) {
	latest, err := scanOrder(s.DB.SQL.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM physical_orders
		WHERE public_token = $1 AND status IN `+paidStatuses+` ORDER BY id DESC LIMIT 1`, publicToken))
	if errors.Is(err, store.ErrNotFound) {
		return "", "", ErrOrderNotFound.WithDetails("This card has no physical card order")
	}
	if err != nil {
		return "", "", fmt.Errorf("physical: next update of card %s: %w", publicToken, err)
	}
	if status == "" {
		status = nextStatus(latest.Status)
	}
	return latest.OrderNo, status, nil
}

// OrderByNo returns an order by its number.
func (s *Service) OrderByNo(ctx context.Context, orderNo string) (Order, error) {
	o, err := scanOrder(s.DB.SQL.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM physical_orders WHERE order_no = $1`, orderNo))
	if errors.Is(err, store.ErrNotFound) {
		return Order{}, ErrOrderNotFound.WithDetails("No such physical order")
	}
	if err != nil {
		return Order{}, fmt.Errorf("physical: order %s: %w", orderNo, err)
	}
	return o, nil
}

// IssuerEventHandler applies the issuer's physical.order.updated events
// (API.md §2.11.3) with source `callback`.
func (s *Service) IssuerEventHandler() card.EventHandler {
	return func(ctx context.Context, tx *sql.Tx, ev card.IssuerEvent) (string, error) {
		var d struct {
			OrderNo    string `json:"order_no"`
			Status     Status `json:"status"`
			TrackingNo string `json:"tracking_no"`
			FailReason string `json:"fail_reason"`
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil || d.OrderNo == "" {
			return webhook.StateIgnored, nil
		}
		switch d.Status {
		case StatusProcessing, StatusShipped, StatusDelivered, StatusFailed:
		default:
			return webhook.StateIgnored, nil
		}
		_, applied, err := s.ApplyIssuerUpdate(ctx, tx, d.OrderNo, d.Status, d.TrackingNo, d.FailReason, SourceCallback)
		switch {
		case errors.Is(err, ErrOrderNotFound):
			return webhook.StateUnmatched, nil
		case err != nil:
			return "", err
		case !applied:
			return webhook.StateIgnored, nil
		}
		return webhook.StateProcessed, nil
	}
}

func nextStatus(current Status) Status {
	switch current {
	case StatusShipped:
		return StatusDelivered
	case StatusProcessing:
		return StatusShipped
	default:
		return StatusProcessing
	}
}
