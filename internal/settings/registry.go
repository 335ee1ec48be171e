package settings

import (
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
)

// Kind is the type of a setting's value.
type Kind string

// Kinds of settings.
const (
	KindInteger       Kind = "integer"
	KindDecimal       Kind = "decimal"
	KindBoolean       Kind = "boolean"
	KindCurrency      Kind = "currency"
	KindWithdrawalFee Kind = "withdrawal_fee"
	// KindCardFee is a card type's fee, stored by package cardfee; its
	// changes are recorded in the history here.
	KindCardFee Kind = "card_fee"
	// KindText is a figure the deployment sets, shown as text.
	KindText Kind = "text"
)

// Def describes one setting: its type, bounds and default.
type Def struct {
	Key   string
	Kind  Kind
	Scale int // decimals of a decimal (8 for rates), or of a withdrawal fee's currency
	Unit  string
	// Min and Max bound an integer, or a decimal in minor units.
	Min, Max    int64
	Default     string // canonical text
	Description string
	currency    string // a withdrawal fee's currency
	bind        func(*Values) any
}

// Withdrawal fee keys are this prefix and the currency name.
const withdrawalFeePrefix = "withdrawal_fee."

// WithdrawalFeeKey is the setting of a currency's withdrawal fee.
func WithdrawalFeeKey(currency string) string { return withdrawalFeePrefix + currency }

// Keys of the settings other packages name.
const (
	KeySwapFeeRate = "swap_fee_rate"
)

// CardFeeKey is the history key of a card type's fee.
func CardFeeKey(cardType string) string { return "card_fee." + cardType }

func integer(key, unit, def string, lo, hi int64, desc string, bind func(*Values) any) Def {
	return Def{Key: key, Kind: KindInteger, Unit: unit, Default: def, Min: lo, Max: hi, Description: desc, bind: bind}
}

func decimal(key string, scale int, unit, def, lo, hi, desc string, bind func(*Values) any) Def {
	return Def{Key: key, Kind: KindDecimal, Scale: scale, Unit: unit, Default: def, Min: int64(mustDecimal(lo, scale)),
		Max: int64(mustDecimal(hi, scale)), Description: desc, bind: bind}
}

func boolean(key, def, desc string, bind func(*Values) any) Def {
	return Def{Key: key, Kind: KindBoolean, Default: def, Description: desc, bind: bind}
}

func currency(key, def, desc string, bind func(*Values) any) Def {
	return Def{Key: key, Kind: KindCurrency, Default: def, Description: desc, bind: bind}
}

func mustDecimal(s string, scale int) money.Amount {
	a, err := parseDecimal(s, scale)
	if err != nil {
		panic("settings: bad bound " + s + ": " + err.Error())
	}
	return a
}

// registry is every stored setting, with the defaults of API.md §3.3.
func registry(currencies []Currency) []Def {
	payout := "USDT-TRC20"
	if !hasCurrency(currencies, payout) && len(currencies) > 0 {
		payout = currencies[0].Name
	}
	defs := []Def{
		// Cards and the card fee.
		integer("max_cards", "cards", "5", 1, 100, "Cards an account may hold (issued or being issued; cancelled cards do not count). Default: COMECOMEPAY_MAX_CARDS.",
			func(v *Values) any { return &v.MaxCards }),
		decimal("upgrade_amount", 2, "USD", "40", "0.01", "1000", "Fee of a physical upgrade of a virtual card, paid 1:1 in a stablecoin.",
			func(v *Values) any { return &v.UpgradeAmount }),
		integer("fee_payment_expiry_seconds", "seconds", "1800", 60, 86400, "How long a created card-fee payment waits for completion (applies to payments created after a change).",
			func(v *Values) any { return &v.FeePaymentExpiry }),
		boolean("kyc_requires_card_fee", "true", "KYC may start only after a completed card-fee payment (or a waived virtual fee).",
			func(v *Values) any { return &v.KYCRequiresCardFee }),
		integer("issuance_timeout_seconds", "seconds", "86400", 3600, 7*86400, "A card issuance task not completed within this time fails and releases its fee payment.",
			func(v *Values) any { return &v.IssuanceTimeout }),
		currency("card_cancel_refund_currency", payout, "Wallet currency a cancelled card's balance is refunded in.",
			func(v *Values) any { return &v.CardCancelRefundCurrency }),

		// Swaps.
		decimal(KeySwapFeeRate, 8, "rate", "0.022", "0", "0.2", "Swap fee as a fraction of the HKD side (0.022 = 2.2 %), charged in HKD; fixed in a quote when it is made.",
			func(v *Values) any { return &v.SwapFeeRate }),
		integer("swap_quote_ttl_seconds", "seconds", "300", 10, 3600, "Lifetime of a swap quote.",
			func(v *Values) any { return &v.SwapQuoteTTL }),
		decimal("card_recharge_min_hkd", 2, "HKD", "10", "0.01", "1000000", "Smallest card recharge (crypto → HKD), net HKD credited.",
			func(v *Values) any { return &v.CardRechargeMin }),
		decimal("card_recharge_max_hkd", 2, "HKD", "10000", "0.01", "1000000", "Largest card recharge, net HKD credited.",
			func(v *Values) any { return &v.CardRechargeMax }),
		decimal("card_withdraw_min_hkd", 2, "HKD", "50", "0.01", "1000000", "Smallest card withdrawal (HKD → crypto).",
			func(v *Values) any { return &v.CardWithdrawMin }),
		decimal("card_withdraw_max_hkd", 2, "HKD", "0", "0", "1000000", "Largest card withdrawal; 0 = no maximum.",
			func(v *Values) any { return &v.CardWithdrawMax }),

		// Card figures the app displays.
		decimal("card_quota_single_hkd", 2, "HKD", "10000", "0", "10000000", "Displayed single-transaction card quota (the issuer enforces it).",
			func(v *Values) any { return &v.CardQuotaSingle }),
		decimal("card_quota_day_hkd", 2, "HKD", "10000", "0", "10000000", "Displayed daily card quota.",
			func(v *Values) any { return &v.CardQuotaDay }),
		decimal("card_quota_month_hkd", 2, "HKD", "350000", "0", "10000000", "Displayed monthly card quota.",
			func(v *Values) any { return &v.CardQuotaMonth }),
		decimal("card_recharge_fee_percent", 2, "percent", "1", "0", "100", "Displayed card recharge fee.",
			func(v *Values) any { return &v.CardRechargeFeePct }),
		decimal("card_withdraw_fee_percent", 2, "percent", "2", "0", "100", "Displayed card withdrawal fee.",
			func(v *Values) any { return &v.CardWithdrawFeePct }),
		decimal("card_transaction_fee_percent", 2, "percent", "1", "0", "100", "Displayed card transaction fee.",
			func(v *Values) any { return &v.CardTransactionFeePct }),
		decimal("card_cross_border_fee_percent", 2, "percent", "0", "0", "100", "Displayed cross-border fee.",
			func(v *Values) any { return &v.CardCrossBorderFeePct }),
		decimal("card_fx_fee_percent", 2, "percent", "1.4", "0", "100", "Displayed FX fee.",
			func(v *Values) any { return &v.CardFXFeePct }),
		decimal("card_monthly_fee_hkd", 2, "HKD", "0", "0", "10000", "Displayed monthly card fee.",
			func(v *Values) any { return &v.CardMonthlyFee }),
		decimal("card_failed_transaction_fee_hkd", 2, "HKD", "0.4", "0", "1000", "Displayed fee per failed card transaction beyond the free ones.",
			func(v *Values) any { return &v.FailedTxFee }),
		integer("card_failed_transaction_free_per_month", "transactions", "5", 0, 1000, "Displayed free failed transactions per month.",
			func(v *Values) any { return &v.FailedTxFreePerMonth }),
		decimal("card_small_transaction_fee_hkd", 2, "HKD", "0.15", "0", "1000", "Displayed fee per small card transaction beyond the free ones.",
			func(v *Values) any { return &v.SmallTxFee }),
		integer("card_small_transaction_free_per_month", "transactions", "6", 0, 1000, "Displayed free small transactions per month.",
			func(v *Values) any { return &v.SmallTxFreePerMonth }),
	}
	for _, c := range currencies {
		defs = append(defs, Def{Key: WithdrawalFeeKey(c.Name), Kind: KindWithdrawalFee, Scale: c.Decimals, Unit: c.Name,
			Default:     WithdrawalFee{Type: FeeFixed, Amount: money.Amount(pow10(c.Decimals))}.canonical(c.Decimals),
			Description: "Crypto withdrawal fee in " + c.Name + ": fixed, or a percentage with a minimum.", currency: c.Name})
	}
	return append(defs,
		decimal("withdrawal_min", UnitDecimals, "units", "10", "0.000001", "1000000", "Smallest crypto withdrawal per request, in units of the currency.",
			func(v *Values) any { return &v.WithdrawalMin }),
		decimal("withdrawal_max", UnitDecimals, "units", "50000", "0.000001", "1000000", "Largest crypto withdrawal per request.",
			func(v *Values) any { return &v.WithdrawalMax }),
		decimal("withdrawal_daily_limit_usd", 2, "USD", "50000", "0.01", "100000000", "Withdrawals per user per UTC day, USD-equivalent (stablecoins 1:1).",
			func(v *Values) any { return &v.WithdrawalDailyLimitUSD }),
		decimal("withdrawal_monthly_limit_usd", 2, "USD", "500000", "0.01", "100000000", "Withdrawals per user per UTC month, USD-equivalent.",
			func(v *Values) any { return &v.WithdrawalMonthlyLimitUSD }),
		// At most the four-eyes threshold: an automatic approval never
		// approves what one operator alone could not.
		decimal("withdrawal_auto_approve_max_usd", 2, "USD", "0", "0", "1000", "Withdrawals up to this USD-equivalent are approved without an operator; 0 = every withdrawal waits for one (sandbox mode approves all).",
			func(v *Values) any { return &v.WithdrawalAutoApproveMaxUSD }),
		boolean("withdrawal_requires_tx_password", "false", "Withdrawals must carry the transaction password. Default: COMECOMEPAY_WITHDRAWAL_REQUIRES_TX_PASSWORD.",
			func(v *Values) any { return &v.WithdrawalRequiresTxPassword }),
		decimal("transfer_min", UnitDecimals, "units", "0.01", "0.000001", "1000000", "Smallest internal transfer (transfer-by-uid).",
			func(v *Values) any { return &v.TransferMin }),
		decimal("transfer_max", UnitDecimals, "units", "50000", "0.000001", "1000000", "Largest internal transfer.",
			func(v *Values) any { return &v.TransferMax }),
		decimal("deposit_min", UnitDecimals, "units", "1", "0", "1000000", "Smallest deposit credited; a smaller one is recorded as below the minimum for an operator.",
			func(v *Values) any { return &v.DepositMin }),
		currency("commission_payout_currency", payout, "Wallet currency referral commissions are paid in.",
			func(v *Values) any { return &v.CommissionPayoutCurrency }),
	)
}

func hasCurrency(cs []Currency, name string) bool {
	for _, c := range cs {
		if c.Name == name {
			return true
		}
	}
	return false
}

// Defs returns every stored setting in display order.
func (s *Service) Defs() []Def { return append([]Def(nil), s.defs...) }

// Def returns the setting of key.
func (s *Service) Def(key string) (Def, bool) {
	d, ok := s.byKey[key]
	return d, ok
}

// seconds is the type a *time.Duration setting is held in.
func seconds(n int64) time.Duration { return time.Duration(n) * time.Second }
