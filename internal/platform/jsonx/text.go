package jsonx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Text is a JSON string, number or null kept as text (null as ""). Providers
// send one field either way from one delivery to the next (UDUN's trades and
// coin list, the issuer's 3DS forwards), so such fields are read as Text and
// parsed where they are used.
type Text string

// UnmarshalJSON implements json.Unmarshaler; a string is trimmed, a number
// kept exactly as written.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("string or number: %w", err)
		}
		*t = Text(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or a number: %w", err)
		}
		*t = Text(n.String())
	}
	return nil
}
