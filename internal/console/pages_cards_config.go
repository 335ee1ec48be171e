package console

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/referral"
	"github.com/comecomepay/comecomepay/internal/settings"
)

// Configuration pages: platform settings, fees, tiers and commissions, on
// the back-office methods the admin API's settings and referral handlers
// call.

// ---- Platform settings ----

type settingRow struct {
	backoffice.SettingItem
	Range string
	// Form says how the value is edited here: "boolean", "text", or ""
	// (not here: a fee has its own form on the fees page, a deployment
	// figure is not editable at all).
	Form string
}

type settingsData struct {
	cardsList
	Items   []settingRow
	History []settings.HistoryEntry
}

func (c *Console) settingsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showSettings(w, r, v, http.StatusOK, "")
}

func (c *Console) showSettings(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) error {
	d := settingsData{cardsList: newCardsList(r, "key")}
	d.outcome(r, v.Lang)
	d.allow(v, "edit", "PUT /api/v1/admin/settings")
	items, err := c.Office.PlatformSettings(r.Context())
	if err != nil {
		return err
	}
	for _, it := range items {
		row := settingRow{SettingItem: it}
		if it.Min != nil && it.Max != nil {
			row.Range = *it.Min + " – " + *it.Max
		}
		switch {
		case !it.Editable || it.Kind == settings.KindWithdrawalFee:
		case it.Kind == settings.KindBoolean:
			row.Form = "boolean"
		default:
			row.Form = "text"
		}
		d.Items = append(d.Items, row)
	}
	hist, total, err := c.Office.SettingsHistory(r.Context(), d.Filter["key"], cardsPageSize, d.offset())
	if err != nil {
		return err
	}
	d.History = hist
	d.paged(total)
	d.refused(msg)
	c.render(w, status, "cards_settings", v, d)
	return nil
}

// updateSetting changes one platform setting: the form's text becomes the
// JSON value the admin API would receive (a boolean literal, otherwise a
// string the setting parses as its kind).
func (c *Console) updateSetting(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showSettings, func(ctx context.Context) (string, error) {
		reason, err := cardsReason(r)
		if err != nil {
			return "", err
		}
		key, value := strings.TrimSpace(r.PostFormValue("key")), strings.TrimSpace(r.PostFormValue("value"))
		raw, _ := json.Marshal(value)
		if value == "true" || value == "false" {
			raw = json.RawMessage(value)
		}
		if _, err := c.Office.UpdateSettings(ctx, map[string]json.RawMessage{key: raw}, reason); err != nil {
			return "", err
		}
		return cardsDone(r, "/console/settings", nil), nil
	})
}

// ---- Fees: swap, withdrawal, card ----

type withdrawalFeeRow struct {
	backoffice.WithdrawalFeeItem
	Amount, Rate, Minimum string
}

type feesData struct {
	cardsList
	Swap        backoffice.SwapFee
	Withdrawal  []withdrawalFeeRow
	CardFees    []cardfee.Config
	History     []settings.HistoryEntry
	HistoryKeys []string
}

// feeHistoryKeys are the histories the fees page shows: the swap fee rate,
// then every currency's withdrawal fee, then every card type's fee.
var feeHistoryKeys = []string{settings.KeySwapFeeRate, "withdrawal_fee.", "card_fee."}

func (c *Console) feesPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showFees(w, r, v, http.StatusOK, "")
}

func (c *Console) showFees(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) error {
	d := feesData{cardsList: newCardsList(r, "key"), HistoryKeys: feeHistoryKeys}
	d.outcome(r, v.Lang)
	d.allow(v, "swap", "PUT /api/v1/admin/swap-fee-config")
	d.allow(v, "withdrawal", "PUT /api/v1/admin/withdrawal-fee-config")
	d.allow(v, "card", "PUT /api/v1/admin/card-fee-config/{card_type}")
	key := d.oneOf("key", feeHistoryKeys...)
	if key == "" {
		key = settings.KeySwapFeeRate
		d.Filter["key"] = key
	}
	var err error
	if d.Swap, err = c.Office.SwapFeeConfig(r.Context()); err != nil {
		return err
	}
	wf, err := c.Office.WithdrawalFees(r.Context())
	if err != nil {
		return err
	}
	for _, it := range wf {
		d.Withdrawal = append(d.Withdrawal, withdrawalFeeRow{WithdrawalFeeItem: it, Amount: it.Fee.Amount.Format(it.Decimals),
			Rate: it.Fee.Rate.String(), Minimum: it.Fee.Minimum.Format(it.Decimals)})
	}
	if d.CardFees, err = c.Office.CardFeeConfigs(r.Context()); err != nil {
		return err
	}
	hist, total, err := c.Office.SettingsHistory(r.Context(), key, cardsPageSize, d.offset())
	if err != nil {
		return err
	}
	d.History = hist
	d.paged(total)
	d.refused(msg)
	c.render(w, status, "cards_fees", v, d)
	return nil
}

func (c *Console) updateSwapFee(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showFees, func(ctx context.Context) (string, error) {
		reason, err := cardsReason(r)
		if err != nil {
			return "", err
		}
		raw, _ := json.Marshal(strings.TrimSpace(r.PostFormValue("fee_rate")))
		if _, err := c.Office.SetSwapFeeRate(ctx, raw, reason); err != nil {
			return "", err
		}
		return cardsDone(r, "/console/fees", nil), nil
	})
}

// updateWithdrawalFee sends the members of the chosen fee type only (a
// fixed fee has an amount; a percentage a rate and a minimum).
func (c *Console) updateWithdrawalFee(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showFees, func(ctx context.Context) (string, error) {
		reason, err := cardsReason(r)
		if err != nil {
			return "", err
		}
		feeType := r.PostFormValue("fee_type")
		fee := map[string]string{"fee_type": feeType}
		if feeType == string(settings.FeeFixed) {
			fee["fee_amount"] = strings.TrimSpace(r.PostFormValue("fee_amount"))
		} else {
			fee["fee_rate"] = strings.TrimSpace(r.PostFormValue("fee_rate"))
			if m := strings.TrimSpace(r.PostFormValue("min_fee")); m != "" {
				fee["min_fee"] = m
			}
		}
		raw, _ := json.Marshal(fee)
		if _, err := c.Office.SetWithdrawalFee(ctx, strings.TrimSpace(r.PostFormValue("currency")), raw, reason); err != nil {
			return "", err
		}
		return cardsDone(r, "/console/fees", nil), nil
	})
}

func (c *Console) updateCardFee(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showFees, func(ctx context.Context) (string, error) {
		cardType := cardfee.CardType(r.PathValue("card_type"))
		if !cardfee.ValidCardType(cardType) {
			return "", errNotFound
		}
		reason, err := cardsReason(r)
		if err != nil {
			return "", err
		}
		fields := apperr.Fields{}
		fee := cardsDecimal(fields, "fee_amount", r.PostFormValue("fee_amount"), 2)
		active := r.PostFormValue("active") == "true"
		desc := strings.TrimSpace(r.PostFormValue("description"))
		if len(desc) > 200 {
			fields.Add("description", "must be at most 200 characters")
		}
		if err := fields.Err(); err != nil {
			return "", err
		}
		if _, err := c.Office.UpdateCardFee(ctx, cardType, cardfee.ConfigChange{FeeAmount: fee, IsActive: &active,
			Description: &desc}, reason); err != nil {
			return "", err
		}
		return cardsDone(r, "/console/fees", nil), nil
	})
}

// cardsDecimal parses a required decimal ≥ 0 with at most scale decimals.
func cardsDecimal(f apperr.Fields, name, s string, scale int) money.Amount {
	s = strings.TrimSpace(s)
	if s == "" {
		f.Add(name, "is required")
		return 0
	}
	a, err := money.ParsePositive(s, scale)
	if errors.Is(err, money.ErrNotPositive) {
		return 0
	}
	if err != nil {
		f.Add(name, err.Error())
	}
	return a
}

// ---- Tiers ----

type tiersData struct {
	cardsList
	Tiers []referral.Tier
}

func (c *Console) tiersPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showTiers(w, r, v, http.StatusOK, "")
}

func (c *Console) showTiers(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) error {
	d := tiersData{cardsList: newCardsList(r)}
	d.outcome(r, v.Lang)
	d.allow(v, "edit", "PUT /api/v1/admin/tier-configs/{tier_level}")
	var err error
	if d.Tiers, err = c.Office.TierConfigs(r.Context()); err != nil {
		return err
	}
	d.refused(msg)
	c.render(w, status, "cards_tiers", v, d)
	return nil
}

// tierFromForm reads a tier's fields; rates are fractions (0.25 = 25 %).
func tierFromForm(r *http.Request, level int) (referral.Tier, error) {
	f := apperr.Fields{}
	t := referral.Tier{Level: level, Name: strings.TrimSpace(r.PostFormValue("tier_name")),
		Description: strings.TrimSpace(r.PostFormValue("description"))}
	if t.Name == "" {
		f.Add("tier_name", "is required")
	}
	for name, dst := range map[string]*int64{"min_referral_count": &t.Min, "max_referral_count": &t.Max} {
		n, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
		if err != nil {
			f.Add(name, "must be a whole number")
		}
		*dst = n
	}
	for name, dst := range map[string]*money.Rate{"level1_card_opening_rate": &t.L1Card, "level1_transaction_rate": &t.L1Tx,
		"level2_card_opening_rate": &t.L2Card, "level2_transaction_rate": &t.L2Tx} {
		*dst = money.Rate(cardsDecimal(f, name, r.PostFormValue(name), 8))
	}
	return t, f.Err()
}

func (c *Console) updateTier(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showTiers, func(ctx context.Context) (string, error) {
		level, err := cardsPathID(r, "level")
		if err != nil {
			return "", err
		}
		t, err := tierFromForm(r, int(level))
		if err != nil {
			return "", err
		}
		if _, err := c.Office.UpdateTier(ctx, t); err != nil {
			return "", err
		}
		return cardsDone(r, "/console/tiers", nil), nil
	})
}

func (c *Console) addTier(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showTiers, func(ctx context.Context) (string, error) {
		level, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("tier_level")))
		if err != nil || level <= 0 {
			return "", apperr.Validation(map[string]string{"tier_level": "must be a positive whole number"})
		}
		t, err := tierFromForm(r, level)
		if err != nil {
			return "", err
		}
		if _, err := c.Office.SetTiers(ctx, []referral.Tier{t}, nil); err != nil {
			return "", err
		}
		return cardsDone(r, "/console/tiers", nil), nil
	})
}

// ---- Commissions ----

type commissionRow struct {
	referral.AdminCommission
	AmountText string
	SourceText string
	Credited   time.Time
	Cancelled  time.Time
}

type commissionsData struct {
	cardsList
	Rows     []commissionRow
	Statuses []string
	Types    []string
}

func (c *Console) commissionsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showCommissions(w, r, v, http.StatusOK, "")
}

func (c *Console) showCommissions(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) error {
	d := commissionsData{cardsList: newCardsList(r, "user_id", "referee_id", "status", "type", "level"),
		Statuses: []string{string(referral.StatusPending), string(referral.StatusCredited), string(referral.StatusFailed),
			string(referral.StatusCancelled)},
		Types: []string{string(referral.TypeCardOpening), string(referral.TypeTransaction)}}
	d.outcome(r, v.Lang)
	d.allow(v, "pay", "POST /api/v1/admin/commissions/{id}/pay")
	d.allow(v, "cancel", "POST /api/v1/admin/commissions/{id}/cancel")
	f := referral.AdminCommissionFilter{BeneficiaryID: d.id(v.Lang, "user_id", "Beneficiary ID"),
		RefereeID: d.id(v.Lang, "referee_id", "Referee ID"), Status: referral.CommissionStatus(d.oneOf("status", d.Statuses...)),
		Type: referral.CommissionType(d.oneOf("type", d.Types...))}
	if l := d.oneOf("level", "1", "2"); l != "" {
		f.Level, _ = strconv.Atoi(l)
	}
	list, total, err := c.Office.Commissions(r.Context(), f, cardsPageSize, d.offset())
	if err != nil {
		return err
	}
	for _, x := range list {
		d.Rows = append(d.Rows, commissionRow{AdminCommission: x, AmountText: x.Amount.Format(x.Decimals) + " " + x.Currency,
			SourceText: x.SourceAmount.Format(x.Decimals) + " " + x.Currency, Credited: cardsTime(x.CreditedAt), Cancelled: cardsTime(x.CancelledAt)})
	}
	d.paged(total)
	d.refused(msg)
	c.render(w, status, "cards_commissions", v, d)
	return nil
}

func (c *Console) commissionAction(pay bool) handler {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		return c.act(w, r, v, c.showCommissions, func(ctx context.Context) (string, error) {
			id, reason, err := cardsIDReason(r)
			if err != nil {
				return "", err
			}
			title, message := translate(v.Lang, "Pay commission"), translate(v.Lang,
				"The commission is credited to the beneficiary's wallet. Above the four-eyes threshold a second operator approves it.")
			if !pay {
				title, message = translate(v.Lang, "Cancel commission"), translate(v.Lang,
					"A cancelled commission is never paid; a credited one is taken back from the beneficiary's wallet.")
			}
			if !c.cardsConfirmed(w, r, v, title+" #"+strconv.FormatInt(id, 10), message, "/console/commissions", "reason") {
				return "", errAnswered
			}
			var out backoffice.Outcome
			if pay {
				out, _, err = c.Office.PayCommission(ctx, id, reason)
			} else {
				out, _, err = c.Office.CancelCommission(ctx, id, reason)
			}
			if err != nil {
				return "", err
			}
			return cardsDone(r, "/console/commissions", &out), nil
		})
	}
}
