package httpapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/kyc"
)

type paymentJSON struct {
	ID             int64       `json:"id"`
	UserID         int64       `json:"user_id"`
	CardType       string      `json:"card_type"`
	OriginalFee    json.Number `json:"original_fee"`
	CouponDiscount json.Number `json:"coupon_discount"`
	ActualPayment  json.Number `json:"actual_payment"`
	Status         string      `json:"status"`
	TransactionRef string      `json:"transaction_ref"`
	PaymentMethod  string      `json:"payment_method"`
	CouponCode     string      `json:"coupon_code"`
	CouponName     string      `json:"coupon_name"`
	Consumed       bool        `json:"consumed"`
	CreatedAt      string      `json:"created_at"`
	ExpiresAt      string      `json:"expires_at"`
	PaidAt         *string     `json:"paid_at"`
}

func toPaymentJSON(p cardfee.Payment) paymentJSON {
	out := paymentJSON{ID: p.ID, UserID: p.UserID, CardType: string(p.CardType), OriginalFee: httpkit.Num(p.OriginalFee, 2),
		CouponDiscount: httpkit.Num(p.CouponDiscount, 2), ActualPayment: httpkit.Num(p.ActualPayment, 2), Status: string(p.Status),
		TransactionRef: p.Ref, PaymentMethod: p.PaymentMethod, CouponCode: p.CouponCode, CouponName: p.CouponName,
		Consumed: p.Consumed, CreatedAt: rfc3339(p.CreatedAt), ExpiresAt: rfc3339(p.ExpiresAt)}
	if p.PaidAt != nil {
		at := rfc3339(*p.PaidAt)
		out.PaidAt = &at
	}
	return out
}

// cardTypeParam reads the card_type query parameter (default virtual).
func cardTypeParam(r *http.Request) (cardfee.CardType, error) {
	t := cardfee.CardType(r.URL.Query().Get("card_type"))
	if t == "" {
		return cardfee.Virtual, nil
	}
	if !cardfee.ValidCardType(t) {
		return "", apperr.Validation(map[string]string{"card_type": "must be virtual or physical"})
	}
	return t, nil
}

func (s *Server) cardFeeStats(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	cardType, err := cardTypeParam(r)
	if err != nil {
		return err
	}
	st, err := s.CardFees.Stats(r.Context(), p.UserID, cardType)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Stats statsJSON `json:"stats"`
	}{httpkit.OKA(r, "OK"), statsJSON(st)})
	return nil
}

// statsJSON has the exact keys of GET /CardFee/GetStats.
type statsJSON struct {
	NeedsPayment   bool `json:"needs_payment_for_next_card"`
	CanApply       bool `json:"can_apply_new_card"`
	MaxCards       int  `json:"max_cards"`
	SuccessCards   int  `json:"success_cards"`
	PendingCards   int  `json:"pending_cards"`
	RemainingSlots int  `json:"remaining_slots"`
	NextCardIndex  int  `json:"next_card_index"`
}

func (s *Server) cardFeeConfig(w http.ResponseWriter, r *http.Request, _ account.Principal) error {
	cardType, err := cardTypeParam(r)
	if err != nil {
		return err
	}
	c, err := s.CardFees.Config(r.Context(), s.DB.SQL, cardType)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Config feeConfigJSON `json:"config"`
	}{httpkit.OKA(r, "OK"), feeConfigJSON{c.ID, string(c.CardType), c.FeeType, httpkit.Num(c.FeeAmount, 2), c.IsActive, c.Description, c.CreatedBy,
		rfc3339(c.CreatedAt), rfc3339(c.UpdatedAt)}})
	return nil
}

// feeConfigJSON keeps the capital IsActive key the client reads.
type feeConfigJSON struct {
	ID          int64       `json:"id"`
	CardType    string      `json:"card_type"`
	FeeType     string      `json:"fee_type"`
	FeeAmount   json.Number `json:"fee_amount"`
	IsActive    bool        `json:"IsActive"`
	Description string      `json:"description"`
	CreatedBy   int64       `json:"created_by"`
	CreatedAt   string      `json:"created_at"`
	UpdatedAt   string      `json:"updated_at"`
}

func (s *Server) cardFeeCurrencies(w http.ResponseWriter, r *http.Request, _ account.Principal) error {
	type currencyJSON struct {
		Name     string `json:"name"`
		Symbol   string `json:"symbol"`
		CoinName string `json:"coin_name"`
		Logo     string `json:"logo"`
	}
	list := []currencyJSON{}
	for _, c := range s.Wallets.Currencies.All() {
		if c.Crypto() {
			list = append(list, currencyJSON{c.Name, c.Token(), c.CoinName, c.Logo})
		}
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Currencies []currencyJSON `json:"currencies"`
	}{httpkit.OKA(r, "OK"), list})
	return nil
}

type paymentResponse struct {
	httpkit.EnvelopeA
	Payment paymentJSON `json:"payment"`
}

func (s *Server) createCardFeePayment(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	var b struct {
		CardType   *string `json:"card_type"`
		CouponCode *string `json:"coupon_code"`
	}
	if err := httpkit.DecodeJSON(raw, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	cardType := cardfee.CardType(f.Required("card_type", b.CardType))
	if cardType != "" && !cardfee.ValidCardType(cardType) {
		f.Add("card_type", "must be virtual or physical")
	}
	if err := f.Err(); err != nil {
		return err
	}
	coupon := httpkit.Optional(b.CouponCode)
	s.execute(w, r, p.UserID, raw, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		pay, err := s.CardFees.CreatePayment(ctx, tx, p.UserID, cardType, coupon)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, paymentResponse{httpkit.OKA(r, "Payment created successfully"), toPaymentJSON(pay)}, nil
	})
	return nil
}

func (s *Server) completeCardFeePayment(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	var b struct {
		Currency *string `json:"payment_currency"`
	}
	if err := httpkit.DecodeJSON(raw, &b); err != nil {
		return err
	}
	ref := r.PathValue("transaction_ref")
	currency := httpkit.Optional(b.Currency)
	s.execute(w, r, p.UserID, raw, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		pay, err := s.CardFees.CompletePayment(ctx, tx, p.UserID, ref, currency)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, paymentResponse{httpkit.OKA(r, "Payment completed successfully"), toPaymentJSON(pay)}, nil
	})
	return nil
}

func (s *Server) cardFeePaymentStatus(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	cardType := cardfee.CardType(r.URL.Query().Get("card_type"))
	if cardType != "" && !cardfee.ValidCardType(cardType) {
		return apperr.Validation(map[string]string{"card_type": "must be virtual or physical"})
	}
	pay, ok, err := s.CardFees.Latest(r.Context(), p.UserID, cardType)
	if err != nil {
		return err
	}
	body := struct {
		httpkit.EnvelopeA
		HasPayment    bool         `json:"has_payment"`
		PaymentStatus string       `json:"payment_status"`
		Payment       *paymentJSON `json:"payment"`
	}{EnvelopeA: httpkit.OKA(r, "OK"), PaymentStatus: "none"}
	if ok {
		j := toPaymentJSON(pay)
		body.HasPayment, body.PaymentStatus, body.Payment = true, string(pay.Status), &j
	}
	httpkit.WriteJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) cardFeePaymentHistory(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	page, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	list, total, err := s.CardFees.History(r.Context(), p.UserID, page, size)
	if err != nil {
		return err
	}
	out := make([]paymentJSON, 0, len(list))
	for _, pay := range list {
		out = append(out, toPaymentJSON(pay))
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Page       int           `json:"page"`
		PageSize   int           `json:"page_size"`
		Total      int           `json:"total"`
		TotalPages int           `json:"total_pages"`
		Payments   []paymentJSON `json:"payments"`
	}{httpkit.OKA(r, "OK"), page, size, total, httpkit.TotalPages(total, size), out})
	return nil
}

func (s *Server) kycEligibility(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	prof, err := s.Accounts.Profile(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	e, err := s.CardFees.KYCEligibility(r.Context(), p.UserID, prof.KYCStatus == kyc.UserVerified)
	if err != nil {
		return err
	}
	reason := ""
	if !e.Eligible {
		reason = "Card fee payment required before KYC verification"
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Eligible       bool   `json:"eligible"`
		PaymentStatus  string `json:"payment_status"`
		PaymentType    string `json:"payment_type"`
		Reason         string `json:"reason"`
		RequiredAction string `json:"required_action"`
	}{httpkit.OKA(r, "OK"), e.Eligible, e.PaymentStatus, string(e.PaymentType), i18n.Text(httpkit.Lang(r), reason), e.RequiredAction})
	return nil
}
