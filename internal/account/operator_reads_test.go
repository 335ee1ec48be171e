package account_test

import (
	"testing"

	"github.com/comecomepay/comecomepay/internal/account"
)

func TestMaskPhone(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		area, phone *string
		want        string
	}{
		{s("852"), s("91234567"), "+852****4567"},
		{s("+852"), s("91234567"), "+852****4567"},
		{nil, s("91234567"), "****4567"},
		{s("852"), s("+8613800138000"), "+86****8000"},
		{s("852"), nil, ""},
		{s("852"), s(""), ""},
	} {
		if got := account.MaskPhone(tc.area, tc.phone); got != tc.want {
			t.Errorf("MaskPhone(%v, %v) = %q, want %q", tc.area, tc.phone, got, tc.want)
		}
	}
}

func TestNewUserQuery(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]account.UserQuery{
		"  ":                {Empty: true},
		"Alice@Example.COM": {EmailPrefix: "alice@example.com"},
		"42":                {EmailPrefix: "42", ID: 42},
		"91234567":          {EmailPrefix: "91234567", ID: 91234567, PhoneDigits: "91234567"},
		"+852 9123-4567":    {EmailPrefix: "+852 9123-4567", PhoneDigits: "85291234567"},
		"12345":             {EmailPrefix: "12345", ID: 12345},
		"CCP26022512000042": {EmailPrefix: "ccp26022512000042"},
	} {
		got := account.NewUserQuery(text)
		if got.Empty != want.Empty || got.EmailPrefix != want.EmailPrefix || got.ID != want.ID || got.PhoneDigits != want.PhoneDigits {
			t.Errorf("NewUserQuery(%q) = %+v, want %+v", text, got, want)
		}
	}
}
