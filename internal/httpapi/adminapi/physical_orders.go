package adminapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"time"

	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/physical"
)

type orderRowView struct {
	ID              int64       `json:"id"`
	OrderNo         string      `json:"order_no"`
	UserID          int64       `json:"user_id"`
	CardID          int64       `json:"card_id"`
	PublicToken     string      `json:"public_token"`
	Kind            string      `json:"kind"`
	Status          string      `json:"status"`
	FeeUSD          json.Number `json:"fee_usd"`
	FeeAmount       json.Number `json:"fee_amount"`
	PaymentCurrency string      `json:"payment_currency"`
	TrackingNo      string      `json:"tracking_no"`
	FailReason      string      `json:"fail_reason"`
	RefundStatus    string      `json:"refund_status"`
	ExternalReqID   string      `json:"external_req_id"`
	CreatedAt       time.Time   `json:"created_at"`
	UpdatedAt       time.Time   `json:"updated_at"`
	ShippedAt       *time.Time  `json:"shipped_at"`
	DeliveredAt     *time.Time  `json:"delivered_at"`
}

// viewOrder shows an order without its mailing address (sealed personal
// data, not needed to move an order along).
func (a *API) viewOrder(o physical.Order) orderRowView {
	return orderRowView{ID: o.ID, OrderNo: o.OrderNo, UserID: o.UserID, CardID: o.CardID, PublicToken: o.PublicToken, Kind: string(o.Kind),
		Status: string(o.Status), FeeUSD: httpkit.Num(o.FeeUSD, 2), FeeAmount: httpkit.Num(o.FeeAmount, a.Office.OrderFeeDecimals(o)),
		PaymentCurrency: o.PaymentCurrency, TrackingNo: o.TrackingNo, FailReason: o.FailReason, RefundStatus: string(o.RefundStatus),
		ExternalReqID: o.ExternalReqID, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, ShippedAt: o.ShippedAt, DeliveredAt: o.DeliveredAt}
}

var orderStatuses = []string{string(physical.StatusInit), string(physical.StatusEmailVerified), string(physical.StatusFeePaid),
	string(physical.StatusSubmitted), string(physical.StatusProcessing), string(physical.StatusShipped), string(physical.StatusDelivered),
	string(physical.StatusFailed), string(physical.StatusCancelled)}

// listPhysicalOrders: GET /admin/physical-orders?status=&user_id=&card_id=.
func (a *API) listPhysicalOrders(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	q := httpkit.NewFields()
	f := physical.OrderFilter{UserID: queryID(r, q, "user_id"), CardID: queryID(r, q, "card_id"),
		Status: physical.Status(queryEnum(r, q, "status", orderStatuses...))}
	if err := q.Err(); err != nil {
		return err
	}
	list, total, err := a.Office.PhysicalOrders(r.Context(), f, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, a.viewOrder, pageNo, size, total))
}

var trackingNo = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// setPhysicalOrderStatus: POST /admin/physical-orders/{id}/status
// {status, tracking_no, remark}.
func (a *API) setPhysicalOrderStatus(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", physical.ErrOrderNotFound.WithDetails("No such physical order"))
	if err != nil {
		return err
	}
	var in struct {
		Status     *string `json:"status"`
		TrackingNo *string `json:"tracking_no"`
		Remark     *string `json:"remark"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	status := physical.Status(f.Required("status", in.Status))
	if status != "" && !validOperatorStatus(status) {
		f.Add("status", "must be one of PROCESSING, SHIPPED, DELIVERED, FAILED, CANCELLED")
	}
	tracking, remark := httpkit.Optional(in.TrackingNo), httpkit.Optional(in.Remark)
	if tracking != "" && !trackingNo.MatchString(tracking) {
		f.Add("tracking_no", "must be 1-64 letters, digits or dashes")
	}
	if status == physical.StatusFailed && remark == "" {
		f.Add("remark", "is required to fail an order (it is the reason of the fee's refund)")
	}
	if len([]rune(remark)) > 200 {
		f.Add("remark", "must be at most 200 characters")
	}
	if err := f.Err(); err != nil {
		return err
	}
	out, o, err := a.Office.SetPhysicalOrderStatus(r.Context(), backoffice.OrderUpdate{OrderID: id, Status: status, TrackingNo: tracking,
		Remark: remark})
	if err != nil {
		return err
	}
	return moneyAnswer(w, r, out, func() any { return a.viewOrder(o) })
}

func validOperatorStatus(s physical.Status) bool {
	for _, x := range physical.OperatorStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// refundPhysicalOrder: POST /admin/physical-orders/{id}/refund {reason}.
func (a *API) refundPhysicalOrder(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", physical.ErrOrderNotFound.WithDetails("No such physical order"))
	if err != nil {
		return err
	}
	reason, err := readReason(r)
	if err != nil {
		return err
	}
	out, o, err := a.Office.RefundPhysicalOrder(r.Context(), id, reason)
	if err != nil {
		return err
	}
	return moneyAnswer(w, r, out, func() any { return a.viewOrder(o) })
}
