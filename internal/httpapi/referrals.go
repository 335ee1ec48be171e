package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/referral"
)

// referralCode serves GET /user/referral-code.
func (s *Server) referralCode(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	code, err := s.Referrals.Code(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		ReferralCode string `json:"referral_code"`
	}{httpkit.OKA(r, "OK"), code})
	return nil
}

// referralStats serves GET /user/referral-stats.
func (s *Server) referralStats(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	st, err := s.Referrals.Stats(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	type statsJSON struct {
		Level1Count          int         `json:"level1_count"`
		Level2Count          int         `json:"level2_count"`
		TotalReferrals       int         `json:"total_referrals"`
		TotalCommission      json.Number `json:"total_commission"`
		PendingCommission    json.Number `json:"pending_commission"`
		ThisMonthCommission  json.Number `json:"this_month_commission"`
		Level1CardCommission json.Number `json:"level1_card_opening_commission"`
		Level2CardCommission json.Number `json:"level2_card_opening_commission"`
		Level1TxCommission   json.Number `json:"level1_transaction_commission"`
		Level2TxCommission   json.Number `json:"level2_transaction_commission"`
		Currency             string      `json:"currency"`
	}
	d := st.Decimals
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Stats statsJSON `json:"stats"`
	}{httpkit.OKA(r, "OK"), statsJSON{st.Level1, st.Level2, st.Level1 + st.Level2, httpkit.Num(st.Total, d), httpkit.Num(st.Pending, d),
		httpkit.Num(st.ThisMonth, d), httpkit.Num(st.L1Card, d), httpkit.Num(st.L2Card, d), httpkit.Num(st.L1Tx, d), httpkit.Num(st.L2Tx, d), "USDT"}})
	return nil
}

type referralPaginationJSON struct {
	Page       int `json:"page"`
	PageSize   int `json:"page_size"`
	Total      int `json:"total"`
	TotalPages int `json:"total_pages"`
}

// intChoice parses an optional integer query parameter that must be one of
// allowed ("" → 0).
func intChoice(r *http.Request, name string, allowed ...int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	for _, a := range allowed {
		if err == nil && n == a {
			return n, nil
		}
	}
	return 0, apperr.Validation(map[string]string{name: "must be one of " + joinInts(allowed)})
}

func joinInts(xs []int) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += strconv.Itoa(x)
	}
	return out
}

// referrals serves GET /user/referrals.
func (s *Server) referrals(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	page, size, err := httpkit.PageParams(r, "page_size")
	if err == nil {
		var level int
		if level, err = intChoice(r, "level", 0, 1, 2); err == nil {
			var list []account.Referee
			var total int
			if list, total, err = s.Referrals.Referrals(r.Context(), p.UserID, level, size, (page-1)*size); err == nil {
				type refJSON struct {
					ID        int64  `json:"id"`
					Email     string `json:"email"`
					FirstName string `json:"first_name"`
					LastName  string `json:"last_name"`
					Level     int    `json:"level"`
					CreatedAt string `json:"created_at"`
				}
				items := make([]refJSON, 0, len(list))
				for _, ref := range list {
					items = append(items, refJSON{ref.ID, ref.Email, ref.FirstName, ref.LastName, ref.Level, rfc3339(ref.CreatedAt)})
				}
				httpkit.WriteJSON(w, http.StatusOK, struct {
					httpkit.EnvelopeA
					Referrals  []refJSON              `json:"referrals"`
					Pagination referralPaginationJSON `json:"pagination"`
				}{httpkit.OKA(r, "OK"), items, referralPaginationJSON{page, size, total, httpkit.TotalPages(total, size)}})
				return nil
			}
		}
	}
	return err
}

// commissions serves GET /user/commissions.
func (s *Server) commissions(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	page, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	f := referral.CommissionFilter{Type: referral.CommissionType(r.URL.Query().Get("type"))}
	if f.Type != "" && f.Type != referral.TypeCardOpening && f.Type != referral.TypeTransaction {
		return apperr.Validation(map[string]string{"type": "must be card_opening or transaction"})
	}
	if f.Level, err = intChoice(r, "level", 1, 2); err != nil {
		return err
	}
	list, total, err := s.Referrals.Commissions(r.Context(), p.UserID, f, size, (page-1)*size)
	if err != nil {
		return err
	}
	type refereeJSON struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	}
	type commissionJSON struct {
		ID               int64                     `json:"id"`
		Type             referral.CommissionType   `json:"type"`
		Level            int                       `json:"level"`
		CommissionAmount json.Number               `json:"commission_amount"`
		SourceAmount     json.Number               `json:"source_amount"`
		Rate             json.Number               `json:"rate"`
		Currency         string                    `json:"currency"`
		Status           referral.CommissionStatus `json:"status"`
		CreatedAt        string                    `json:"created_at"`
		Referee          refereeJSON               `json:"referee"`
	}
	items := make([]commissionJSON, 0, len(list))
	for _, c := range list {
		items = append(items, commissionJSON{c.ID, c.Type, c.Level, httpkit.Num(c.Amount, c.Decimals), httpkit.Num(c.SourceAmount, c.Decimals),
			rateNum(c.Rate), c.Currency, c.Status, rfc3339(c.CreatedAt), refereeJSON{c.RefereeID, c.RefereeEmail}})
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Commissions []commissionJSON       `json:"commissions"`
		Pagination  referralPaginationJSON `json:"pagination"`
	}{httpkit.OKA(r, "OK"), items, referralPaginationJSON{page, size, total, httpkit.TotalPages(total, size)}})
	return nil
}

type referrerJSON struct {
	ID        int64  `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

func toReferrer(p *account.Referee) *referrerJSON {
	if p == nil {
		return nil
	}
	return &referrerJSON{p.ID, p.Email, p.FirstName, p.LastName}
}

// myReferrer serves GET /user/my-referrer.
func (s *Server) myReferrer(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	l1, l2, err := s.Referrals.Referrers(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		HasReferrer bool          `json:"has_referrer"`
		Level1      *referrerJSON `json:"level1_referrer"`
		Level2      *referrerJSON `json:"level2_referrer"`
	}{httpkit.OKA(r, "OK"), l1 != nil, toReferrer(l1), toReferrer(l2)})
	return nil
}

type tierJSON struct {
	TierLevel             int         `json:"tier_level"`
	TierName              string      `json:"tier_name"`
	Description           string      `json:"description"`
	MinReferralCount      int64       `json:"min_referral_count"`
	MaxReferralCount      int64       `json:"max_referral_count"`
	Level1CardOpeningRate json.Number `json:"level1_card_opening_rate"`
	Level1TransactionRate json.Number `json:"level1_transaction_rate"`
	Level2CardOpeningRate json.Number `json:"level2_card_opening_rate"`
	Level2TransactionRate json.Number `json:"level2_transaction_rate"`
}

// tierConfigs serves GET /tier-configs (public).
func (s *Server) tierConfigs(w http.ResponseWriter, r *http.Request) error {
	tiers, err := s.Referrals.Tiers(r.Context())
	if err != nil {
		return err
	}
	items := make([]tierJSON, 0, len(tiers))
	for _, t := range tiers {
		items = append(items, tierJSON{t.Level, t.Name, t.Description, t.Min, t.Max, rateNum(t.L1Card), rateNum(t.L1Tx),
			rateNum(t.L2Card), rateNum(t.L2Tx)})
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Total   int        `json:"total"`
		Configs []tierJSON `json:"configs"`
	}{len(items), items}))
	return nil
}

// userTier serves GET /user/tier.
func (s *Server) userTier(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	ut, err := s.Referrals.TierOf(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	t := ut.Tier
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		UserID          int64       `json:"user_id"`
		TierLevel       int         `json:"tier_level"`
		TierName        string      `json:"tier_name"`
		DirectReferrals int64       `json:"direct_referrals"`
		Level1CardRate  json.Number `json:"level1_card_rate"`
		Level1TxRate    json.Number `json:"level1_tx_rate"`
		Level2CardRate  json.Number `json:"level2_card_rate"`
		Level2TxRate    json.Number `json:"level2_tx_rate"`
	}{p.UserID, t.Level, t.Name, ut.Qualified, rateNum(t.L1Card), rateNum(t.L1Tx), rateNum(t.L2Card), rateNum(t.L2Tx)}))
	return nil
}

// tierProgress serves GET /user/tier/progress.
func (s *Server) tierProgress(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	ut, err := s.Referrals.TierOf(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	next, remaining, required := "", int64(0), int64(0)
	if !ut.Max {
		next, required = ut.Next.Name, ut.Next.Min
		remaining = max(required-ut.Qualified, 0)
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		CurrentReferrals  int64  `json:"current_referrals"`
		CurrentTier       string `json:"current_tier"`
		NextTier          string `json:"next_tier"`
		IsMaxTier         bool   `json:"is_max_tier"`
		RemainingCount    int64  `json:"remaining_count"`
		RequiredReferrals int64  `json:"required_referrals"`
	}{ut.Qualified, ut.Tier.Name, next, ut.Max, remaining, required}))
	return nil
}
