package sandboxapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/physical"
)

// SimulatedTransaction is a card transaction the sandbox issuer performs
// (HKD cents; 0 = the authorised amount where that makes sense).
type SimulatedTransaction struct {
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

// SimulatedResult is what the sandbox issuer reports back.
type SimulatedResult struct {
	EventID     string
	TradeID     int64
	CardBalance money.Amount
}

// IssuerSimulator drives the sandbox issuer; its events reach the platform
// through the signed webhook before it returns.
type IssuerSimulator interface {
	SimulateTransaction(ctx context.Context, publicToken string, tx SimulatedTransaction) (SimulatedResult, error)
	// ReportOrder sends the issuer's physical.order.updated event.
	ReportOrder(ctx context.Context, publicToken, orderNo string, status physical.Status, trackingNo, failReason string) (eventID string, err error)
}

// CardTransaction serves POST /sandbox/cards/{public_token}/transactions.
func (s *Helpers) CardTransaction(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Type             *string            `json:"type"`
		Amount           httpkit.FlexNumber `json:"amount"`
		TradeID          httpkit.FlexNumber `json:"trade_id"`
		MerchantName     *string            `json:"merchant_name"`
		MerchantCity     *string            `json:"merchant_city"`
		MerchantCountry  *string            `json:"merchant_country"`
		MerchantCurrency *string            `json:"merchant_currency"`
		MerchantAmount   httpkit.FlexNumber `json:"merchant_amount"`
		DeclineReason    *string            `json:"decline_reason"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	tx := SimulatedTransaction{Type: f.Required("type", b.Type), MerchantName: httpkit.Optional(b.MerchantName), MerchantCity: httpkit.Optional(b.MerchantCity),
		MerchantCountry: httpkit.Optional(b.MerchantCountry), MerchantCurrency: httpkit.Optional(b.MerchantCurrency), DeclineReason: httpkit.Optional(b.DeclineReason)}
	switch tx.Type {
	case "", "authorization", "decline":
		tx.Amount = f.Amount("amount", b.Amount, 2)
	case "clearing", "reversal", "refund":
		tx.TradeID = f.ID("trade_id", b.TradeID)
		if b.Amount.Present {
			tx.Amount = f.Amount("amount", b.Amount, 2)
		}
	default:
		f.Add("type", "must be authorization, clearing, reversal, refund or decline")
	}
	if b.MerchantAmount.Present {
		tx.MerchantAmount = f.Amount("merchant_amount", b.MerchantAmount, 2)
	}
	if len(tx.MerchantName) > 64 || len(tx.DeclineReason) > 64 {
		f.Add("merchant_name", "merchant_name and decline_reason are at most 64 characters")
	}
	if err := f.Err(); err != nil {
		return err
	}
	res, err := s.Sim.Issuer.SimulateTransaction(r.Context(), strings.TrimSpace(r.PathValue("public_token")), tx)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		EventID     string `json:"event_id"`
		TradeID     int64  `json:"trade_id"`
		CardBalance any    `json:"card_balance"`
	}{res.EventID, res.TradeID, httpkit.Num(res.CardBalance, 2)}))
	return nil
}

// ShipmentAdvance serves POST /sandbox/cards/{public_token}/shipment/advance:
// the issuer's physical.order.updated event for the card's latest order,
// applied before the answer.
func (s *Helpers) ShipmentAdvance(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		To         *string `json:"to"`
		TrackingNo *string `json:"tracking_no"`
		FailReason *string `json:"fail_reason"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	to := physical.Status(httpkit.Optional(b.To))
	switch to {
	case "", physical.StatusProcessing, physical.StatusShipped, physical.StatusDelivered, physical.StatusFailed:
	default:
		return apperr.Validation(map[string]string{"to": "must be PROCESSING, SHIPPED, DELIVERED or FAILED"})
	}
	token := r.PathValue("public_token")
	orderNo, next, err := s.Physical.NextUpdate(r.Context(), token, to)
	if err != nil {
		return err
	}
	// The simulated issuer reports the change through the signed webhook.
	if _, err := s.Sim.Issuer.ReportOrder(r.Context(), token, orderNo, next, httpkit.Optional(b.TrackingNo), httpkit.Optional(b.FailReason)); err != nil {
		return err
	}
	o, err := s.Physical.OrderByNo(r.Context(), orderNo)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		OrderNo    string `json:"order_no"`
		Status     string `json:"status"`
		TrackingNo string `json:"tracking_no"`
	}{o.OrderNo, string(o.Status), o.ShownTrackingNo()}))
	return nil
}
