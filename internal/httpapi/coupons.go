package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/money"
)

// couponValue renders a coupon's value: USD for fixed, percent points for
// percentage coupons.
func couponValue(c coupon.Coupon) json.Number {
	return httpkit.Num(money.Amount(c.Value), 2)
}

type couponItemJSON struct {
	ID          int64       `json:"id"`
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Type        string      `json:"type"`
	Value       json.Number `json:"value"`
	MinFee      json.Number `json:"min_fee"`
	MaxDiscount json.Number `json:"max_discount"`
	Status      string      `json:"status"`
	ValidFrom   string      `json:"valid_from"`
	ValidUntil  string      `json:"valid_until"`
	AssignedAt  string      `json:"assigned_at"`
	UsedAt      *string     `json:"used_at"`
}

func toCouponItem(uc coupon.UserCoupon) couponItemJSON {
	c := uc.Coupon
	return couponItemJSON{uc.ID, c.Code, c.Name, string(c.Type), couponValue(c), httpkit.Num(c.MinFee, 2), httpkit.Num(c.MaxDiscount, 2), string(uc.Status),
		rfc3339(c.ValidFrom), rfc3339(c.ValidUntil), rfc3339(uc.AssignedAt), optTime(uc.UsedAt)}
}

// listCoupons serves GET /coupons/.
func (s *Server) listCoupons(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	onlyValid := r.URL.Query().Get("only_valid") == "true"
	list, _, err := s.Coupons.List(r.Context(), p.UserID, onlyValid, "", 0, 0)
	if err != nil {
		return err
	}
	items := make([]couponItemJSON, 0, len(list))
	for _, uc := range list {
		items = append(items, toCouponItem(uc))
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Count   int              `json:"count"`
		Coupons []couponItemJSON `json:"coupons"`
	}{httpkit.OKA(r, "OK"), len(items), items})
	return nil
}

// myCoupons serves GET /coupons/my-coupons.
func (s *Server) myCoupons(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	page, limit, err := httpkit.PageParams(r, "limit")
	if err != nil {
		return err
	}
	status := coupon.Status(r.URL.Query().Get("status"))
	if status != "" && status != coupon.Unused && status != coupon.Used && status != coupon.Expired {
		return apperr.Validation(map[string]string{"status": "must be unused, used or expired"})
	}
	list, total, err := s.Coupons.List(r.Context(), p.UserID, false, status, page, limit)
	if err != nil {
		return err
	}
	type couponJSON struct {
		ID                   int64       `json:"id"`
		Code                 string      `json:"code"`
		Name                 string      `json:"name"`
		Description          string      `json:"description"`
		ValueType            string      `json:"value_type"`
		Value                json.Number `json:"value"`
		MinTransactionAmount json.Number `json:"min_transaction_amount"`
		MaxDiscount          json.Number `json:"max_discount"`
		UsageLimit           int         `json:"usage_limit"`
		UsageLimitPerUser    int         `json:"usage_limit_per_user"`
		UsedCount            int         `json:"used_count"`
		Status               string      `json:"status"`
		ExpiresAt            string      `json:"expires_at"`
		CreatedBy            int64       `json:"created_by"`
	}
	type userJSON struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	}
	type itemJSON struct {
		ID               int64      `json:"id"`
		UserID           int64      `json:"user_id"`
		CouponID         int64      `json:"coupon_id"`
		Status           string     `json:"status"`
		IsUsed           bool       `json:"is_used"`
		UsedAt           *string    `json:"used_at"`
		AssignedAt       string     `json:"assigned_at"`
		NotificationSent bool       `json:"notification_sent"`
		Source           string     `json:"source"`
		UsageCount       int        `json:"usage_count"`
		User             userJSON   `json:"user"`
		Coupon           couponJSON `json:"coupon"`
	}
	items := []itemJSON{}
	for _, uc := range list {
		c := uc.Coupon
		used := 0
		if uc.Status == coupon.Used {
			used = 1
		}
		items = append(items, itemJSON{uc.ID, uc.UserID, c.ID, string(uc.Status), uc.Status == coupon.Used, optTime(uc.UsedAt),
			rfc3339(uc.AssignedAt), false, string(uc.Source), used, userJSON{p.UserID, p.Email},
			couponJSON{c.ID, c.Code, c.Name, c.Description, string(c.Type), couponValue(c), httpkit.Num(c.MinFee, 2), httpkit.Num(c.MaxDiscount, 2),
				c.UsageLimit, c.UsageLimitPerUser, c.AssignedCount, c.Status, rfc3339(c.ValidUntil), c.CreatedBy}})
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Coupons    []itemJSON `json:"coupons"`
		Pagination struct {
			Limit int `json:"limit"`
			Page  int `json:"page"`
			Total int `json:"total"`
		} `json:"pagination"`
	}{Coupons: items, Pagination: struct {
		Limit int `json:"limit"`
		Page  int `json:"page"`
		Total int `json:"total"`
	}{limit, page, total}}))
	return nil
}

// claimCoupon serves POST /coupons/claim.
func (s *Server) claimCoupon(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		Code *string `json:"coupon_code"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	code := f.Required("coupon_code", b.Code)
	if err := f.Err(); err != nil {
		return err
	}
	uc, err := s.Coupons.Claim(r.Context(), p.UserID, code)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Coupon     couponItemJSON `json:"coupon"`
		UserCoupon struct {
			ID         int64  `json:"id"`
			Status     string `json:"status"`
			AssignedAt string `json:"assigned_at"`
		} `json:"user_coupon"`
	}{EnvelopeA: httpkit.OKA(r, "Coupon claimed successfully"), Coupon: toCouponItem(uc), UserCoupon: struct {
		ID         int64  `json:"id"`
		Status     string `json:"status"`
		AssignedAt string `json:"assigned_at"`
	}{uc.ID, string(uc.Status), rfc3339(uc.AssignedAt)}})
	return nil
}

// checkCouponEligibility serves POST /coupons/check-eligibility; an
// ineligible coupon is an answer, never an error.
func (s *Server) checkCouponEligibility(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		Code     *string            `json:"coupon_code"`
		Amount   httpkit.FlexNumber `json:"transaction_amount"`
		CardType *string            `json:"card_type"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	code := f.Required("coupon_code", b.Code)
	amount := f.Amount("transaction_amount", b.Amount, 2)
	cardType := httpkit.Optional(b.CardType)
	if cardType == "" {
		cardType = string(cardfee.Virtual)
	}
	if !cardfee.ValidCardType(cardfee.CardType(cardType)) {
		f.Add("card_type", "must be virtual or physical")
	}
	if err := f.Err(); err != nil {
		return err
	}
	out := struct {
		httpkit.EnvelopeA
		Eligible       bool        `json:"eligible"`
		DiscountAmount json.Number `json:"discount_amount"`
		FinalAmount    json.Number `json:"final_amount"`
		Reason         string      `json:"reason"`
	}{EnvelopeA: httpkit.OKA(r, "OK"), DiscountAmount: "0", FinalAmount: httpkit.Num(amount, 2)}
	_, discount, err := s.Coupons.Quote(r.Context(), s.DB.SQL, p.UserID, code, cardType, amount)
	if e, ok := apperr.As(err); ok {
		out.Reason = i18n.ErrorMessage(httpkit.Lang(r), e.Code)
	} else if err != nil {
		return err
	} else {
		out.Eligible, out.DiscountAmount, out.FinalAmount = true, httpkit.Num(discount, 2), httpkit.Num(amount-discount, 2)
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
