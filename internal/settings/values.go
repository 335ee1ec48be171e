package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
)

// FeeType is how a withdrawal fee is computed.
type FeeType string

// Withdrawal fee types.
const (
	FeeFixed      FeeType = "fixed"
	FeePercentage FeeType = "percentage"
)

// WithdrawalFee is a currency's withdrawal fee: a fixed amount, or a share
// of the amount with a minimum. Amounts are minor units of the currency.
type WithdrawalFee struct {
	Type    FeeType
	Amount  money.Amount // fixed
	Rate    money.Rate   // percentage, as a fraction (0.001 = 0.1 %)
	Minimum money.Amount // percentage
}

// For returns the fee on amount, rounded up (API.md §1.7: fees round in the
// platform's favour).
func (f WithdrawalFee) For(amount money.Amount) money.Amount {
	if f.Type == FeeFixed {
		return f.Amount
	}
	// The decimals cancel out: fee and amount are in one currency.
	return max(money.Convert(amount, 0, f.Rate, 0, true), f.Minimum)
}

// withdrawalFeeJSON is a withdrawal fee's canonical text and API shape.
type withdrawalFeeJSON struct {
	FeeType   FeeType     `json:"fee_type"`
	FeeAmount json.Number `json:"fee_amount"`
	FeeRate   json.Number `json:"fee_rate"`
	MinFee    json.Number `json:"min_fee"`
}

func (f WithdrawalFee) canonical(decimals int) string {
	raw, _ := json.Marshal(withdrawalFeeJSON{FeeType: f.Type, FeeAmount: json.Number(f.Amount.Format(decimals)),
		FeeRate: json.Number(f.Rate.String()), MinFee: json.Number(f.Minimum.Format(decimals))})
	return string(raw)
}

// CardFeeValue is the history text of a card type's fee (US cents).
func CardFeeValue(fee money.Amount, active bool) string {
	raw, _ := json.Marshal(struct {
		FeeAmount json.Number `json:"fee_amount"`
		IsActive  bool        `json:"IsActive"`
	}{json.Number(fee.Format(2)), active})
	return string(raw)
}

// FieldError is a value that is not valid for its setting. Field names a
// member of an object value ("" for the value itself).
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

func invalid(reason string) error { return &FieldError{Reason: reason} }

// parseDecimal parses a plain decimal ≥ 0 with at most scale decimals.
func parseDecimal(s string, scale int) (money.Amount, error) {
	a, err := money.ParsePositive(s, scale)
	if errors.Is(err, money.ErrNotPositive) {
		return 0, nil
	}
	return a, err
}

// numberText returns the text of a JSON number or numeric string.
func numberText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return strings.TrimSpace(s), true
	case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') && json.Valid(raw):
		return string(raw), true
	}
	return "", false
}

// Parse checks raw (a JSON value) against the setting and returns its
// canonical text. currencies are the enabled currency names.
func (d Def) Parse(raw json.RawMessage, currencies map[string]bool) (string, error) {
	switch d.Kind {
	case KindInteger:
		s, ok := numberText(raw)
		n, err := strconv.ParseInt(s, 10, 64)
		if !ok || err != nil {
			return "", invalid("must be an integer")
		}
		if n < d.Min || n > d.Max {
			return "", invalid(fmt.Sprintf("must be between %d and %d", d.Min, d.Max))
		}
		return strconv.FormatInt(n, 10), nil
	case KindDecimal:
		s, ok := numberText(raw)
		if !ok {
			return "", invalid("must be a number")
		}
		a, err := parseDecimal(s, d.Scale)
		if err != nil {
			return "", invalid(err.Error())
		}
		if int64(a) < d.Min || int64(a) > d.Max {
			return "", invalid("must be between " + money.Amount(d.Min).Format(d.Scale) + " and " + money.Amount(d.Max).Format(d.Scale))
		}
		return a.Format(d.Scale), nil
	case KindBoolean:
		var b bool
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("n")) || json.Unmarshal(raw, &b) != nil {
			return "", invalid("must be true or false")
		}
		return strconv.FormatBool(b), nil
	case KindCurrency:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", invalid("must be a string")
		}
		if s = strings.TrimSpace(s); !currencies[s] {
			return "", invalid("must be an enabled stablecoin, e.g. USDT-TRC20")
		}
		return s, nil
	case KindWithdrawalFee:
		f, err := ParseWithdrawalFee(raw, d.Scale)
		if err != nil {
			return "", err
		}
		return f.canonical(d.Scale), nil
	}
	return "", invalid("cannot be set here")
}

// parseText checks stored (or configured) canonical text.
func (d Def) parseText(text string, currencies map[string]bool) (string, error) {
	raw := json.RawMessage(text)
	if d.Kind == KindCurrency {
		raw, _ = json.Marshal(text)
	}
	return d.Parse(raw, currencies)
}

// ParseWithdrawalFee reads {fee_type, fee_amount, fee_rate, min_fee} for a
// currency with decimals: fixed takes fee_amount (0–1000 units); percentage
// takes fee_rate (above 0, at most 0.1) and an optional min_fee (0–1000
// units).
func ParseWithdrawalFee(raw json.RawMessage, decimals int) (WithdrawalFee, error) {
	var in struct {
		FeeType   json.RawMessage `json:"fee_type"`
		FeeAmount json.RawMessage `json:"fee_amount"`
		FeeRate   json.RawMessage `json:"fee_rate"`
		MinFee    json.RawMessage `json:"min_fee"`
	}
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &in) != nil {
		return WithdrawalFee{}, invalid("must be an object {fee_type, fee_amount | fee_rate, min_fee}")
	}
	present := func(r json.RawMessage) bool { return len(r) > 0 && string(r) != "null" }
	// The canonical text (and the GET answer) carries every member, zeros
	// for the other type's: zero counts as absent.
	given := func(r json.RawMessage) bool {
		if !present(r) {
			return false
		}
		s, ok := numberText(r)
		a, err := parseDecimal(s, 8)
		return !ok || err != nil || a != 0
	}
	amount := func(field string, r json.RawMessage) (money.Amount, error) {
		s, ok := numberText(r)
		if !ok {
			return 0, &FieldError{field, "must be a number"}
		}
		a, err := parseDecimal(s, decimals)
		if err != nil {
			return 0, &FieldError{field, err.Error()}
		}
		if a > money.Amount(1000*pow10(decimals)) {
			return 0, &FieldError{field, "must be at most 1000"}
		}
		return a, nil
	}
	var t string
	if json.Unmarshal(in.FeeType, &t) != nil {
		return WithdrawalFee{}, &FieldError{"fee_type", "must be fixed or percentage"}
	}
	switch f := (WithdrawalFee{Type: FeeType(strings.TrimSpace(t))}); f.Type {
	case FeeFixed:
		if given(in.FeeRate) {
			return WithdrawalFee{}, &FieldError{"fee_rate", "is only for fee_type percentage"}
		}
		if given(in.MinFee) {
			return WithdrawalFee{}, &FieldError{"min_fee", "is only for fee_type percentage"}
		}
		if !present(in.FeeAmount) {
			return WithdrawalFee{}, &FieldError{"fee_amount", "is required for fee_type fixed"}
		}
		var err error
		f.Amount, err = amount("fee_amount", in.FeeAmount)
		return f, err
	case FeePercentage:
		if given(in.FeeAmount) {
			return WithdrawalFee{}, &FieldError{"fee_amount", "is only for fee_type fixed (use min_fee)"}
		}
		s, ok := numberText(in.FeeRate)
		if !ok {
			return WithdrawalFee{}, &FieldError{"fee_rate", "is required: a fraction above 0 and at most 0.1"}
		}
		r, err := parseDecimal(s, 8)
		if err != nil || r <= 0 || r > money.RateScale/10 {
			return WithdrawalFee{}, &FieldError{"fee_rate", "must be a fraction above 0 and at most 0.1 (0.001 = 0.1 %)"}
		}
		f.Rate = money.Rate(r)
		if present(in.MinFee) {
			if f.Minimum, err = amount("min_fee", in.MinFee); err != nil {
				return WithdrawalFee{}, err
			}
		}
		return f, nil
	}
	return WithdrawalFee{}, &FieldError{"fee_type", "must be fixed or percentage"}
}

// apply sets the setting's field of v from canonical text.
func (d Def) apply(v *Values, text string) error {
	if d.Kind == KindWithdrawalFee {
		f, err := ParseWithdrawalFee(json.RawMessage(text), d.Scale)
		if err != nil {
			return err
		}
		if v.WithdrawalFees == nil {
			v.WithdrawalFees = map[string]WithdrawalFee{}
		}
		v.WithdrawalFees[d.currency] = f
		return nil
	}
	switch p := d.bind(v).(type) {
	case *int:
		n, err := strconv.Atoi(text)
		*p = n
		return err
	case *time.Duration:
		n, err := strconv.ParseInt(text, 10, 64)
		*p = seconds(n)
		return err
	case *bool:
		b, err := strconv.ParseBool(text)
		*p = b
		return err
	case *string:
		*p = text
		return nil
	case *money.Amount:
		a, err := parseDecimal(text, d.Scale)
		*p = a
		return err
	case *money.Rate:
		a, err := parseDecimal(text, d.Scale)
		*p = money.Rate(a)
		return err
	}
	return errors.New("settings: " + d.Key + " has no typed field")
}

// JSONValue renders canonical text of kind as the JSON value the admin API
// shows: numbers for integers and decimals, objects for fees.
func JSONValue(kind Kind, text string) json.RawMessage {
	switch kind {
	case KindInteger, KindDecimal, KindBoolean, KindWithdrawalFee, KindCardFee:
		if json.Valid([]byte(text)) {
			return json.RawMessage(text)
		}
	}
	raw, _ := json.Marshal(text)
	return raw
}
