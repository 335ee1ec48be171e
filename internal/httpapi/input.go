package httpapi

import (
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// cryptoCurrency reads the required `currency` field of a money-moving
// request: a missing one is a field error in f; a name that is not an
// enabled crypto currency is UNSUPPORTED_CURRENCY. ok reports a usable one.
func (s *Server) cryptoCurrency(f httpkit.Fields, v *string, action string) (cur wallet.Currency, ok bool, err error) {
	name := f.Required("currency", v)
	cur, ok = s.Wallets.Currencies.Crypto(name)
	if name != "" && !ok {
		return cur, false, wallet.ErrUnsupportedCurrency.WithDetails("Only enabled crypto currencies such as USDT-TRC20 can be " + action)
	}
	return cur, ok, nil
}
