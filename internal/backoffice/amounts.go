package backoffice

import "github.com/comecomepay/comecomepay/internal/money"

// FormatAmount writes minor units of a currency as the decimal the
// operator reads ("1500.000000 USDT-TRC20" → "1500"), using the wallet's
// currency table; an unknown currency shows its minor units with a note.
func (s *Service) FormatAmount(currency string, a money.Amount) string {
	if c, ok := s.MoneyDeps.Wallets.Currencies.Get(currency); ok {
		return a.Format(c.Decimals) + " " + currency
	}
	return a.Format(0) + " " + currency + " (minor units)"
}
