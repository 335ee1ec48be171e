package backoffice

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/physical"
)

// PhysicalOrders lists physical card orders of every user (never their
// mailing addresses, which stay sealed).
func (s *Service) PhysicalOrders(ctx context.Context, f physical.OrderFilter, limit, offset int) ([]physical.Order, int, error) {
	return s.CardDeps.Physical.AdminOrders(ctx, f, limit, offset)
}

type orderState struct {
	Status          physical.Status       `json:"status"`
	RefundStatus    physical.RefundStatus `json:"refund_status"`
	TrackingNo      string                `json:"tracking_no"`
	FeeAmount       string                `json:"fee_amount"`
	PaymentCurrency string                `json:"payment_currency"`
}

func (s *Service) stateOfOrder(o physical.Order) orderState {
	return orderState{Status: o.Status, RefundStatus: o.RefundStatus, TrackingNo: o.TrackingNo,
		FeeAmount: o.FeeAmount.Format(s.CardDeps.Physical.FeeDecimals(o)), PaymentCurrency: o.PaymentCurrency}
}

// OrderUpdate is an operator's status change of a physical order.
type OrderUpdate struct {
	OrderID    int64           `json:"order_id"`
	Status     physical.Status `json:"status"`
	TrackingNo string          `json:"tracking_no"`
	Remark     string          `json:"remark"`
}

// SetPhysicalOrderStatus moves a physical order forward
// (physical.OperatorUpdateTx has the rules), audited as
// "physical_order.status". FAILED on an order whose fee is not refunded yet
// refunds it — a money action ("physical_order.fail"): the remark is its
// reason and is required, and above the four-eyes threshold it waits for a
// second operator.
func (s *Service) SetPhysicalOrderStatus(ctx context.Context, u OrderUpdate) (Outcome, physical.Order, error) {
	o, err := s.CardDeps.Physical.Order(ctx, u.OrderID)
	if err != nil {
		return Outcome{}, physical.Order{}, fmt.Errorf("backoffice: physical order %d: %w", u.OrderID, err)
	}
	target := strconv.FormatInt(u.OrderID, 10)
	var after physical.Order
	run := func(tx *sql.Tx) (any, any, error) {
		before, a, err := s.CardDeps.Physical.OperatorUpdateTx(ctx, tx, u.OrderID, u.Status, u.TrackingNo, u.Remark)
		after = a
		return s.stateOfOrder(before), s.stateOfOrder(a), err
	}
	if u.Status == physical.StatusFailed && o.FeeAmount > 0 && o.RefundStatus != physical.RefundCompleted {
		out, err := s.moneyAction(ctx, MoneyAction{Kind: KindPhysicalOrderFail, TargetType: "physical_order", TargetID: target,
			Currency: o.PaymentCurrency, Decimals: s.CardDeps.Physical.FeeDecimals(o), Amount: o.FeeAmount, Payload: u, Reason: u.Remark}, run)
		if err == nil && !out.Executed {
			after = o
		}
		return out, after, err
	}
	err = s.audited(ctx, audit.Entry{Action: "physical_order.status", TargetType: "physical_order", TargetID: target, Reason: u.Remark}, run)
	return Outcome{Executed: err == nil}, after, err
}

func (s *Service) failOrderTx(ctx context.Context, tx *sql.Tx, u OrderUpdate) (any, any, error) {
	before, after, err := s.CardDeps.Physical.OperatorUpdateTx(ctx, tx, u.OrderID, physical.StatusFailed, u.TrackingNo, u.Remark)
	return s.stateOfOrder(before), s.stateOfOrder(after), err
}

// orderRefund is the four-eyes payload of a refund.
type orderRefund struct {
	OrderID int64 `json:"order_id"`
}

// RefundPhysicalOrder returns a paid order's fee to the user's wallet
// (physical.RefundTx has the rules), a money action: reason required, four
// eyes above the threshold. A refund happens once (the order's
// refund_status), so a retried request cannot pay twice.
func (s *Service) RefundPhysicalOrder(ctx context.Context, orderID int64, reason string) (Outcome, physical.Order, error) {
	o, err := s.CardDeps.Physical.Order(ctx, orderID)
	if err != nil {
		return Outcome{}, physical.Order{}, fmt.Errorf("backoffice: physical order %d: %w", orderID, err)
	}
	after := o
	out, err := s.moneyAction(ctx, MoneyAction{Kind: KindPhysicalOrderRefund, TargetType: "physical_order",
		TargetID: strconv.FormatInt(orderID, 10), Currency: o.PaymentCurrency, Decimals: s.CardDeps.Physical.FeeDecimals(o), Amount: o.FeeAmount,
		Payload: orderRefund{OrderID: orderID}, Reason: reason},
		func(tx *sql.Tx) (any, any, error) {
			before, a, err := s.CardDeps.Physical.RefundTx(ctx, tx, orderID)
			after = a
			return s.stateOfOrder(before), s.stateOfOrder(a), err
		})
	return out, after, err
}

func (s *Service) refundOrderTx(ctx context.Context, tx *sql.Tx, p orderRefund) (any, any, error) {
	before, after, err := s.CardDeps.Physical.RefundTx(ctx, tx, p.OrderID)
	return s.stateOfOrder(before), s.stateOfOrder(after), err
}

// OrderFeeDecimals is the number of decimals of an order's fee currency,
// for showing its amount.
func (s *Service) OrderFeeDecimals(o physical.Order) int { return s.Physical.FeeDecimals(o) }
