package account

import (
	_ "embed"
	"strings"
	"sync"
)

//go:generate go run commonpw_gen.go

// commonPasswordList is the generated list of passwords that meet the policy
// yet are among the first an attacker tries; see commonpw_gen.go.
//
//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords is the list as a set, built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, strings.Count(commonPasswordList, "\n"))
	for p := range strings.Lines(commonPasswordList) {
		if p = strings.TrimSuffix(p, "\n"); p != "" {
			set[p] = struct{}{}
		}
	}
	return set
})

// PasswordCommon reports whether p, ignoring case, is on the list of common
// passwords: "PASSWORD1!" is as guessable as "Password1!".
func PasswordCommon(p string) bool {
	_, ok := commonPasswords()[strings.ToLower(p)]
	return ok
}

// checkNewPassword applies the whole policy to a password being set: the
// rules of API.md §2.1 and the common-password list.
func checkNewPassword(p string) error {
	if !PasswordStrong(p) {
		return ErrPasswordTooWeak.WithDetails("8–128 characters with an upper-case letter, a digit and a special character")
	}
	if PasswordCommon(p) {
		return ErrPasswordTooWeak.WithDetails("This password is one of the most common ones and easily guessed; choose another")
	}
	return nil
}
