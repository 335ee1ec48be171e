package backoffice

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/cardfee"
)

// cardFeeState is what a reviewer needs of a card-fee payment.
type cardFeeState struct {
	Status        cardfee.PaymentStatus `json:"status"`
	UserID        int64                 `json:"user_id"`
	CardType      cardfee.CardType      `json:"card_type"`
	ActualPayment string                `json:"actual_payment_usd"`
	PaidWith      string                `json:"payment_method"`
	Consumed      bool                  `json:"consumed"`
}

func stateOfPayment(p cardfee.Payment) cardFeeState {
	return cardFeeState{Status: p.Status, UserID: p.UserID, CardType: p.CardType, ActualPayment: p.ActualPayment.Format(2),
		PaidWith: p.PaymentMethod, Consumed: p.Consumed}
}

// CardFeePayments lists card-fee payments, newest first.
func (s *Service) CardFeePayments(ctx context.Context, f cardfee.PaymentFilter, limit, offset int) ([]cardfee.Payment, int, error) {
	return s.MoneyDeps.CardFees.ListPayments(ctx, f, limit, offset)
}

// refundPayload is a four-eyes card-fee refund.
type refundPayload struct {
	PaymentID int64 `json:"payment_id"`
}

// RefundCardFeePayment refunds a completed card-fee payment no application
// has used (API.md §3.4.2): the amount paid goes back to the user's wallet
// in the currency paid. Above the four-eyes threshold a second operator
// approves it. Refunding a refunded payment is INVALID_STATE.
func (s *Service) RefundCardFeePayment(ctx context.Context, id int64, reason string) (cardfee.Payment, Outcome, error) {
	if reason = strings.TrimSpace(reason); reason == "" {
		return cardfee.Payment{}, Outcome{}, errReasonRequired
	}
	p, err := s.MoneyDeps.CardFees.Payment(ctx, id)
	if err != nil {
		return cardfee.Payment{}, Outcome{}, err
	}
	if err := p.Refundable(); err != nil {
		return p, Outcome{}, err
	}
	due, err := s.MoneyDeps.CardFees.RefundDue(p)
	if err != nil {
		return p, Outcome{}, err
	}
	pl := refundPayload{PaymentID: id}
	out, err := s.moneyAction(ctx, MoneyAction{Kind: KindRefundCardFee, TargetType: "card_fee_payment", TargetID: strconv.FormatInt(id, 10),
		Currency: due.Currency, Decimals: due.Decimals, Amount: due.Amount, Payload: pl, Reason: reason},
		func(tx *sql.Tx) (any, any, error) { return s.refundCardFee(ctx, tx, pl) })
	if err != nil || !out.Executed {
		return p, out, err
	}
	p, err = s.MoneyDeps.CardFees.Payment(ctx, id)
	return p, out, err
}

func (s *Service) refundCardFee(ctx context.Context, tx *sql.Tx, p refundPayload) (any, any, error) {
	before, after, err := s.MoneyDeps.CardFees.RefundTx(ctx, tx, p.PaymentID)
	return stateOfPayment(before), stateOfPayment(after), err
}
