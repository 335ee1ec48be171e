package httpapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/physical"
)

// physicalStatusText is the canonical English status_desc of each order
// state (API.md §3.4.5); i18n translates it.
var physicalStatusText = map[physical.Status]string{
	physical.StatusInit: "Email code sent", physical.StatusEmailVerified: "Email verified", physical.StatusFeePaid: "Fee paid",
	physical.StatusSubmitted: "Submitted to the card issuer", physical.StatusProcessing: "Processing",
	physical.StatusShipped: "Shipped", physical.StatusDelivered: "Delivered", physical.StatusFailed: "Failed",
	physical.StatusCancelled: "Cancelled",
}

func statusDesc(r *http.Request, status physical.Status) string {
	return i18n.Text(httpkit.Lang(r), physicalStatusText[status])
}

// upgradeFeeInfo serves GET /card/physical/upgrade/fee-info.
func (s *Server) upgradeFeeInfo(w http.ResponseWriter, r *http.Request, _ account.Principal) error {
	fee, currencies, err := s.Physical.FeeInfo(r.Context())
	if err != nil {
		return err
	}
	type currencyJSON struct {
		Name     string `json:"name"`
		Symbol   string `json:"symbol"`
		CoinName string `json:"coin_name"`
		Logo     string `json:"logo"`
	}
	list := []currencyJSON{}
	for _, c := range currencies {
		list = append(list, currencyJSON{c.Name, c.Symbol, c.CoinName, c.Logo})
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKC(r, "OK", struct {
		UpgradeAmount json.Number    `json:"upgrade_amount"`
		Currency      string         `json:"currency"`
		Currencies    []currencyJSON `json:"currencies"`
	}{httpkit.Num(fee, 2), "USD", list}))
	return nil
}

// parseScene checks the scene of the e-mail code endpoints.
func parseScene(f httpkit.Fields, v *string) string {
	scene := f.Required("scene", v)
	if scene != "" && scene != physical.Scene {
		f.Add("scene", "must be "+physical.Scene)
	}
	return scene
}

// upgradeSendCode serves POST /card/physical/upgrade/email-code/send.
func (s *Server) upgradeSendCode(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		PublicToken *string `json:"public_token"`
		Scene       *string `json:"scene"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	token, scene := f.Required("public_token", b.PublicToken), parseScene(f, b.Scene)
	if err := f.Err(); err != nil {
		return err
	}
	sent, err := s.Physical.SendCode(r.Context(), p.UserID, token)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKC(r, "OTP sent", struct {
		PublicToken  string `json:"public_token"`
		Scene        string `json:"scene"`
		Sent         bool   `json:"sent"`
		ExpiresInSec int    `json:"expires_in_sec"`
		OTP          string `json:"otp,omitempty"`
	}{sent.PublicToken, scene, true, int(sent.ExpiresIn.Seconds()), sent.OTP}))
	return nil
}

// upgradeVerifyCode serves POST /card/physical/upgrade/email-code/verify.
func (s *Server) upgradeVerifyCode(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		PublicToken *string `json:"public_token"`
		Code        *string `json:"code"`
		Scene       *string `json:"scene"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	token, code := f.Required("public_token", b.PublicToken), f.Secret("code", b.Code)
	parseScene(f, b.Scene)
	if err := f.Err(); err != nil {
		return err
	}
	v, err := s.Physical.VerifyCode(r.Context(), p.UserID, token, code)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKC(r, "OK", struct {
		VerifyToken  string `json:"verify_token"`
		ExpiresInSec int    `json:"expires_in_sec"`
	}{v.Token, int(v.ExpiresIn.Seconds())}))
	return nil
}

// familyCVerify renders the errors of the upgrade code check. The one
// status table says 429 for OTP_ATTEMPTS_EXCEEDED; API.md §1.10 makes this
// endpoint alone answer 423, which the mobile client expects here.
func familyCVerify(r *http.Request, e *apperr.Error) (int, any, *int) {
	status, body := errorResponseC(r, e)
	if e.Code == otp.ErrAttemptsExceeded.Code {
		status, body.Code = http.StatusLocked, http.StatusLocked
	}
	return status, body, body.RetryAfter
}

type convertBody struct {
	PublicToken     *string `json:"public_token"`
	VerifyToken     *string `json:"verify_token"`
	Recipient       *string `json:"recipient"`
	NameOnCard      *string `json:"name_on_card"`
	AreaCode        *string `json:"area_code"`
	Phone           *string `json:"phone"`
	Country         *string `json:"postal_country"`
	State           *string `json:"postal_state"`
	City            *string `json:"postal_city"`
	Address         *string `json:"postal_address"`
	PostalCode      *string `json:"postal_code"`
	PaymentCurrency *string `json:"payment_currency"`
}

// parse validates the body with the mailing rules of a physical card.
func (b convertBody) parse(userID int64) (physical.ConvertInput, error) {
	f := httpkit.NewFields()
	in := physical.ConvertInput{UserID: userID, PublicToken: f.Required("public_token", b.PublicToken),
		VerifyToken: f.Secret("verify_token", b.VerifyToken), PaymentCurrency: f.Required("payment_currency", b.PaymentCurrency),
		Shipping: physical.Shipping{Recipient: f.Required("recipient", b.Recipient), NameOnCard: f.Required("name_on_card", b.NameOnCard),
			AreaCode: f.Required("area_code", b.AreaCode), Phone: f.Required("phone", b.Phone), Country: f.Required("postal_country", b.Country),
			State: httpkit.Optional(b.State), City: f.Required("postal_city", b.City), Address: f.Required("postal_address", b.Address),
			PostalCode: f.Required("postal_code", b.PostalCode)}}
	in.Shipping.Check(f.Fields)
	return in, f.Err()
}

// convertToPhysical serves PUT /card/convertToPhysical. The Idempotency-Key
// is required; every answer after the claim — including the 502 of an
// issuer refusal, stored in the transaction that refunded the fee — is
// replayed byte for byte for the key.
func (s *Server) convertToPhysical(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	claim, done := s.claimKeyAs(w, r, p.UserID, raw, true)
	if done {
		return nil
	}
	var b convertBody
	in, err := physical.ConvertInput{}, httpkit.DecodeJSON(raw, &b)
	if err == nil {
		in, err = b.parse(p.UserID)
	}
	var (
		status int
		out    []byte
	)
	if err == nil {
		_, err = s.Physical.Convert(r.Context(), in, func(ctx context.Context, tx *sql.Tx, res physical.Result) error {
			status, out = s.convertResponse(r, res)
			return s.Idempotency.Finish(ctx, tx, claim, status, out)
		})
	}
	s.finish(w, r, claim, status, out, err)
	return nil
}

func (s *Server) convertResponse(r *http.Request, res physical.Result) (int, []byte) {
	if res.Failure != nil {
		e, _ := apperr.As(res.Failure)
		status, body := errorResponseC(r, e)
		return status, httpkit.MarshalJSON(body)
	}
	o := res.Order
	return http.StatusOK, httpkit.MarshalJSON(httpkit.OKC(r, "OK", struct {
		OrderNo         string      `json:"order_no"`
		PublicToken     string      `json:"public_token"`
		Status          string      `json:"status"`
		StatusDesc      string      `json:"status_desc"`
		UpgradeAmount   json.Number `json:"upgrade_amount"`
		PaymentCurrency string      `json:"payment_currency"`
		ApplicationID   int64       `json:"application_id"`
	}{o.OrderNo, o.PublicToken, string(o.Status), statusDesc(r, o.Status), httpkit.Num(o.FeeUSD, 2), o.PaymentCurrency, o.ID}))
}

type timelineJSON struct {
	At             string `json:"at"`
	Status         string `json:"status"`
	PreviousStatus string `json:"previous_status"`
	Source         string `json:"source"`
	Operator       string `json:"operator"`
	Remark         string `json:"remark"`
	ExternalReqID  string `json:"external_req_id"`
}

// upgradeProgress serves GET /card/physical/upgrade/progress.
func (s *Server) upgradeProgress(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	token := r.URL.Query().Get("public_token")
	if token == "" {
		return apperr.Validation(map[string]string{"public_token": "is required"})
	}
	o, events, err := s.Physical.Progress(r.Context(), p.UserID, token)
	if err != nil {
		return err
	}
	timeline := []timelineJSON{}
	for _, e := range events {
		timeline = append(timeline, timelineJSON{rfc3339(e.At), string(e.Status), string(e.PreviousStatus), string(e.Source), e.Operator, e.Remark, e.ExternalReqID})
	}
	failReason := ""
	if o.Status == physical.StatusFailed {
		failReason = o.FailReason
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKC(r, "OK", struct {
		OrderNo       string         `json:"order_no"`
		ApplicationID int64          `json:"application_id"`
		PublicToken   string         `json:"public_token"`
		Status        string         `json:"status"`
		StatusDesc    string         `json:"status_desc"`
		TrackingNo    string         `json:"tracking_no"`
		FailReason    string         `json:"fail_reason"`
		RefundStatus  string         `json:"refund_status"`
		Timeline      []timelineJSON `json:"timeline"`
	}{o.OrderNo, o.ID, o.PublicToken, string(o.Status), statusDesc(r, o.Status), o.ShownTrackingNo(), failReason, string(o.RefundStatus),
		timeline}))
	return nil
}

// applicationStatus is the lowercase projection of an order state.
func applicationStatus(status physical.Status) (string, string) {
	switch status {
	case physical.StatusProcessing:
		return "approved", "Approved"
	case physical.StatusShipped:
		return "shipped", "Shipped"
	case physical.StatusDelivered:
		return "delivered", "Delivered"
	case physical.StatusFailed, physical.StatusCancelled:
		return "rejected", "Rejected"
	default:
		return "pending", "Pending"
	}
}

// confirmDelivery serves POST /card/physical-application/{id}/confirm-delivery.
func (s *Server) confirmDelivery(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return physical.ErrApplicationNotFound.WithDetails("No such physical card application")
	}
	o, err := s.Physical.ConfirmDelivery(r.Context(), p.UserID, id)
	if err != nil {
		return err
	}
	type applicationJSON struct {
		ID             int64   `json:"id"`
		Status         string  `json:"status"`
		StatusText     string  `json:"status_text"`
		TrackingNumber string  `json:"tracking_number"`
		RejectReason   string  `json:"reject_reason"`
		CreatedAt      string  `json:"created_at"`
		ShippedAt      *string `json:"shipped_at"`
		DeliveredAt    *string `json:"delivered_at"`
	}
	st, text := applicationStatus(o.Status)
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		ApplicationID int64           `json:"application_id"`
		CardID        int64           `json:"card_id"`
		Application   applicationJSON `json:"application"`
	}{httpkit.OKA(r, "Delivery confirmed successfully"), o.ID, o.CardID, applicationJSON{o.ID, st, i18n.Text(httpkit.Lang(r), text),
		o.TrackingNo, o.FailReason, rfc3339(o.CreatedAt), optTime(o.ShippedAt), optTime(o.DeliveredAt)}})
	return nil
}

// fillPhysical completes GET /card/account-details from the card's orders.
func (s *Server) fillPhysical(ctx context.Context, d *accountDetailsJSON) error {
	sum, err := s.Physical.CardSummary(ctx, d.ID)
	if err != nil {
		return err
	}
	d.UpdatePhysical = sum.UpdatePhysical
	d.ApplicationID = nil
	if sum.ApplicationID != 0 {
		d.ApplicationID = &sum.ApplicationID
	}
	return nil
}
