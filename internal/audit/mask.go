package audit

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Keys whose values are secrets: never stored in any form.
var secretKeys = map[string]bool{
	"password": true, "password_hash": true, "new_password": true, "old_password": true,
	"transaction_password": true, "tx_password": true, "pin": true, "cvv": true, "cvc": true,
	"card_number": true, "pan": true, "full_number": true, "otp": true, "otp_code": true, "verification_code": true, "totp": true,
	"totp_code": true, "totp_secret": true, "secret": true, "token": true, "access_token": true,
	"refresh_token": true, "api_key": true, "private_key": true,
}

// Keys whose values are personal data: kept only as a hint (first character
// and length class) so a reviewer sees that the value changed, not what it is.
var personalKeys = map[string]bool{
	"email": true, "phone": true, "phone_number": true, "mobile": true, "first_name": true, "holder_name": true,
	"last_name": true, "full_name": true, "name_on_card": true, "recipient_name": true,
	"address": true, "address_line1": true, "address_line2": true, "street": true, "city": true,
	"postal_code": true, "zip": true, "date_of_birth": true, "dob": true, "birthday": true,
	"id_number": true, "document_number": true, "passport_number": true, "nationality": true,
	"ip": true, "wallet_address": true, "to_address": true, "deposit_address": true,
}

// IsSensitiveKey reports whether a JSON key is masked in audit states; the
// admin API's tests use it to look for leaks.
func IsSensitiveKey(key string) bool {
	k := strings.ToLower(key)
	return secretKeys[k] || personalKeys[k]
}

// maskedJSON encodes v with every sensitive key's value masked. nil encodes
// as "" (no state on that side).
func maskedJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return "", err
	}
	out, err := json.Marshal(mask(tree))
	return string(out), err
}

func mask(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			key := strings.ToLower(k)
			switch {
			case secretKeys[key]:
				t[k] = "[redacted]"
			case personalKeys[key]:
				t[k] = hint(child)
			default:
				t[k] = mask(child)
			}
		}
		return t
	case []any:
		for i := range t {
			t[i] = mask(t[i])
		}
		return t
	default:
		return v
	}
}

// hint keeps the first character of a string, enough for a reviewer to tell
// two values apart at a glance and nothing more.
func hint(v any) any {
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return nil
		}
		return "***"
	}
	if s == "" {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + "***"
}
