package httpapi

import (
	"encoding/json"
	"time"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/settings"
)

// accountDetailsJSON is GET /card/account-details; the programme figures
// are the operator settings in force (API.md §3.3).
type accountDetailsJSON struct {
	ID                     int64       `json:"id"`
	PublicToken            string      `json:"public_token"`
	CardNo                 string      `json:"card_no"`
	CardScheme             string      `json:"card_scheme"`
	CurrencyCode           string      `json:"currency_code"`
	CurrencyID             int         `json:"currency_id"`
	Balance                json.Number `json:"balance"`
	Status                 string      `json:"status"`
	ExpiryDate             string      `json:"expiry_date"`
	CardExpiry             string      `json:"card_expiry"`
	ActivateTime           int64       `json:"activate_time"`
	Physical               bool        `json:"physical"`
	UpdatePhysical         bool        `json:"update_physical"`
	ApplicationID          *int64      `json:"application_id"`
	ThreeDSAuthPlan        string      `json:"three_ds_auth_plan"`
	MemberName             string      `json:"member_name"`
	AgentID                string      `json:"agent_id"`
	Amount                 json.Number `json:"amount"`
	CardID                 int         `json:"card_id"`
	KYCID                  int64       `json:"kyc_id"`
	BillAddress            string      `json:"bill_address"`
	PostalCode             string      `json:"postal_code"`
	IsRecharge             bool        `json:"is_recharge"`
	IsWithdraw             bool        `json:"is_withdraw"`
	RechargeMin            json.Number `json:"recharge_min"`
	RechargeMax            json.Number `json:"recharge_max"`
	RechargeFee            json.Number `json:"recharge_fee"`
	WithdrawFee            json.Number `json:"withdraw_fee"`
	TransactionFee         json.Number `json:"transaction_fee"`
	CrossBorderFee         json.Number `json:"cross_border_fee"`
	FXFee                  json.Number `json:"fx_fee"`
	WithdrawMin            json.Number `json:"withdraw_min"`
	WithdrawMax            json.Number `json:"withdraw_max"`
	SingleQuota            json.Number `json:"single_quota"`
	DayQuota               json.Number `json:"day_quota"`
	MonthQuota             json.Number `json:"month_quota"`
	UpgradeAmount          json.Number `json:"upgrade_amount"`
	MonthlyFee             json.Number `json:"monthly_fee"`
	FailedTransactionFee   json.Number `json:"failed_transaction_fee"`
	SmallTransactionFee    json.Number `json:"small_transaction_fee"`
	FailedTransactionCount int         `json:"failed_transaction_count"`
	SmallTransactionCount  int         `json:"small_transaction_count"`
	FailedTransactionLimit int         `json:"failed_transaction_limit"`
	SmallTransactionLimit  int         `json:"small_transaction_limit"`
	CreatedTime            int64       `json:"created_time"`
	UpdatedTime            int64       `json:"updated_time"`
	DeletedTime            int64       `json:"deleted_time"`
}

// issuerHKDCurrencyID is the issuer's id of HKD.
const issuerHKDCurrencyID = 5

func accountDetails(c card.Card, billAddress, postalCode string, v settings.Values) accountDetailsJSON {
	// Every figure here has 2 decimals: HKD and USD amounts, percentages.
	num := func(a money.Amount) json.Number { return httpkit.Num(a, 2) }
	expiry, _ := time.Parse(time.DateTime, c.Expiry)
	d := accountDetailsJSON{
		ID: c.ID, PublicToken: c.PublicToken, CardNo: c.MaskedPAN, CardScheme: "visa", CurrencyCode: c.Currency,
		CurrencyID: issuerHKDCurrencyID, Balance: httpkit.Num(c.Balance, 2), Status: string(c.Status), ExpiryDate: c.Expiry,
		CardExpiry: expiry.Format("01/06"), ActivateTime: c.CreatedAt.Unix(), Physical: c.IsPhysical, UpdatePhysical: c.IsPhysical,
		ThreeDSAuthPlan: c.ThreeDSPlan, MemberName: c.MemberName, AgentID: "comecomepay", Amount: httpkit.Num(c.FeePaid, 2),
		CardID: 1, KYCID: c.KYCID, BillAddress: billAddress, PostalCode: postalCode,
		IsRecharge: c.Status == card.StatusNormal, IsWithdraw: c.Status == card.StatusNormal,
		RechargeMin: num(v.CardRechargeMin), RechargeMax: num(v.CardRechargeMax), RechargeFee: num(v.CardRechargeFeePct),
		WithdrawFee: num(v.CardWithdrawFeePct), TransactionFee: num(v.CardTransactionFeePct), CrossBorderFee: num(v.CardCrossBorderFeePct),
		FXFee: num(v.CardFXFeePct), WithdrawMin: num(v.CardWithdrawMin), WithdrawMax: num(v.CardWithdrawMax),
		SingleQuota: num(v.CardQuotaSingle), DayQuota: num(v.CardQuotaDay), MonthQuota: num(v.CardQuotaMonth),
		UpgradeAmount: num(v.UpgradeAmount), MonthlyFee: num(v.CardMonthlyFee), FailedTransactionFee: num(v.FailedTxFee),
		SmallTransactionFee: num(v.SmallTxFee), FailedTransactionLimit: v.FailedTxFreePerMonth, SmallTransactionLimit: v.SmallTxFreePerMonth,
		CreatedTime: c.CreatedAt.Unix(), UpdatedTime: c.UpdatedAt.Unix(),
	}
	if c.DeletedAt != nil {
		d.DeletedTime = c.DeletedAt.Unix()
	}
	return d
}
