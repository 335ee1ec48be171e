// Package settings is the programme's operator-set figures (API.md §3.3):
// fees, limits and defaults, stored in the database with the history of
// their changes. Consumers read them when they use them — inside their own
// transaction where the figure decides money — so a change made through one
// replica is what the next request sees on every replica, without a restart.
// There is deliberately no cache: the table holds a few dozen rows and one
// read of it costs less than keeping copies on each replica coherent.
package settings

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Values are the live figures, typed. Amounts are minor units: HKD and USD
// with 2 decimals, crypto amounts ("units" of a stablecoin) with 6
// (UnitDecimals; Units converts to a currency's own decimals).
type Values struct {
	// Cards and the card fee.
	MaxCards                 int
	UpgradeAmount            money.Amount // US cents
	FeePaymentExpiry         time.Duration
	KYCRequiresCardFee       bool
	IssuanceTimeout          time.Duration
	CardCancelRefundCurrency string

	// Swaps between a stablecoin and a card's HKD (HKD cents).
	SwapFeeRate     money.Rate
	SwapQuoteTTL    time.Duration
	CardRechargeMin money.Amount // net HKD credited to the card
	CardRechargeMax money.Amount
	CardWithdrawMin money.Amount // HKD taken from the card
	CardWithdrawMax money.Amount // 0 = no maximum

	// Card figures the app displays (the issuer enforces them): HKD cents,
	// percentages with 2 decimals.
	CardQuotaSingle       money.Amount
	CardQuotaDay          money.Amount
	CardQuotaMonth        money.Amount
	CardRechargeFeePct    money.Amount
	CardWithdrawFeePct    money.Amount
	CardTransactionFeePct money.Amount
	CardCrossBorderFeePct money.Amount
	CardFXFeePct          money.Amount
	CardMonthlyFee        money.Amount
	FailedTxFee           money.Amount
	FailedTxFreePerMonth  int
	SmallTxFee            money.Amount
	SmallTxFreePerMonth   int

	// Wallet: crypto amounts in units (6 decimals), USD-equivalent limits
	// in US cents.
	WithdrawalFees               map[string]WithdrawalFee // by currency name
	WithdrawalMin                money.Amount
	WithdrawalMax                money.Amount
	WithdrawalDailyLimitUSD      money.Amount
	WithdrawalMonthlyLimitUSD    money.Amount
	WithdrawalAutoApproveMaxUSD  money.Amount // 0 = every withdrawal waits for an operator
	WithdrawalRequiresTxPassword bool
	TransferMin                  money.Amount
	TransferMax                  money.Amount
	DepositMin                   money.Amount
	CommissionPayoutCurrency     string
}

// UnitDecimals are the decimals of the settings' crypto amounts.
const UnitDecimals = 6

// Units converts a settings crypto amount (6 decimals) to minor units of a
// currency with decimals, rounding up: a minimum or a fee never shrinks.
func Units(a money.Amount, decimals int) money.Amount {
	if decimals >= UnitDecimals {
		return a * money.Amount(pow10(decimals-UnitDecimals))
	}
	p := money.Amount(pow10(UnitDecimals - decimals))
	return (a + p - 1) / p
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// WithdrawalFee returns the fee rule of a currency (fixed 1 unit when the
// currency is not enabled, which the wallet refuses anyway).
func (v Values) WithdrawalFee(currency string) WithdrawalFee {
	if f, ok := v.WithdrawalFees[currency]; ok {
		return f
	}
	return WithdrawalFee{Type: FeeFixed, Amount: money.Amount(pow10(UnitDecimals))}
}

// Currency is an enabled wallet stablecoin: what a currency setting may
// name and what has a withdrawal fee.
type Currency struct {
	Name     string
	Decimals int
}

// Fixed is a §3.3 figure that is not stored here (it is set by the
// deployment), listed so operators see every figure in one place.
type Fixed struct {
	Key         string
	Value       string
	Source      string // e.g. "env COMECOMEPAY_ACCESS_TOKEN_TTL"
	Description string
}

// Deps are the collaborators of the Service.
type Deps struct {
	DB *store.DB
	// Currencies are the enabled stablecoins, in display order.
	Currencies []Currency
	// Defaults replace built-in defaults by key (canonical text), for the
	// figures the deployment's environment sets (max cards, the
	// transaction password on withdrawals). A stored value wins over them.
	Defaults map[string]string
	// Fixed are the figures set by the deployment, for the listing.
	Fixed []Fixed
	Now   func() time.Time
}

// Service reads and changes the settings.
type Service struct {
	Deps
	defs     []Def
	byKey    map[string]Def
	defaults Values
	err      error // a bad default, reported by Check
}

// NewService returns the settings of d's currencies.
func NewService(d Deps) *Service {
	s := &Service{Deps: d, byKey: map[string]Def{}}
	s.defs = registry(d.Currencies)
	for i, def := range s.defs {
		if text, ok := d.Defaults[def.Key]; ok {
			canon, err := def.parseText(text, s.currencyNames())
			if err != nil {
				s.err = fmt.Errorf("settings: default of %s %q: %w", def.Key, text, err)
			}
			s.defs[i].Default = canon
		}
		s.byKey[def.Key] = s.defs[i]
	}
	for _, def := range s.defs {
		if err := def.apply(&s.defaults, def.Default); err != nil && s.err == nil {
			s.err = fmt.Errorf("settings: default of %s: %w", def.Key, err)
		}
	}
	return s
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("settings", deps.Wired{"DB": d.DB != nil, "Now": d.Now != nil, "Currencies": len(d.Currencies) > 0,
		"Defaults": d.Defaults != nil, "Fixed": d.Fixed != nil})
}

// Check refuses a start with a collaborator missing or a default that is
// not a valid value of its setting.
func (s *Service) Check() error {
	if s.err != nil {
		return s.err
	}
	return s.Deps.Check()
}

func (s *Service) currencyNames() map[string]bool {
	out := map[string]bool{}
	for _, c := range s.Currencies {
		out[c.Name] = true
	}
	return out
}

// Defaults returns the values in force when nothing is stored.
func (s *Service) Defaults() Values { return s.defaults.clone() }

func (v Values) clone() Values {
	v.WithdrawalFees = maps.Clone(v.WithdrawalFees)
	return v
}

// Current returns the values in force, read through q: pass the caller's
// transaction when the figure decides what the transaction does.
func (s *Service) Current(ctx context.Context, q store.Querier) (Values, error) {
	v := s.defaults.clone()
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM platform_settings`)
	if err != nil {
		return Values{}, fmt.Errorf("settings: read: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, text string
		if err := rows.Scan(&key, &text); err != nil {
			return Values{}, fmt.Errorf("settings: read: %w", err)
		}
		def, ok := s.byKey[key]
		if !ok {
			continue // a setting this version no longer has (or a disabled currency's fee)
		}
		if err := def.apply(&v, text); err != nil {
			return Values{}, fmt.Errorf("settings: stored %s: %w", key, err)
		}
	}
	if err := rows.Err(); err != nil {
		return Values{}, fmt.Errorf("settings: read: %w", err)
	}
	return v, nil
}

// Get returns the values in force, for callers outside a transaction.
func (s *Service) Get(ctx context.Context) (Values, error) { return s.Current(ctx, s.DB.SQL) }
