package httpapi

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// flexNumber keeps a JSON number or numeric string as text, so amounts are
// parsed exactly and ids may be sent either way (API.md §1.2, §1.7).
type flexNumber struct {
	raw     string
	present bool
	typeOK  bool
}

// UnmarshalJSON implements json.Unmarshaler; type problems are reported by
// the parse methods as field errors.
func (f *flexNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = flexNumber{}
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexNumber{raw: s, present: true, typeOK: true}
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*f = flexNumber{raw: string(b), present: true, typeOK: true}
	default:
		*f = flexNumber{present: true}
	}
	return nil
}

// amount parses a required positive amount with the currency's decimals.
func (f fields) amount(name string, v flexNumber, decimals int) money.Amount {
	switch {
	case !v.present:
		f.Add(name, "is required")
		return 0
	case !v.typeOK:
		f.Add(name, "must be a number")
		return 0
	}
	a, err := money.ParsePositive(v.raw, decimals)
	if err != nil {
		f.Add(name, err.Error())
	}
	return a
}

// id parses a required positive integer id.
func (f fields) id(name string, v flexNumber) int64 {
	switch {
	case !v.present:
		f.Add(name, "is required")
		return 0
	case !v.typeOK:
		f.Add(name, "must be an integer")
		return 0
	}
	n, err := strconv.ParseInt(v.raw, 10, 64)
	if err != nil || n <= 0 {
		f.Add(name, "must be a positive integer")
	}
	return n
}

// num renders minor units as a JSON number literal.
func num(a money.Amount, decimals int) json.Number { return json.Number(a.Format(decimals)) }

// cryptoCurrency reads the required `currency` field of a money-moving
// request: a missing one is a field error in f; a name that is not an
// enabled crypto currency is UNSUPPORTED_CURRENCY. ok reports a usable one.
func (s *Server) cryptoCurrency(f fields, v *string, action string) (cur wallet.Currency, ok bool, err error) {
	name := f.required("currency", v)
	cur, ok = s.Wallets.Currencies.Crypto(name)
	if name != "" && !ok {
		return cur, false, wallet.ErrUnsupportedCurrency.WithDetails("Only enabled crypto currencies such as USDT-TRC20 can be " + action)
	}
	return cur, ok, nil
}
