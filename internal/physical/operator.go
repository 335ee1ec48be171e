package physical

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Operators' actions on physical orders (API.md §5). Each runs in the
// caller's transaction, so the back office writes the audit row beside it,
// and returns the order before and after.

// OrderFilter narrows the operators' order list; zero values match all.
type OrderFilter struct {
	UserID int64
	CardID int64
	Status Status
}

// AdminOrders lists orders of every user, newest first.
func (s *Service) AdminOrders(ctx context.Context, f OrderFilter, limit, offset int) ([]Order, int, error) {
	var c store.Conds
	c.Eq("user_id", f.UserID, f.UserID != 0)
	c.Eq("card_id", f.CardID, f.CardID != 0)
	c.Eq("status", f.Status, f.Status != "")
	where, args := c.Where()
	out, total, err := store.Page(ctx, s.DB.SQL, orderColumns, `FROM physical_orders`+where, args, `id DESC`, limit, offset, scanOrder)
	if err != nil {
		return nil, 0, fmt.Errorf("physical: list orders: %w", err)
	}
	return out, total, nil
}

// Order returns an order by id (ORDER_NOT_FOUND).
func (s *Service) Order(ctx context.Context, id int64) (Order, error) {
	return s.lookup(ctx, s.DB.SQL, id, false)
}

func (s *Service) lookup(ctx context.Context, q store.Querier, id int64, lock bool) (Order, error) {
	o, err := s.order(ctx, q, id, lock)
	if errors.Is(err, store.ErrNotFound) {
		return Order{}, ErrOrderNotFound.WithDetails("No such physical order")
	}
	if err != nil {
		return Order{}, fmt.Errorf("physical: %w", err)
	}
	return o, nil
}

// FeeDecimals is the number of decimals of the currency an order's fee
// was paid in.
func (s *Service) FeeDecimals(o Order) int {
	if c, ok := s.Wallets.Currencies.Get(o.PaymentCurrency); ok {
		return c.Decimals
	}
	return 6
}

// OperatorStatuses are the statuses an operator may move an order to.
var OperatorStatuses = []Status{StatusProcessing, StatusShipped, StatusDelivered, StatusFailed, StatusCancelled}

func invalidState(format string, args ...any) error {
	return apperr.New(apperr.CodeInvalidState).WithDetails(fmt.Sprintf(format, args...))
}

// OperatorUpdateTx moves order id to status for an operator (source
// admin), with the rules the issuer's updates follow: a paid order only
// moves forward (PROCESSING → SHIPPED → DELIVERED), FAILED ends any paid
// order not yet delivered and refunds its fee (unless refunded already),
// and only an unpaid draft may be CANCELLED. SHIPPED needs a tracking
// number. The remark goes on the order's timeline, which the cardholder
// sees.
func (s *Service) OperatorUpdateTx(ctx context.Context, tx *sql.Tx, id int64, status Status, trackingNo, remark string) (before, after Order, err error) {
	fail := func(err error) (Order, Order, error) {
		return Order{}, Order{}, fmt.Errorf("physical: operator update of order %d to %s: %w", id, status, err)
	}
	o, err := s.lookup(ctx, tx, id, true)
	if err != nil {
		return Order{}, Order{}, err
	}
	switch {
	case status == StatusCancelled:
		if o.Status != StatusInit && o.Status != StatusEmailVerified {
			return Order{}, Order{}, invalidState("Only an unpaid draft can be cancelled; this order is %s (a paid order ends as FAILED, which refunds its fee)", o.Status)
		}
		err = s.transition(ctx, tx, o, StatusCancelled, SourceAdmin, remark, "")
	case !s.advances(o.Status, status):
		return Order{}, Order{}, invalidState("Orders only move forward: %s cannot become %s", o.Status, status)
	case status == StatusFailed:
		if remark == "" {
			remark = "Ended by the operations team"
		}
		err = s.fail(ctx, tx, o, remark, SourceAdmin)
	case status == StatusShipped && trackingNo == "":
		return Order{}, Order{}, apperr.Validation(map[string]string{"tracking_no": "is required to ship"})
	default:
		err = s.forward(ctx, tx, o, status, trackingNo, SourceAdmin, remark)
	}
	if err != nil {
		return fail(err)
	}
	if after, err = s.order(ctx, tx, id, false); err != nil {
		return fail(err)
	}
	return o, after, nil
}

// RefundTx returns a paid order's fee to the user's wallet at an
// operator's decision (a lost or damaged card, a goodwill refund), whatever
// the order's status; the order keeps its status and its refund_status
// becomes COMPLETED. A fee is refunded once: an order refunded already, or
// one whose card was applied for as physical (no fee of its own), is
// INVALID_STATE, as is a closed account (the money could not leave it).
// An order failing later is not refunded again.
func (s *Service) RefundTx(ctx context.Context, tx *sql.Tx, id int64) (before, after Order, err error) {
	fail := func(err error) (Order, Order, error) {
		return Order{}, Order{}, fmt.Errorf("physical: refund order %d: %w", id, err)
	}
	o, err := s.lookup(ctx, tx, id, true)
	if err != nil {
		return Order{}, Order{}, err
	}
	switch {
	case o.FeeAmount <= 0:
		return Order{}, Order{}, invalidState("This order has no fee of its own (a card applied for as physical is paid by its card fee)")
	case o.RefundStatus == RefundCompleted:
		return Order{}, Order{}, invalidState("The fee of this order was refunded already")
	}
	st, err := s.Wallets.CreditStatus(ctx, tx, o.UserID)
	if err != nil {
		return fail(err)
	}
	if st == account.StatusDeactivated {
		return Order{}, Order{}, invalidState("The account is closed")
	}
	if err := s.refundFee(ctx, tx, o); err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE physical_orders SET refund_status = $1, updated_at = $2 WHERE id = $3`,
		RefundCompleted, store.At(s.Now()), o.ID); err != nil {
		return fail(err)
	}
	if after, err = s.order(ctx, tx, id, false); err != nil {
		return fail(err)
	}
	return o, after, nil
}
