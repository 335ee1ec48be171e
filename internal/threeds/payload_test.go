package threeds

import (
	"testing"
	"time"
)

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		exp  int
		want string
	}{
		{"100", 2, "100.00"}, {"0.01", 2, "0.01"}, {"12.5", 2, "12.50"}, {"12.500", 2, "12.50"}, {"007.1", 2, "7.10"},
		{"1.234", 2, "1.234"}, {"1500", 0, "1500"}, {"1500.00", 0, "1500"}, {"0", 2, "0.00"},
		{"abc", 2, "abc"}, {"-1", 2, "-1"}, {"1e3", 2, "1e3"}, {"", 2, ""},
	}
	for _, tc := range cases {
		if got := FormatAmount(tc.in, tc.exp); got != tc.want {
			t.Errorf("FormatAmount(%q, %d) = %q, want %q", tc.in, tc.exp, got, tc.want)
		}
	}
}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	received := time.Date(2026, 2, 25, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, body    string
		ok            bool
		token         string
		method        Method
		currency, amt string
		after         int64
		expires       time.Time
	}{
		{"issuer example", `{"NotificationId":"4f0c","Pubtoken":609659162,"DelegateMethod":"push-confirmation",
			"TransactionInfo":{"Amount":"0.01","Currency":{"Code":"156","Exponent":"2"},"ChallengeExpiresAfter":300,"ChallengeExpiry":1772021100}}`,
			true, "609659162", MethodBIO, "CNY", "0.01", 300, time.Unix(1772021100, 0).UTC()},
		{"numbers as strings, OTP, unknown currency", `{"NotificationId":"a-1","Pubtoken":"42","DelegateMethod":"sms",
			"TransactionInfo":{"Amount":5,"Currency":{"Code":"999"},"ChallengeExpiresAfter":"600"}}`,
			true, "42", MethodOTP, "999", "5.00", 600, received.Add(600 * time.Second)},
		{"exponent from the table, default lifetime", `{"NotificationId":"b","Pubtoken":7,"TransactionInfo":{"Amount":"1500","Currency":{"Code":"392"}}}`,
			true, "7", MethodOTP, "JPY", "1500", 300, received.Add(300 * time.Second)},
		{"expiry only", `{"NotificationId":"c","Pubtoken":7,"TransactionInfo":{"ChallengeExpiry":1772020920}}`,
			true, "7", MethodOTP, "", "", 120, time.Unix(1772020920, 0).UTC()},
		{"no id", `{"Pubtoken":7}`, false, "", "", "", "", 0, time.Time{}},
		{"token not numeric", `{"NotificationId":"c","Pubtoken":"12a"}`, false, "", "", "", "", 0, time.Time{}},
		{"token zero", `{"NotificationId":"c","Pubtoken":0}`, false, "", "", "", "", 0, time.Time{}},
		{"object where a string belongs", `{"NotificationId":"c","Pubtoken":7,"MerchantInfo":{"Id":{}}}`, false, "", "", "", "", 0, time.Time{}},
		{"not an object", `[1]`, false, "", "", "", "", 0, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := ParseEvent([]byte(tc.body))
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok {
				return
			}
			cur, _ := ev.Currency()
			after, expires := ev.Expiry(received)
			if ev.PublicToken() != tc.token || ev.Method() != tc.method || cur != tc.currency || ev.FormattedAmount() != tc.amt ||
				after != tc.after || !expires.Equal(tc.expires) {
				t.Fatalf("got %s %s %s %s %d %v", ev.PublicToken(), ev.Method(), cur, ev.FormattedAmount(), after, expires)
			}
		})
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"NotificationId":"4f0c","Pubtoken":609659162,"DelegateMethod":"push-confirmation","TransactionInfo":{"Amount":"0.01"}}`))
	f.Add([]byte(`{"NotificationId":"x","Pubtoken":"1","Passcode":"123456"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseEvent(b)
		if err != nil {
			return
		}
		_ = ev.FormattedAmount()
		_, _ = ev.Expiry(time.Unix(0, 0))
		if ev.PublicToken() == "0" || ev.NotificationID == "" {
			t.Fatalf("accepted an event without a card or id: %s", b)
		}
	})
}
