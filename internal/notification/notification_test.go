package notification

import (
	"encoding/json"
	"testing"
)

func TestEncodeData(t *testing.T) {
	t.Parallel()
	type ordered struct {
		Type   string `json:"type"`
		Amount string `json:"amount"`
		Expiry int64  `json:"challenge_expiry"`
	}
	cases := []struct {
		name string
		in   any
		want string
		ok   bool
	}{
		{"none", nil, "{}", true},
		{"struct keeps its order, no HTML escaping", ordered{"3ds_otp", "<1&2>", 1772021100}, `{"type":"3ds_otp","amount":"<1&2>","challenge_expiry":1772021100}`, true},
		{"raw JSON as is", json.RawMessage(`{"b":1,"a":2}`), `{"b":1,"a":2}`, true},
		{"invalid raw JSON", json.RawMessage(`{`), "", false},
		{"unencodable", map[string]any{"f": func() {}}, "", false},
	}
	for _, tc := range cases {
		got, err := EncodeData(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s: EncodeData = %q, %v; want %q ok=%v", tc.name, got, err, tc.want, tc.ok)
		}
	}
}
