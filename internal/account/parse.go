package account

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ParseEmail trims and lower-cases an address and checks it is a plain
// addr-spec of at most 254 characters.
func ParseEmail(raw string) (string, bool) {
	e := strings.ToLower(strings.TrimSpace(raw))
	if e == "" || len(e) > 254 || strings.ContainsAny(e, " <>\"(),;:\\[]") {
		return "", false
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "", false
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", false
	}
	return e, true
}

// PasswordStrong applies the policy of API.md §2.1: 8–128 characters, an
// upper-case letter A–Z, a digit and a special (non-alphanumeric) character.
func PasswordStrong(p string) bool {
	n := utf8.RuneCountInString(p)
	if n < 8 || n > 128 || !utf8.ValidString(p) {
		return false
	}
	var upper, digit, special bool
	for _, r := range p {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			special = true
		}
	}
	return upper && digit && special
}

// ParseReferralCode upper-cases a code and checks its format; "" is absent.
func ParseReferralCode(raw string) (code string, present, ok bool) {
	c := strings.ToUpper(strings.TrimSpace(raw))
	if c == "" {
		return "", false, true
	}
	if len(c) != 8 {
		return "", true, false
	}
	for _, r := range c {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", true, false
		}
	}
	return c, true, true
}

// IsOTPFormat reports whether s is exactly n ASCII digits.
func IsOTPFormat(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParsePhone accepts an optional "+" and 6–20 digits.
func ParsePhone(raw string) (string, bool) {
	p := strings.TrimSpace(raw)
	digits := strings.TrimPrefix(p, "+")
	if len(digits) < 6 || len(digits) > 20 || !IsOTPFormat(digits, len(digits)) {
		return "", false
	}
	return p, true
}

// ParseDateOfBirth accepts YYYY-MM-DD strictly before today.
func ParseDateOfBirth(raw string, now time.Time) (string, bool) {
	d, err := time.Parse(time.DateOnly, raw)
	if err != nil || !d.Before(now.UTC().Truncate(24*time.Hour)) || d.Year() < 1900 {
		return "", false
	}
	return d.Format(time.DateOnly), true
}
