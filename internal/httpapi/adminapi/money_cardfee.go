package adminapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// Card fees are USD, in cents.
const usdDecimals = 2

type cardFeePaymentView struct {
	ID             int64       `json:"id"`
	UserID         int64       `json:"user_id"`
	CardType       string      `json:"card_type"`
	TransactionRef string      `json:"transaction_ref"`
	OriginalFee    json.Number `json:"original_fee"`
	CouponDiscount json.Number `json:"coupon_discount"`
	ActualPayment  json.Number `json:"actual_payment"`
	Status         string      `json:"status"`
	PaymentMethod  string      `json:"payment_method"`
	CouponCode     string      `json:"coupon_code"`
	Consumed       bool        `json:"consumed"`
	CreatedAt      time.Time   `json:"created_at"`
	PaidAt         *time.Time  `json:"paid_at"`
}

func viewCardFeePayment(x cardfee.Payment) cardFeePaymentView {
	return cardFeePaymentView{ID: x.ID, UserID: x.UserID, CardType: string(x.CardType), TransactionRef: x.Ref,
		OriginalFee: num(x.OriginalFee, usdDecimals), CouponDiscount: num(x.CouponDiscount, usdDecimals),
		ActualPayment: num(x.ActualPayment, usdDecimals), Status: string(x.Status), PaymentMethod: x.PaymentMethod,
		CouponCode: x.CouponCode, Consumed: x.Consumed, CreatedAt: x.CreatedAt.UTC(), PaidAt: optionalTime(x.PaidAt)}
}

var paymentStatuses = []string{string(cardfee.StatusPending), string(cardfee.StatusCompleted), string(cardfee.StatusCancelled),
	string(cardfee.StatusExpired), string(cardfee.StatusRefunded)}

// listCardFeePayments: GET /admin/card-fee-payments?user_id=&status=&card_type=&consumed=.
func (a *API) listCardFeePayments(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	return listPaged(w, r, func(f httpkit.Fields) cardfee.PaymentFilter {
		filter := cardfee.PaymentFilter{UserID: queryID(r, f, "user_id"),
			Status:   cardfee.PaymentStatus(queryEnum(r, f, "status", paymentStatuses...)),
			CardType: cardfee.CardType(queryEnum(r, f, "card_type", string(cardfee.Virtual), string(cardfee.Physical)))}
		if v := queryEnum(r, f, "consumed", "true", "false"); v != "" {
			consumed := v == "true"
			filter.Consumed = &consumed
		}
		return filter
	}, a.Office.CardFeePayments, viewCardFeePayment)
}

// refundCardFeePayment: POST /admin/card-fee-payments/{id}/refund {reason}.
func (a *API) refundCardFeePayment(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, reason, err := idAndReason(r, cardfee.ErrPaymentNotFound)
	if err != nil {
		return err
	}
	x, out, err := a.Office.RefundCardFeePayment(r.Context(), id, reason)
	if err != nil {
		return err
	}
	return moneyAnswer(w, r, out, func() any { return viewCardFeePayment(x) })
}
