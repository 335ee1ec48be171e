// Package text holds small string helpers shared by the domains.
package text

import "unicode/utf8"

// Truncate returns s cut to at most n bytes without splitting a UTF-8
// character: a reason stored in a bounded column (issuer errors, operator
// remarks, Chinese or Arabic text) must stay valid UTF-8, or PostgreSQL
// refuses the row.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
