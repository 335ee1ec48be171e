package adminapi

import (
	"net/http"
	"strings"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// setUserLimits: PUT /admin/users/{id}/limits {max_cards, withdrawal_daily_limit,
// withdrawal_monthly_limit, reason}. PUT replaces: a limit absent or null
// goes back to the programme's setting.
func (a *API) setUserLimits(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", account.ErrUserNotFound)
	if err != nil {
		return err
	}
	var in struct {
		MaxCards          *int    `json:"max_cards"`
		WithdrawalDaily   *int64  `json:"withdrawal_daily_limit"`
		WithdrawalMonthly *int64  `json:"withdrawal_monthly_limit"`
		Reason            *string `json:"reason"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	l, err := a.Office.SetUserLimits(r.Context(), id, account.Limits{MaxCards: in.MaxCards, WithdrawalDaily: in.WithdrawalDaily,
		WithdrawalMonthly: in.WithdrawalMonthly}, strings.TrimSpace(httpkit.Optional(in.Reason)))
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct {
		UserID int64 `json:"user_id"`
		account.Limits
	}{id, l})
}

// setFeeExemption: PUT /admin/users/{id}/fee-exemption {card_fee,
// withdrawal_fee, reason}. PUT replaces: an absent exemption is false.
func (a *API) setFeeExemption(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", account.ErrUserNotFound)
	if err != nil {
		return err
	}
	var in struct {
		CardFee       *bool   `json:"card_fee"`
		WithdrawalFee *bool   `json:"withdrawal_fee"`
		Reason        *string `json:"reason"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f, err := a.Office.SetFeeExemption(r.Context(), id, account.FeeExemption{CardFee: in.CardFee != nil && *in.CardFee,
		WithdrawalFee: in.WithdrawalFee != nil && *in.WithdrawalFee}, strings.TrimSpace(httpkit.Optional(in.Reason)))
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct {
		UserID int64 `json:"user_id"`
		account.FeeExemption
	}{id, f})
}

type kycIdentityView struct {
	RecordID int64        `json:"record_id"`
	Identity kyc.Identity `json:"identity"`
}

// revealPersonalData: POST /admin/users/{id}/personal-data {reason}.
func (a *API) revealPersonalData(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", account.ErrUserNotFound)
	if err != nil {
		return err
	}
	reason, err := readReason(r)
	if err != nil {
		return err
	}
	p, err := a.Office.RevealPersonalData(r.Context(), id, reason)
	if err != nil {
		return err
	}
	out := struct {
		UserID  int64                `json:"user_id"`
		Profile account.PersonalData `json:"profile"`
		KYC     *kycIdentityView     `json:"kyc"`
	}{UserID: id, Profile: p.Profile}
	if p.KYC != nil {
		out.KYC = &kycIdentityView{RecordID: p.KYCRecordID, Identity: *p.KYC}
	}
	return ok(w, r, http.StatusOK, out)
}
