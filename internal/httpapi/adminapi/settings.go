package adminapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/settings"
)

type settingView struct {
	Key         string          `json:"key"`
	Kind        string          `json:"kind"`
	Unit        string          `json:"unit"`
	Value       json.RawMessage `json:"value"`
	Default     json.RawMessage `json:"default"`
	Min         *json.Number    `json:"min"`
	Max         *json.Number    `json:"max"`
	Editable    bool            `json:"editable"`
	Live        bool            `json:"live"`
	Source      string          `json:"source"`
	Origin      string          `json:"origin"`
	Description string          `json:"description"`
	UpdatedAt   *time.Time      `json:"updated_at"`
	UpdatedBy   string          `json:"updated_by"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Second)
	return &t
}

func optNumber(s *string) *json.Number {
	if s == nil {
		return nil
	}
	n := json.Number(*s)
	return &n
}

func settingViews(items []backoffice.SettingItem) []settingView {
	out := make([]settingView, 0, len(items))
	for _, it := range items {
		out = append(out, settingView{Key: it.Key, Kind: string(it.Kind), Unit: it.Unit, Value: settings.JSONValue(it.Kind, it.Value),
			Default: settings.JSONValue(it.Kind, it.Default), Min: optNumber(it.Min), Max: optNumber(it.Max), Editable: it.Editable, Live: it.Live, Source: it.Source,
			Origin: it.Origin, Description: it.Description, UpdatedAt: optTime(it.UpdatedAt), UpdatedBy: it.UpdatedBy})
	}
	return out
}

type itemsView[T any] struct {
	Items []T `json:"items"`
}

// getSettings: GET /admin/settings — every §3.3 figure, where it lives and
// whether a change holds live.
func (a *API) getSettings(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	items, err := a.Office.PlatformSettings(r.Context())
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, itemsView[settingView]{settingViews(items)})
}

// putSettings: PUT /admin/settings {values: {key: value, …}, reason?}. All
// or none; the answer is every figure after the change.
func (a *API) putSettings(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	var in struct {
		Values map[string]json.RawMessage `json:"values"`
		Reason *string                    `json:"reason"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	items, err := a.Office.UpdateSettings(r.Context(), in.Values, strings.TrimSpace(httpkit.Optional(in.Reason)))
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, itemsView[settingView]{settingViews(items)})
}

type settingChangeView struct {
	ID        int64           `json:"id"`
	Key       string          `json:"key"`
	OldValue  json.RawMessage `json:"old_value"`
	NewValue  json.RawMessage `json:"new_value"`
	ChangedAt time.Time       `json:"changed_at"`
	ActorType string          `json:"actor_type"`
	ActorID   int64           `json:"actor_id"`
	Actor     string          `json:"actor"`
	Reason    string          `json:"reason"`
}

// settingsHistory: GET /admin/settings/history?key= — changes newest first;
// key is exact, or a prefix ending in "." (withdrawal_fee., card_fee.).
func (a *API) settingsHistory(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	rows, total, err := a.Office.SettingsHistory(r.Context(), strings.TrimSpace(r.URL.Query().Get("key")), size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	items := make([]settingChangeView, 0, len(rows))
	for _, h := range rows {
		items = append(items, settingChangeView{ID: h.ID, Key: h.Key, OldValue: settings.JSONValue(h.Kind, h.Old),
			NewValue: settings.JSONValue(h.Kind, h.New), ChangedAt: h.At.UTC().Truncate(time.Second), ActorType: h.ActorType,
			ActorID: h.ActorID, Actor: h.ActorLabel, Reason: h.Reason})
	}
	return ok(w, r, http.StatusOK, newPage(items, pageNo, size, total))
}

type swapFeeView struct {
	FeeRate   json.Number `json:"fee_rate"`
	UpdatedAt *time.Time  `json:"updated_at"`
	UpdatedBy string      `json:"updated_by"`
}

func swapFee(f backoffice.SwapFee) swapFeeView {
	return swapFeeView{FeeRate: json.Number(f.Rate.String()), UpdatedAt: optTime(f.UpdatedAt), UpdatedBy: f.UpdatedBy}
}

// getSwapFee: GET /admin/swap-fee-config.
func (a *API) getSwapFee(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	f, err := a.Office.SwapFeeConfig(r.Context())
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, swapFee(f))
}

// putSwapFee: PUT /admin/swap-fee-config {fee_rate, reason?}.
func (a *API) putSwapFee(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	var in struct {
		FeeRate json.RawMessage `json:"fee_rate"`
		Reason  *string         `json:"reason"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f, err := a.Office.SetSwapFeeRate(r.Context(), in.FeeRate, strings.TrimSpace(httpkit.Optional(in.Reason)))
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, swapFee(f))
}

type swapFeeChangeView struct {
	ID              int64       `json:"id"`
	FeeRate         json.Number `json:"fee_rate"`
	PreviousFeeRate json.Number `json:"previous_fee_rate"`
	ChangedAt       time.Time   `json:"changed_at"`
	ChangedBy       string      `json:"changed_by"`
	ActorID         int64       `json:"actor_id"`
	Reason          string      `json:"reason"`
}

// swapFeeHistory: GET /admin/swap-fee-config/history — the swap fee rate's
// changes, newest first.
func (a *API) swapFeeHistory(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	rows, total, err := a.Office.SettingsHistory(r.Context(), settings.KeySwapFeeRate, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	items := make([]swapFeeChangeView, 0, len(rows))
	for _, h := range rows {
		items = append(items, swapFeeChangeView{ID: h.ID, FeeRate: json.Number(h.New), PreviousFeeRate: json.Number(h.Old),
			ChangedAt: h.At.UTC().Truncate(time.Second), ChangedBy: h.ActorLabel, ActorID: h.ActorID, Reason: h.Reason})
	}
	return ok(w, r, http.StatusOK, newPage(items, pageNo, size, total))
}

type withdrawalFeeView struct {
	Currency  string      `json:"currency"`
	FeeType   string      `json:"fee_type"`
	FeeAmount json.Number `json:"fee_amount"`
	FeeRate   json.Number `json:"fee_rate"`
	MinFee    json.Number `json:"min_fee"`
	UpdatedAt *time.Time  `json:"updated_at"`
	UpdatedBy string      `json:"updated_by"`
}

func withdrawalFees(items []backoffice.WithdrawalFeeItem) itemsView[withdrawalFeeView] {
	out := make([]withdrawalFeeView, 0, len(items))
	for _, it := range items {
		out = append(out, withdrawalFeeView{Currency: it.Currency, FeeType: string(it.Fee.Type),
			FeeAmount: httpkit.Num(it.Fee.Amount, it.Decimals), FeeRate: json.Number(it.Fee.Rate.String()),
			MinFee: httpkit.Num(it.Fee.Minimum, it.Decimals), UpdatedAt: optTime(it.UpdatedAt), UpdatedBy: it.UpdatedBy})
	}
	return itemsView[withdrawalFeeView]{out}
}

// getWithdrawalFees: GET /admin/withdrawal-fee-config — per currency.
func (a *API) getWithdrawalFees(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	items, err := a.Office.WithdrawalFees(r.Context())
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, withdrawalFees(items))
}

// putWithdrawalFee: PUT /admin/withdrawal-fee-config {currency, fee_type,
// fee_amount | fee_rate, min_fee, reason?} — one currency per call.
func (a *API) putWithdrawalFee(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	var in struct {
		Currency  *string         `json:"currency"`
		FeeType   json.RawMessage `json:"fee_type"`
		FeeAmount json.RawMessage `json:"fee_amount"`
		FeeRate   json.RawMessage `json:"fee_rate"`
		MinFee    json.RawMessage `json:"min_fee"`
		Reason    *string         `json:"reason"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	fee := map[string]json.RawMessage{}
	for name, raw := range map[string]json.RawMessage{"fee_type": in.FeeType, "fee_amount": in.FeeAmount,
		"fee_rate": in.FeeRate, "min_fee": in.MinFee} {
		if len(raw) > 0 {
			fee[name] = raw
		}
	}
	rule, _ := json.Marshal(fee)
	items, err := a.Office.SetWithdrawalFee(r.Context(), strings.TrimSpace(httpkit.Optional(in.Currency)), rule,
		strings.TrimSpace(httpkit.Optional(in.Reason)))
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, withdrawalFees(items))
}

// cardFeeView keeps the capital IsActive key of API.md §5 (and of the
// public GetConfig).
type cardFeeView struct {
	ID          int64       `json:"id"`
	CardType    string      `json:"card_type"`
	FeeType     string      `json:"fee_type"`
	FeeAmount   json.Number `json:"fee_amount"`
	IsActive    bool        `json:"IsActive"`
	Description string      `json:"description"`
	CreatedBy   int64       `json:"created_by"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

func cardFee(c cardfee.Config) cardFeeView {
	return cardFeeView{ID: c.ID, CardType: string(c.CardType), FeeType: c.FeeType, FeeAmount: httpkit.Num(c.FeeAmount, 2),
		IsActive: c.IsActive, Description: c.Description, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.UTC().Truncate(time.Second),
		UpdatedAt: c.UpdatedAt.UTC().Truncate(time.Second)}
}

// getCardFees: GET /admin/card-fee-config.
func (a *API) getCardFees(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	configs, err := a.Office.CardFeeConfigs(r.Context())
	if err != nil {
		return err
	}
	items := make([]cardFeeView, 0, len(configs))
	for _, c := range configs {
		items = append(items, cardFee(c))
	}
	return ok(w, r, http.StatusOK, itemsView[cardFeeView]{items})
}

// putCardFee: PUT /admin/card-fee-config/{card_type} {fee_amount, IsActive?,
// description?, reason?}. fee_amount is USD (2 decimals, 0 waives it).
func (a *API) putCardFee(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	cardType := cardfee.CardType(r.PathValue("card_type"))
	if !cardfee.ValidCardType(cardType) {
		return cardfee.ErrNotConfigured.WithDetails("Card types are virtual and physical")
	}
	var in struct {
		FeeAmount   httpkit.FlexNumber `json:"fee_amount"`
		IsActive    *bool              `json:"IsActive"`
		Description *string            `json:"description"`
		Reason      *string            `json:"reason"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	fee := usdAmount(f, "fee_amount", in.FeeAmount)
	ch := cardfee.ConfigChange{FeeAmount: fee, IsActive: in.IsActive}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		if len(d) > 200 {
			f.Add("description", "must be at most 200 characters")
		}
		ch.Description = &d
	}
	if err := f.Err(); err != nil {
		return err
	}
	c, err := a.Office.UpdateCardFee(r.Context(), cardType, ch, strings.TrimSpace(httpkit.Optional(in.Reason)))
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, cardFee(c))
}

// usdAmount parses a required USD amount ≥ 0 with 2 decimals.
func usdAmount(f httpkit.Fields, name string, v httpkit.FlexNumber) money.Amount {
	switch {
	case !v.Present:
		f.Add(name, "is required")
		return 0
	case !v.TypeOK:
		f.Add(name, "must be a number")
		return 0
	}
	a, err := money.ParsePositive(v.Raw, 2)
	if errors.Is(err, money.ErrNotPositive) {
		return 0
	}
	if err != nil {
		f.Add(name, err.Error())
	}
	return a
}
