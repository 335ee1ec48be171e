package adminapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/referral"
)

// tierRowView is a tier as GET /tier-configs shows it.
type tierRowView struct {
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

func rateNumber(r money.Rate) json.Number { return json.Number(r.String()) }

// tierTableAnswer writes the whole table (what every tier route answers).
func tierTableAnswer(w http.ResponseWriter, r *http.Request, tiers []referral.Tier) error {
	items := make([]tierRowView, 0, len(tiers))
	for _, t := range tiers {
		items = append(items, tierRowView{t.Level, t.Name, t.Description, t.Min, t.Max, rateNumber(t.L1Card), rateNumber(t.L1Tx),
			rateNumber(t.L2Card), rateNumber(t.L2Tx)})
	}
	return ok(w, r, http.StatusOK, map[string]any{"items": items})
}

// tierInput is one tier in a request body.
type tierInput struct {
	TierLevel             *int               `json:"tier_level"`
	TierName              *string            `json:"tier_name"`
	Description           *string            `json:"description"`
	MinReferralCount      *int64             `json:"min_referral_count"`
	MaxReferralCount      *int64             `json:"max_referral_count"`
	Level1CardOpeningRate httpkit.FlexNumber `json:"level1_card_opening_rate"`
	Level1TransactionRate httpkit.FlexNumber `json:"level1_transaction_rate"`
	Level2CardOpeningRate httpkit.FlexNumber `json:"level2_card_opening_rate"`
	Level2TransactionRate httpkit.FlexNumber `json:"level2_transaction_rate"`
}

// parse reads the tier (every field but the description is required; the
// level comes from the path when level > 0); the rules between tiers are
// referral.ValidateTiers'.
func (in tierInput) parse(f httpkit.Fields, prefix string, level int) referral.Tier {
	t := referral.Tier{Level: level, Name: f.Required(prefix+"tier_name", in.TierName), Description: httpkit.Optional(in.Description)}
	switch {
	case level > 0 && in.TierLevel != nil && *in.TierLevel != level:
		f.Add(prefix+"tier_level", "must be the level of the path, or absent")
	case level == 0 && in.TierLevel == nil:
		f.Add(prefix+"tier_level", "is required")
	case level == 0:
		t.Level = *in.TierLevel
	}
	for name, v := range map[string]*int64{"min_referral_count": in.MinReferralCount, "max_referral_count": in.MaxReferralCount} {
		if v == nil {
			f.Add(prefix+name, "is required")
		}
	}
	if in.MinReferralCount != nil && in.MaxReferralCount != nil {
		t.Min, t.Max = *in.MinReferralCount, *in.MaxReferralCount
	}
	t.L1Card = parseFraction(f, prefix+"level1_card_opening_rate", in.Level1CardOpeningRate)
	t.L1Tx = parseFraction(f, prefix+"level1_transaction_rate", in.Level1TransactionRate)
	t.L2Card = parseFraction(f, prefix+"level2_card_opening_rate", in.Level2CardOpeningRate)
	t.L2Tx = parseFraction(f, prefix+"level2_transaction_rate", in.Level2TransactionRate)
	return t
}

// parseFraction reads a required rate: a decimal fraction, 0 allowed, at
// most 8 decimals (0.25 = 25 %).
func parseFraction(f httpkit.Fields, name string, v httpkit.FlexNumber) money.Rate {
	switch {
	case !v.Present:
		f.Add(name, "is required")
		return 0
	case !v.TypeOK:
		f.Add(name, "must be a number")
		return 0
	}
	a, err := money.ParsePositive(v.Raw, 8)
	switch {
	case err == nil:
		return money.Rate(a)
	case errors.Is(err, money.ErrNotPositive):
		return 0
	}
	f.Add(name, "must be a fraction between 0 and 1 with at most 8 decimals")
	return 0
}

// tierConfigs: GET /admin/tier-configs.
func (a *API) tierConfigs(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	tiers, err := a.Office.TierConfigs(r.Context())
	if err != nil {
		return err
	}
	return tierTableAnswer(w, r, tiers)
}

// setTierConfigs: POST /admin/tier-configs {tiers: [...], remove: [...]}.
func (a *API) setTierConfigs(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	var in struct {
		Tiers  []tierInput `json:"tiers"`
		Remove []int       `json:"remove"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	if len(in.Tiers) == 0 && len(in.Remove) == 0 {
		f.Add("tiers", "give the tiers to add or replace, or levels to remove")
	}
	set := make([]referral.Tier, 0, len(in.Tiers))
	for i, t := range in.Tiers {
		set = append(set, t.parse(f, "tiers["+strconv.Itoa(i)+"].", 0))
	}
	if err := f.Err(); err != nil {
		return err
	}
	tiers, err := a.Office.SetTiers(r.Context(), set, in.Remove)
	if err != nil {
		return err
	}
	return tierTableAnswer(w, r, tiers)
}

// tierLevel parses the {tier_level} wildcard; anything else names no tier.
func tierLevel(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("tier_level"))
	if err != nil || n <= 0 {
		return 0, referral.ErrTierNotFound
	}
	return n, nil
}

// updateTierConfig: PUT /admin/tier-configs/{tier_level}.
func (a *API) updateTierConfig(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	level, err := tierLevel(r)
	if err != nil {
		return err
	}
	var in tierInput
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	t := in.parse(f, "", level)
	if err := f.Err(); err != nil {
		return err
	}
	tiers, err := a.Office.UpdateTier(r.Context(), t)
	if err != nil {
		return err
	}
	return tierTableAnswer(w, r, tiers)
}

// deleteTierConfig: DELETE /admin/tier-configs/{tier_level}.
func (a *API) deleteTierConfig(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	level, err := tierLevel(r)
	if err != nil {
		return err
	}
	tiers, err := a.Office.DeleteTier(r.Context(), level)
	if err != nil {
		return err
	}
	return tierTableAnswer(w, r, tiers)
}

type commissionRowView struct {
	ID               int64       `json:"id"`
	BeneficiaryID    int64       `json:"beneficiary_id"`
	RefereeID        int64       `json:"referee_id"`
	Level            int         `json:"level"`
	Type             string      `json:"type"`
	SourceTable      string      `json:"source_table"`
	SourceID         int64       `json:"source_id"`
	SourceAmount     json.Number `json:"source_amount"`
	Rate             json.Number `json:"rate"`
	TierLevel        int         `json:"tier_level"`
	CommissionAmount json.Number `json:"commission_amount"`
	Currency         string      `json:"currency"`
	Status           string      `json:"status"`
	Reference        string      `json:"reference"`
	CreatedAt        time.Time   `json:"created_at"`
	CreditedAt       *time.Time  `json:"credited_at"`
	CancelledAt      *time.Time  `json:"cancelled_at"`
	CancelReason     string      `json:"cancel_reason"`
}

func viewCommission(c referral.AdminCommission) commissionRowView {
	return commissionRowView{ID: c.ID, BeneficiaryID: c.Beneficiary, RefereeID: c.RefereeID, Level: c.Level, Type: string(c.Type),
		SourceTable: c.SourceTable, SourceID: c.SourceID, SourceAmount: httpkit.Num(c.SourceAmount, c.Decimals), Rate: rateNumber(c.Rate),
		TierLevel: c.TierLevel, CommissionAmount: httpkit.Num(c.Amount, c.Decimals), Currency: c.Currency, Status: string(c.Status),
		Reference: c.Reference, CreatedAt: c.CreatedAt, CreditedAt: c.CreditedAt, CancelledAt: c.CancelledAt, CancelReason: c.CancelReason}
}

// listCommissions: GET /admin/commissions?user_id=&referee_id=&status=&type=&level=.
func (a *API) listCommissions(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	q := httpkit.NewFields()
	f := referral.AdminCommissionFilter{BeneficiaryID: queryID(r, q, "user_id"), RefereeID: queryID(r, q, "referee_id"),
		Status: referral.CommissionStatus(queryEnum(r, q, "status", string(referral.StatusCredited), string(referral.StatusPending),
			string(referral.StatusCancelled), string(referral.StatusFailed))),
		Type: referral.CommissionType(queryEnum(r, q, "type", string(referral.TypeCardOpening), string(referral.TypeTransaction)))}
	if level := queryEnum(r, q, "level", "1", "2"); level != "" {
		f.Level, _ = strconv.Atoi(level)
	}
	if err := q.Err(); err != nil {
		return err
	}
	list, total, err := a.Office.Commissions(r.Context(), f, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, viewCommission, pageNo, size, total))
}

var errNoCommission = apperr.New(apperr.CodeNotFound).WithDetails("No such commission")

// payCommission: POST /admin/commissions/{id}/pay {reason}.
func (a *API) payCommission(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", errNoCommission)
	if err != nil {
		return err
	}
	reason, err := readReason(r)
	if err != nil {
		return err
	}
	out, c, err := a.Office.PayCommission(r.Context(), id, reason)
	if err != nil {
		return err
	}
	return moneyAnswer(w, r, out, func() any { return viewCommission(c) })
}

// cancelCommission: POST /admin/commissions/{id}/cancel {reason}.
func (a *API) cancelCommission(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", errNoCommission)
	if err != nil {
		return err
	}
	reason, err := readReason(r)
	if err != nil {
		return err
	}
	out, c, err := a.Office.CancelCommission(r.Context(), id, reason)
	if err != nil {
		return err
	}
	return moneyAnswer(w, r, out, func() any { return viewCommission(c) })
}
