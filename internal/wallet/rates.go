package wallet

import (
	"context"

	"github.com/comecomepay/comecomepay/internal/money"
)

// FixedRates is the sandbox rate source: one configured USD-stablecoin → HKD
// rate (API.md §4: default 7.80).
type FixedRates struct{ Rate money.Rate }

// USDTHKD implements Rates.
func (f FixedRates) USDTHKD(context.Context) (money.Rate, error) { return f.Rate, nil }
