package httpkit

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/money"
)

// FlexNumber keeps a JSON number or numeric string as text, so amounts are
// parsed exactly and ids may be sent either way (API.md §1.2, §1.7).
type FlexNumber struct {
	Raw     string
	Present bool
	TypeOK  bool
}

// UnmarshalJSON implements json.Unmarshaler; type problems are reported by
// the parse methods as field errors.
func (f *FlexNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = FlexNumber{}
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexNumber{Raw: s, Present: true, TypeOK: true}
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*f = FlexNumber{Raw: string(b), Present: true, TypeOK: true}
	default:
		*f = FlexNumber{Present: true}
	}
	return nil
}

// Amount parses a required positive amount with the currency's decimals.
func (f Fields) Amount(name string, v FlexNumber, decimals int) money.Amount {
	switch {
	case !v.Present:
		f.Add(name, "is required")
		return 0
	case !v.TypeOK:
		f.Add(name, "must be a number")
		return 0
	}
	a, err := money.ParsePositive(v.Raw, decimals)
	if err != nil {
		f.Add(name, err.Error())
	}
	return a
}

// ID parses a required positive integer id.
func (f Fields) ID(name string, v FlexNumber) int64 {
	switch {
	case !v.Present:
		f.Add(name, "is required")
		return 0
	case !v.TypeOK:
		f.Add(name, "must be an integer")
		return 0
	}
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	if err != nil || n <= 0 {
		f.Add(name, "must be a positive integer")
	}
	return n
}

// Num renders minor units as a JSON number literal.
func Num(a money.Amount, decimals int) json.Number { return json.Number(a.Format(decimals)) }
