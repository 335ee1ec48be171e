package backoffice

import (
	"testing"

	"github.com/comecomepay/comecomepay/internal/money"
)

func TestUSDCentsValuesConservatively(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		currency string
		decimals int
		amount   money.Amount
		want     money.Amount
	}{
		{"USDT-TRC20", 6, 1_000_000_000, 100_000}, // 1 000 USDT
		{"USDC-ERC20", 6, 1, 1},                   // a micro-unit rounds up to a cent
		{"HKD", 2, 775_000, 100_000},              // 7 750 HKD = 1 000 USD at 7.75
		{"HKD", 2, 780_000, 100_646},              // 7 800 HKD ≈ 1 006.45 USD, rounded up
		{"USDT-TRC20", 6, 0, 0},
	} {
		if got := usdCents(c.currency, c.decimals, c.amount); got != c.want {
			t.Errorf("usdCents(%s, %d) = %d, want %d", c.currency, c.amount, got, c.want)
		}
	}
}
