package account

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func TestParseEmail(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com" // 254
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"user@example.com", "user@example.com", true},
		{"  User.Name+tag@Example.COM\t", "user.name+tag@example.com", true},
		{"a@b.co", "a@b.co", true},
		{"o'hara@sub.example.org", "o'hara@sub.example.org", true},
		{long, long, true},
		{"a" + long, "", false}, // 255 characters
		{"", "", false},
		{"   ", "", false},
		{"plain", "", false},
		{"@example.com", "", false},
		{"user@", "", false},
		{"user@localhost", "", false},
		{"user@.example.com", "", false},
		{"user@example.com.", "", false},
		{"user@@example.com", "", false},
		{"a@b@example.com", "", false},
		{"us er@example.com", "", false},
		{"Name <user@example.com>", "", false},
		{"<user@example.com>", "", false},
		{`"quoted"@example.com`, "", false},
		{"user(comment)@example.com", "", false},
		{"user@[127.0.0.1]", "", false},
		{"a,b@example.com", "", false},
		{"a;b@example.com", "", false},
		{"a:b@example.com", "", false},
		{`a\b@example.com`, "", false},
		{".user@example.com", "", false},
		{"user.@example.com", "", false},
		{"us..er@example.com", "", false},
		{"user@exa..mple.com", "", false},
		{"user\x00@example.com", "", false},
		{"user@example.com\nBcc: x@y.z", "", false},
	} {
		got, ok := ParseEmail(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPasswordStrong(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"Str0ng!Passw0rd", true},
		{"Abcdef1!", true},                        // exactly 8
		{"Abcde1!", false},                        // 7
		{"A1!" + strings.Repeat("a", 125), true},  // 128
		{"A1!" + strings.Repeat("a", 126), false}, // 129
		{"A1!äöüßéèà", true},                      // 10 characters, more bytes
		{"A1!äöü", false},                         // 6 characters although 9 bytes
		{"abcdefg1!", false},                      // no upper case
		{"ABCDEFGH!", false},                      // no digit
		{"Abcdefgh1", false},                      // no special
		{"Password 1", true},                      // a space is special
		{"ÄÖÜabcde1!", false},                     // upper case must be A–Z
		{"Abcdefgh１", false},                      // a full-width digit is no digit and no special
		{"Abcdefg1\xff", false},                   // invalid UTF-8
		{"", false},
	} {
		if got := PasswordStrong(tc.in); got != tc.ok {
			t.Errorf("PasswordStrong(%q) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

func TestParseReferralCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want      string
		present, okay bool
	}{
		{"", "", false, true},
		{"  \t", "", false, true},
		{"ABCD1234", "ABCD1234", true, true},
		{" abcd1234 ", "ABCD1234", true, true},
		{"00000000", "00000000", true, true},
		{"ABC1234", "", true, false},
		{"ABCD12345", "", true, false},
		{"ABCD-123", "", true, false},
		{"ABCD 123", "", true, false},
		{"ÄBCD123", "", true, false},
		{"abcd123ß", "", true, false},
	} {
		got, present, ok := ParseReferralCode(tc.in)
		if got != tc.want || present != tc.present || ok != tc.okay {
			t.Errorf("ParseReferralCode(%q) = %q, %v, %v; want %q, %v, %v", tc.in, got, present, ok, tc.want, tc.present, tc.okay)
		}
	}
}

func TestIsOTPFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		n  int
		ok bool
	}{
		{"01234", 5, true}, {"012345", 6, true}, {"012345", 5, false}, {"0123", 5, false},
		{"0123a", 5, false}, {" 1234", 5, false}, {"١٢٣٤٥", 5, false}, {"", 0, true},
	} {
		if got := IsOTPFormat(tc.in, tc.n); got != tc.ok {
			t.Errorf("IsOTPFormat(%q, %d) = %v", tc.in, tc.n, got)
		}
	}
}

func TestParsePhone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"+8613800138000", "+8613800138000", true},
		{" 13800138000 ", "13800138000", true},
		{"123456", "123456", true},
		{"+123456", "+123456", true},
		{strings.Repeat("9", 20), strings.Repeat("9", 20), true},
		{"+" + strings.Repeat("9", 20), "+" + strings.Repeat("9", 20), true},
		{"12345", "", false},
		{"+12345", "", false},
		{strings.Repeat("9", 21), "", false},
		{"++123456", "", false},
		{"123+456789", "", false},
		{"138-0013-8000", "", false},
		{"138 0013 8000", "", false},
		{"(138)00138000", "", false},
		{"١٢٣٤٥٦٧", "", false},
		{"", "", false},
		{"+", "", false},
	} {
		got, ok := ParsePhone(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseDateOfBirth(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 2, 25, 12, 0, 0, 0, time.UTC)
	// 01:00 on the 25th at UTC+5 is still the 24th in UTC.
	east := time.Date(2026, 2, 25, 1, 0, 0, 0, time.FixedZone("UTC+5", 5*3600))
	for _, tc := range []struct {
		in   string
		now  time.Time
		want string
		ok   bool
	}{
		{"1990-05-17", now, "1990-05-17", true},
		{"2026-02-24", now, "2026-02-24", true},
		{"2026-02-25", now, "", false}, // today
		{"2026-02-26", now, "", false},
		{"2099-01-01", now, "", false},
		{"1900-01-01", now, "1900-01-01", true},
		{"1899-12-31", now, "", false},
		{"2000-02-29", now, "2000-02-29", true},
		{"1999-02-29", now, "", false},
		{"1990-02-30", now, "", false},
		{"1990-13-01", now, "", false},
		{"1990-5-17", now, "", false},
		{"17/05/1990", now, "", false},
		{"1990-05-17T00:00:00Z", now, "", false},
		{" 1990-05-17", now, "", false},
		{"", now, "", false},
		{"2026-02-24", east, "", false},
		{"2026-02-23", east, "2026-02-23", true},
	} {
		got, ok := ParseDateOfBirth(tc.in, tc.now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseDateOfBirth(%q, %v) = %q, %v; want %q, %v", tc.in, tc.now, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseEmail(f *testing.F) {
	for _, s := range []string{"user@example.com", " A@B.CO ", "a@b", "İ@example.com", "a@b.c\u2028",
		"\"x\"@y.z", "x@y..z", "a.b-c_d+e@f-g.h.io", "\xff@example.com", strings.Repeat("a", 250) + "@b.co"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := ParseEmail(raw)
		if !ok {
			if got != "" {
				t.Fatalf("rejected %q but returned %q", raw, got)
			}
			return
		}
		if len(got) > 254 || !utf8.ValidString(got) || strings.Count(got, "@") != 1 {
			t.Fatalf("ParseEmail(%q) accepted %q", raw, got)
		}
		for _, r := range got {
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				t.Fatalf("ParseEmail(%q) accepted %q with space or control %U", raw, got, r)
			}
		}
		if again, ok := ParseEmail(got); !ok || again != got {
			t.Fatalf("ParseEmail(%q) = %q, but ParseEmail(%q) = %q, %v", raw, got, got, again, ok)
		}
	})
}

var phoneRe = regexp.MustCompile(`^\+?[0-9]{6,20}$`)

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"+8613800138000", " 123456 ", "++123456", "12345", "+", "١٢٣٤٥٦٧", strings.Repeat("9", 21)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := ParsePhone(raw)
		if !ok {
			if got != "" {
				t.Fatalf("rejected %q but returned %q", raw, got)
			}
			return
		}
		if !phoneRe.MatchString(got) {
			t.Fatalf("ParsePhone(%q) accepted %q", raw, got)
		}
		if again, ok := ParsePhone(got); !ok || again != got {
			t.Fatalf("ParsePhone(%q) = %q, but ParsePhone(%q) = %q, %v", raw, got, got, again, ok)
		}
	})
}
