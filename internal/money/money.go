// Package money holds amounts as int64 minor units of a currency with a fixed
// number of decimals, parses decimal text exactly (never through floats), and
// formats amounts as plain decimal literals.
package money

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// Amount is a signed quantity in minor units (10^-decimals of a unit).
type Amount int64

// MaxUnits is the global hard cap on any single amount (API.md §1.7).
const MaxUnits = 1_000_000_000

// Parse errors. They are reasons, suitable for a field error.
var (
	ErrNotNumeric  = errors.New("must be a plain decimal number")
	ErrNotPositive = errors.New("must be greater than 0")
	ErrTooPrecise  = errors.New("has more decimal places than the currency allows")
	ErrTooLarge    = errors.New("exceeds the maximum allowed amount")
	errBadDecimals = errors.New("decimals out of range")
	pow10          = [...]int64{1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000}
)

// ParsePositive parses a plain decimal literal ("10", "10.5", "0.000001")
// into minor units of a currency with the given decimals. It rejects signs,
// exponents, NaN/Infinity, more fractional digits than decimals, zero, and
// amounts above MaxUnits.
func ParsePositive(s string, decimals int) (Amount, error) {
	if decimals < 0 || decimals >= len(pow10) {
		return 0, errBadDecimals
	}
	s = strings.TrimSpace(s)
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, ErrNotNumeric
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > decimals {
		return 0, ErrTooPrecise
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 10 {
		return 0, ErrTooLarge
	}
	units := int64(0)
	if intPart != "" {
		units, _ = strconv.ParseInt(intPart, 10, 64)
	}
	if units > MaxUnits {
		return 0, ErrTooLarge
	}
	minor := units * pow10[decimals]
	if frac != "" {
		f, _ := strconv.ParseInt(frac, 10, 64)
		minor += f * pow10[decimals-len(frac)]
	}
	if minor > MaxUnits*pow10[decimals] {
		return 0, ErrTooLarge
	}
	if minor == 0 {
		return 0, ErrNotPositive
	}
	return Amount(minor), nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Format renders a as a plain decimal with at most decimals fractional
// digits, trailing zeros trimmed: 12.5, 100, 0.000001, -3.
func (a Amount) Format(decimals int) string {
	neg := a < 0
	v := int64(a)
	if neg {
		v = -v
	}
	p := pow10[decimals]
	s := strconv.FormatInt(v/p, 10)
	if frac := v % p; frac != 0 {
		f := strconv.FormatInt(frac, 10)
		f = strings.Repeat("0", decimals-len(f)) + f
		s += "." + strings.TrimRight(f, "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Rate is a non-negative decimal with up to 8 fractional digits, held as an
// integer scaled by 10^8 (7.8 → 780000000).
type Rate int64

// RateScale is the fixed-point scale of Rate.
const RateScale = 100_000_000

// ParseRate parses a decimal rate with at most 8 fractional digits.
func ParseRate(s string) (Rate, error) {
	a, err := ParsePositive(s, 8)
	return Rate(a), err
}

// String formats r as a plain decimal.
func (r Rate) String() string { return Amount(r).Format(8) }

// Convert multiplies amount (with fromDecimals) by rate into minor units of
// toDecimals, rounding down when roundUp is false and up otherwise: credits
// to users round down, fees round up (API.md §1.7).
func Convert(amount Amount, fromDecimals int, rate Rate, toDecimals int, roundUp bool) Amount {
	num := new(big.Int).Mul(big.NewInt(int64(amount)), big.NewInt(int64(rate)))
	num.Mul(num, big.NewInt(pow10[toDecimals]))
	den := new(big.Int).Mul(big.NewInt(RateScale), big.NewInt(pow10[fromDecimals]))
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if roundUp && m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return Amount(q.Int64())
}

// Divide divides amount (with fromDecimals) by rate into minor units of
// toDecimals, rounding down: converting at 1/rate without first rounding
// 1/rate, so 381.42 HKD at 7.80 HKD per USDT is exactly 48.9 USDT.
func Divide(amount Amount, fromDecimals int, rate Rate, toDecimals int) Amount {
	if rate <= 0 {
		return 0
	}
	num := new(big.Int).Mul(big.NewInt(int64(amount)), big.NewInt(RateScale))
	num.Mul(num, big.NewInt(pow10[toDecimals]))
	den := new(big.Int).Mul(big.NewInt(int64(rate)), big.NewInt(pow10[fromDecimals]))
	return Amount(new(big.Int).Quo(num, den).Int64())
}
