package backoffice

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/settings"
)

// Where a §3.3 figure lives.
const (
	SourceSettings   = "settings"        // platform_settings: PUT /admin/settings
	SourceCardFee    = "card_fee_config" // PUT /admin/card-fee-config/{card_type}
	SourceDeployment = "deployment"      // environment or code: a deployment changes it
)

// SettingItem is one §3.3 figure as operators see it.
type SettingItem struct {
	Key         string
	Kind        settings.Kind
	Unit        string
	Description string
	Source      string
	Origin      string // for a deployment figure: the variable or code that sets it
	Value       string // canonical text
	Default     string // a deployment figure's is its value
	Min, Max    *string
	Editable    bool // through PUT /admin/settings
	Live        bool // a change holds on every replica without a restart
	UpdatedAt   time.Time
	UpdatedBy   string
}

// cardFeeDefaults are API.md §3.3's card fees (US cents), as migrated.
var cardFeeDefaults = map[cardfee.CardType]money.Amount{cardfee.Virtual: 500, cardfee.Physical: 4500}

// PlatformSettings lists every §3.3 figure: the stored settings, the card fees and
// what the deployment sets.
func (s *Service) PlatformSettings(ctx context.Context) ([]SettingItem, error) {
	entries, err := s.Settings.List(ctx, s.DB.SQL)
	if err != nil {
		return nil, fmt.Errorf("backoffice: settings: %w", err)
	}
	var out []SettingItem
	for _, e := range entries {
		it := SettingItem{Key: e.Key, Kind: e.Kind, Unit: e.Unit, Description: e.Description, Source: SourceSettings,
			Value: e.Value, Default: e.Default, Editable: true, Live: true, UpdatedAt: e.UpdatedAt, UpdatedBy: e.UpdatedBy}
		switch e.Kind {
		case settings.KindInteger:
			lo, hi := strconv.FormatInt(e.Min, 10), strconv.FormatInt(e.Max, 10)
			it.Min, it.Max = &lo, &hi
		case settings.KindDecimal:
			lo, hi := money.Amount(e.Min).Format(e.Scale), money.Amount(e.Max).Format(e.Scale)
			it.Min, it.Max = &lo, &hi
		}
		out = append(out, it)
	}
	fees, err := s.SettingsDeps.CardFees.Configs(ctx)
	if err != nil {
		return nil, fmt.Errorf("backoffice: settings: %w", err)
	}
	for _, c := range fees {
		out = append(out, SettingItem{Key: settings.CardFeeKey(string(c.CardType)), Kind: settings.KindCardFee, Unit: "USD",
			Description: "Card fee of a " + string(c.CardType) + " card, paid 1:1 in a stablecoin; set with PUT /admin/card-fee-config/" +
				string(c.CardType) + ". Payments created after a change are priced at it.",
			Source: SourceCardFee, Value: settings.CardFeeValue(c.FeeAmount, c.IsActive),
			Default: settings.CardFeeValue(cardFeeDefaults[c.CardType], true), Live: true, UpdatedAt: c.UpdatedAt})
	}
	for _, f := range s.Settings.Fixed {
		out = append(out, SettingItem{Key: f.Key, Kind: settings.KindText, Description: f.Description, Source: SourceDeployment,
			Origin: f.Source, Value: f.Value, Default: f.Value})
	}
	return out, nil
}

// by is the settings history's record of the acting operator (or CLI).
func by(ctx context.Context) (settings.By, error) {
	a, ok := audit.ActorFrom(ctx)
	if !ok {
		return settings.By{}, audit.ErrNoActor
	}
	return settings.By{Type: string(a.Type), ID: a.ID, Label: a.Label}, nil
}

// setAudited stores u under the audit action, with the changed keys'
// values before and after.
func (s *Service) setAudited(ctx context.Context, action, targetType, targetID string, u settings.Update, reason string) error {
	who, err := by(ctx)
	if err != nil {
		return err
	}
	return s.audited(ctx, audit.Entry{Action: action, TargetType: targetType, TargetID: targetID, Reason: reason},
		func(tx *sql.Tx) (any, any, error) {
			changes, err := s.Settings.SetTx(ctx, tx, u, who, reason)
			if err != nil {
				return nil, nil, err
			}
			before, after := map[string]json.RawMessage{}, map[string]json.RawMessage{}
			for _, c := range changes {
				before[c.Key], after[c.Key] = settings.JSONValue(c.Kind, c.Old), settings.JSONValue(c.Kind, c.New)
			}
			return before, after, nil
		})
}

// UpdateSettings changes settings (key → JSON value), all or none, audited
// as settings.update with the values before and after, and returns every
// figure as it now stands.
func (s *Service) UpdateSettings(ctx context.Context, values map[string]json.RawMessage, reason string) ([]SettingItem, error) {
	u, err := s.Settings.ParseUpdate(values)
	if err != nil {
		return nil, err
	}
	if err := s.setAudited(ctx, "settings.update", "settings", "platform", u, reason); err != nil {
		return nil, err
	}
	return s.PlatformSettings(ctx)
}

// SwapFee is the swap fee rate in force and its last change.
type SwapFee struct {
	Rate      money.Rate
	UpdatedAt time.Time
	UpdatedBy string
}

// SwapFeeConfig returns the swap fee rate in force.
func (s *Service) SwapFeeConfig(ctx context.Context) (SwapFee, error) {
	entries, err := s.Settings.List(ctx, s.DB.SQL)
	if err != nil {
		return SwapFee{}, fmt.Errorf("backoffice: swap fee: %w", err)
	}
	for _, e := range entries {
		if e.Key == settings.KeySwapFeeRate {
			r, err := money.ParseRate(e.Value)
			if err != nil && e.Value != "0" {
				return SwapFee{}, fmt.Errorf("backoffice: swap fee %q: %w", e.Value, err)
			}
			return SwapFee{Rate: r, UpdatedAt: e.UpdatedAt, UpdatedBy: e.UpdatedBy}, nil
		}
	}
	return SwapFee{}, fmt.Errorf("backoffice: swap fee: no %s setting", settings.KeySwapFeeRate)
}

// SetSwapFeeRate changes the swap fee rate (a JSON number or numeric
// string), audited as swap_fee_config.update. Quotes made before keep
// their rate until they expire.
func (s *Service) SetSwapFeeRate(ctx context.Context, rate json.RawMessage, reason string) (SwapFee, error) {
	def, _ := s.Settings.Def(settings.KeySwapFeeRate)
	if len(rate) == 0 || string(rate) == "null" {
		return SwapFee{}, apperr.Validation(map[string]string{"fee_rate": "is required"})
	}
	text, err := def.Parse(rate, nil)
	if err != nil {
		return SwapFee{}, settings.FieldErrors("fee_rate", err)
	}
	if err := s.setAudited(ctx, "swap_fee_config.update", "swap_fee_config", settings.KeySwapFeeRate,
		settings.Update{settings.KeySwapFeeRate: text}, reason); err != nil {
		return SwapFee{}, err
	}
	return s.SwapFeeConfig(ctx)
}

// SettingsHistory lists recorded changes (see settings.History for key).
func (s *Service) SettingsHistory(ctx context.Context, key string, limit, offset int) ([]settings.HistoryEntry, int, error) {
	return s.Settings.History(ctx, key, limit, offset)
}

// WithdrawalFeeItem is a currency's withdrawal fee and its last change.
type WithdrawalFeeItem struct {
	Currency  string
	Decimals  int
	Fee       settings.WithdrawalFee
	UpdatedAt time.Time
	UpdatedBy string
}

// WithdrawalFees returns the withdrawal fee of every enabled stablecoin.
func (s *Service) WithdrawalFees(ctx context.Context) ([]WithdrawalFeeItem, error) {
	entries, err := s.Settings.List(ctx, s.DB.SQL)
	if err != nil {
		return nil, fmt.Errorf("backoffice: withdrawal fees: %w", err)
	}
	at := map[string]settings.Entry{}
	for _, e := range entries {
		at[e.Key] = e
	}
	v, err := s.Settings.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("backoffice: withdrawal fees: %w", err)
	}
	var out []WithdrawalFeeItem
	for _, c := range s.Settings.Currencies {
		e := at[settings.WithdrawalFeeKey(c.Name)]
		out = append(out, WithdrawalFeeItem{Currency: c.Name, Decimals: c.Decimals, Fee: v.WithdrawalFee(c.Name),
			UpdatedAt: e.UpdatedAt, UpdatedBy: e.UpdatedBy})
	}
	return out, nil
}

// SetWithdrawalFee changes a currency's withdrawal fee (fee is the JSON
// object {fee_type, fee_amount | fee_rate, min_fee}), audited as
// withdrawal_fee_config.update. Withdrawals requested afterwards pay it.
func (s *Service) SetWithdrawalFee(ctx context.Context, currency string, fee json.RawMessage, reason string) ([]WithdrawalFeeItem, error) {
	def, ok := s.Settings.Def(settings.WithdrawalFeeKey(currency))
	if currency == "" || !ok || def.Kind != settings.KindWithdrawalFee {
		return nil, apperr.Validation(map[string]string{"currency": "must be an enabled stablecoin, e.g. USDT-TRC20"})
	}
	text, err := def.Parse(fee, nil)
	if err != nil {
		return nil, settings.FieldErrors("", err)
	}
	if err := s.setAudited(ctx, "withdrawal_fee_config.update", "withdrawal_fee_config", currency,
		settings.Update{def.Key: text}, reason); err != nil {
		return nil, err
	}
	return s.WithdrawalFees(ctx)
}

// cardFeeConfigState is a card fee configuration in an audit row.
type cardFeeConfigState struct {
	FeeAmount   string `json:"fee_amount"` // USD
	IsActive    bool   `json:"IsActive"`
	Description string `json:"description"`
}

func feeState(c cardfee.Config) cardFeeConfigState {
	return cardFeeConfigState{FeeAmount: c.FeeAmount.Format(2), IsActive: c.IsActive, Description: c.Description}
}

// CardFeeConfigs returns the fee of every card type.
func (s *Service) CardFeeConfigs(ctx context.Context) ([]cardfee.Config, error) {
	return s.SettingsDeps.CardFees.Configs(ctx)
}

// UpdateCardFee changes a card type's fee, audited as
// card_fee_config.update and recorded in the settings history
// (card_fee.<type>). The next payment created — on any replica — is priced
// at it.
func (s *Service) UpdateCardFee(ctx context.Context, cardType cardfee.CardType, ch cardfee.ConfigChange, reason string) (cardfee.Config, error) {
	if ch.FeeAmount < 0 || ch.FeeAmount > cardfee.MaxFee {
		return cardfee.Config{}, apperr.Validation(map[string]string{"fee_amount": "must be between 0 and " + cardfee.MaxFee.Format(2)})
	}
	who, err := by(ctx)
	if err != nil {
		return cardfee.Config{}, err
	}
	var done cardfee.Config
	err = s.audited(ctx, audit.Entry{Action: "card_fee_config.update", TargetType: "card_fee_config", TargetID: string(cardType),
		Reason: reason}, func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.SettingsDeps.CardFees.UpdateConfigTx(ctx, tx, cardType, ch)
		if err != nil {
			return nil, nil, err
		}
		done = after
		if err := s.Settings.RecordTx(ctx, tx, settings.CardFeeKey(string(cardType)),
			settings.CardFeeValue(before.FeeAmount, before.IsActive), settings.CardFeeValue(after.FeeAmount, after.IsActive),
			who, reason); err != nil {
			return nil, nil, err
		}
		return feeState(before), feeState(after), nil
	})
	return done, err
}
