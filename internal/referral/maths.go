package referral

import (
	"errors"
	"math/big"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// Swap directions, the swap domain's.
const (
	DirectionRecharge = swap.Recharge // crypto → HKD
	DirectionWithdraw = swap.Withdraw // HKD → crypto
)

// centsDecimals are the decimals of USD and HKD amounts.
const centsDecimals = 2

// base is a commission's source amount in USD, kept as an exact fraction
// of payout-currency minor units so that converting and applying the rate
// round only once, down: the platform never pays more than the exact
// commission and less by under one minor unit (API.md §1.7).
type base struct{ num, den *big.Int }

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// cardOpeningBase is a fee payment's actual_payment (USD cents), paid out
// 1:1 in a stablecoin of payoutDecimals.
func cardOpeningBase(cents money.Amount, payoutDecimals int) base {
	num := new(big.Int).Mul(big.NewInt(int64(cents)), pow10(payoutDecimals-centsDecimals))
	return base{num, big.NewInt(1)}
}

var errNoRate = errors.New("referral: swap commission without a rate")

// transactionBase converts a swap fee (HKD cents) to USD at the swap's own
// rate, which is HKD per USD in both directions (USD stablecoins at par).
func transactionBase(feeHKD money.Amount, rate money.Rate, direction swap.Direction, payoutDecimals int) (base, error) {
	if rate <= 0 {
		return base{}, errNoRate
	}
	// fee / 100 HKD → minor units: fee × 10^(d-2).
	num := new(big.Int).Mul(big.NewInt(int64(feeHKD)), pow10(payoutDecimals-centsDecimals))
	den := big.NewInt(1)
	switch direction {
	case DirectionRecharge, DirectionWithdraw: // USD = HKD ÷ rate
		num.Mul(num, big.NewInt(money.RateScale))
		den.SetInt64(int64(rate))
	default:
		return base{}, errors.New("referral: unknown swap direction " + string(direction))
	}
	return base{num, den}, nil
}

// amount is the source amount in minor units, rounded down.
func (b base) amount() money.Amount {
	return money.Amount(new(big.Int).Quo(b.num, b.den).Int64())
}

// times applies a commission rate, rounding down once.
func (b base) times(r money.Rate) money.Amount {
	num := new(big.Int).Mul(b.num, big.NewInt(int64(r)))
	den := new(big.Int).Mul(b.den, big.NewInt(money.RateScale))
	return money.Amount(new(big.Int).Quo(num, den).Int64())
}
