package wallet_test

import (
	"context"
	"testing"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

func TestRateWithSpread(t *testing.T) {
	t.Parallel()
	mid, _ := money.ParseRate("7.8")
	spread, _ := money.ParseRate("0.01")
	s := wallet.NewService(wallet.Deps{Rates: wallet.FixedRates{Rate: mid}, FXSpread: spread})
	for _, tc := range []struct{ from, to, want string }{
		{"USDT", "HKD", "7.722"},      // 7.8 × 0.99
		{"HKD", "USDC", "0.12693577"}, // 1 / (7.8 × 1.01)
		{"USDT-TRC20", "USD", "1"},
	} {
		got, err := s.Rate(context.Background(), tc.from, tc.to)
		if err != nil || got.String() != tc.want {
			t.Errorf("%s→%s = %s (%v), want %s", tc.from, tc.to, got, err, tc.want)
		}
	}
}

func TestSelectCurrencies(t *testing.T) {
	t.Parallel()
	got, err := wallet.SelectCurrencies([]string{"usdc-erc20", "HKD", "USDC-ERC20"})
	if err != nil || len(got) != 2 || got[0].Name != "USDC-ERC20" || got[1].Name != "HKD" {
		t.Fatalf("SelectCurrencies = %v, %v", got, err)
	}
	if _, err := wallet.SelectCurrencies([]string{"BTC"}); err == nil {
		t.Fatal("an unknown currency was accepted")
	}
}
