package wallet

import (
	"context"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
)

// FixedRates is the sandbox rate source: one configured USD-stablecoin → HKD
// rate (API.md §4: default 7.80).
type FixedRates struct{ Rate money.Rate }

// USDTHKD implements Rates.
func (f FixedRates) USDTHKD(context.Context) (money.Rate, error) { return f.Rate, nil }

// Rate errors.
var (
	ErrSameCurrency    = apperr.New("SAME_CURRENCY")
	ErrUnsupportedPair = apperr.New("UNSUPPORTED_PAIR")
	ErrRateUnavailable = apperr.New("EXCHANGE_RATE_UNAVAILABLE")
)

// usdLike are the symbols at par with each other (API.md §1.7).
var usdLike = map[string]bool{"USDT": true, "USDC": true, "USD": true}

// MainSymbol reduces a currency name to its main symbol ("USDT-TRC20" → "USDT").
func MainSymbol(name string) string {
	sym, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(name)), "-")
	return sym
}

// Rate returns units of `to` per 1 `from` for main symbols USDT, USDC, USD
// and HKD.
func (s *Service) Rate(ctx context.Context, from, to string) (money.Rate, error) {
	from, to = MainSymbol(from), MainSymbol(to)
	known := func(sym string) bool { return usdLike[sym] || sym == HKD }
	switch {
	case !known(from) || !known(to):
		return 0, ErrUnsupportedPair.WithDetails("Rates exist between USDT, USDC, USD and HKD")
	case from == to:
		return 0, ErrSameCurrency
	case usdLike[from] && usdLike[to]:
		return money.RateScale, nil
	}
	mid, err := s.Rates.USDTHKD(ctx)
	if err != nil || mid <= 0 {
		return 0, ErrRateUnavailable
	}
	// The spread is the platform's on both sides: fewer HKD per dollar when
	// buying HKD, more HKD per dollar when selling it.
	if to == HKD {
		return mulRate(mid, money.RateScale-s.FXSpread, false), nil
	}
	return Inverse(mulRate(mid, money.RateScale+s.FXSpread, true)), nil
}

// HKDPerDollar is the rate, in HKD per USD-stablecoin, at which the user
// buys HKD (selling=false: mid less the spread, rounded down) or sells HKD
// (selling=true: mid plus the spread, rounded up). Conversions out of HKD
// divide by it (money.Divide) rather than multiply by a rounded inverse, so
// they never round in the user's favour.
func (s *Service) HKDPerDollar(ctx context.Context, selling bool) (money.Rate, error) {
	mid, err := s.Rates.USDTHKD(ctx)
	if err != nil || mid <= 0 {
		return 0, ErrRateUnavailable
	}
	if selling {
		return mulRate(mid, money.RateScale+s.FXSpread, true), nil
	}
	return mulRate(mid, money.RateScale-s.FXSpread, false), nil
}

// mulRate multiplies two rates, rounding down or up.
func mulRate(a, b money.Rate, up bool) money.Rate {
	return money.Rate(money.Convert(money.Amount(a), 8, b, 8, up))
}

// Inverse returns 1/r rounded to the nearest 8th decimal: the displayed
// inverse_rate. Conversions use Rate, which never rounds in the user's favour.
func Inverse(r money.Rate) money.Rate {
	return money.Rate((int64(money.RateScale)*money.RateScale + int64(r)/2) / int64(r))
}
