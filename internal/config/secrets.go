package config

import (
	"bytes"
	"fmt"
	"math"
)

// The strength rule for every secret of production and staging (sandbox
// generates strong ones and tolerates short test values). A secret passes
// when all four hold:
//
//  1. it is at least minSecretBytes long;
//  2. length × log2(alphabet) ≥ minAlphabetBits, the alphabet being the
//     character classes it uses (digits 10, hex 16, lower- and upper-case
//     letters 26 each, other printable ASCII 33, anything else: bytes, 256);
//  3. length × Shannon entropy of its character frequencies ≥
//     minFrequencyBits: few distinct characters, or one dominating, fail;
//  4. it is not one shorter block repeated ("abcd" × 8);
//  5. it holds no run of eight or more consecutive characters ("abcdefgh",
//     "87654321") and none of the words people put in typed secrets
//     (guessableWords, any case): the estimates of 2 and 3 treat every
//     character as drawn at random, which a phrase such as
//     "ComeComePay-Production-Secret-2025" is not.
//
// A 32-character random hex key (128 bits) passes 2 exactly; random keys
// pass 3 by a wide margin (the lowest seen over 200 000 random 32-character
// hex keys was 91 bits), so the rule refuses typed or patterned values, not
// generated ones.
const (
	minSecretBytes   = 32
	minAlphabetBits  = 128
	minFrequencyBits = 80
)

// CheckSecret applies the strength rule to the value of the variable name.
// The error names the variable and never the value.
func CheckSecret(name string, value []byte) error {
	switch {
	case len(value) < minSecretBytes:
		return fmt.Errorf("%s is too short: %d bytes, at least %d are required (e.g. `openssl rand -base64 48`)", name, len(value), minSecretBytes)
	case alphabetBits(value) < minAlphabetBits:
		return fmt.Errorf("%s draws on too few characters: about %.0f bits, at least %d are required", name, alphabetBits(value), minAlphabetBits)
	case frequencyBits(value) < minFrequencyBits:
		return fmt.Errorf("%s repeats too few distinct characters: about %.0f bits, at least %d are required", name, frequencyBits(value), minFrequencyBits)
	case repeatsBlock(value):
		return fmt.Errorf("%s is one short block repeated", name)
	case hasSequence(value, 8):
		return fmt.Errorf("%s holds a run of consecutive characters; use a generated value (e.g. `openssl rand -base64 48`)", name)
	case hasGuessableWord(value):
		return fmt.Errorf("%s holds a word that makes it guessable; use a generated value (e.g. `openssl rand -base64 48`)", name)
	}
	return nil
}

func alphabetBits(s []byte) float64 {
	size := 16
	if !isHex(s) {
		var digits, lower, upper, other, binary bool
		for _, c := range s {
			switch {
			case c >= '0' && c <= '9':
				digits = true
			case c >= 'a' && c <= 'z':
				lower = true
			case c >= 'A' && c <= 'Z':
				upper = true
			case c > ' ' && c < 0x7f:
				other = true
			default:
				binary = true
			}
		}
		size = 0
		for _, class := range []struct {
			used bool
			size int
		}{{digits, 10}, {lower, 26}, {upper, 26}, {other, 33}} {
			if class.used {
				size += class.size
			}
		}
		if binary {
			size = 256
		}
	}
	return float64(len(s)) * math.Log2(float64(size))
}

// isHex reports whether s is hex digits of one letter case, with at least
// one letter (digits alone are the smaller alphabet).
func isHex(s []byte) bool {
	var lower, upper bool
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f':
			lower = true
		case c >= 'A' && c <= 'F':
			upper = true
		default:
			return false
		}
	}
	return lower != upper
}

func frequencyBits(s []byte) float64 {
	var counts [256]int
	for _, c := range s {
		counts[c]++
	}
	bits := 0.0
	for _, n := range counts {
		if n > 0 {
			p := float64(n) / float64(len(s))
			bits -= p * math.Log2(p)
		}
	}
	return bits * float64(len(s))
}

// repeatsBlock reports whether s is a shorter block repeated (the last copy
// may be cut short), found with the prefix function.
func repeatsBlock(s []byte) bool {
	n := len(s)
	if n < 2 {
		return n == 1
	}
	pi := make([]int, n)
	for i := 1; i < n; i++ {
		k := pi[i-1]
		for k > 0 && s[i] != s[k] {
			k = pi[k-1]
		}
		if s[i] == s[k] {
			k++
		}
		pi[i] = k
	}
	period := n - pi[n-1]
	return period <= n/2
}

// validateSecrets requires every secret of a production-like mode and holds
// each one set (previous keys and the sandbox token are optional) to the
// strength rule.
func (c Config) validateSecrets() []error {
	var errs []error
	for _, s := range []struct {
		name     string
		value    []byte
		required bool
		// issued marks a key the provider generates: we cannot choose its
		// alphabet or length, so it is held to checkIssuedSecret.
		issued bool
	}{
		{"COMECOMEPAY_JWT_SECRET", []byte(c.JWTSecret), true, false},
		{"COMECOMEPAY_DATA_KEY", c.DataKey, true, false},
		{"COMECOMEPAY_CUSTODY_API_KEY", []byte(c.CustodyAPIKey), true, true},
		{"COMECOMEPAY_KYC_WEBHOOK_SECRET", []byte(c.KYCWebhookSecret), true, true},
		{"COMECOMEPAY_ISSUER_WEBHOOK_SECRET", []byte(c.IssuerWebhookSecret), true, false},
		{"COMECOMEPAY_3DS_WEBHOOK_SECRET", []byte(c.ThreeDSWebhookSecret), true, false},
		{"COMECOMEPAY_CUSTODY_PREVIOUS_API_KEY", []byte(c.CustodyPreviousAPIKey), false, true},
		{"COMECOMEPAY_KYC_WEBHOOK_PREVIOUS_SECRET", []byte(c.KYCWebhookPreviousSecret), false, true},
		{"COMECOMEPAY_ISSUER_WEBHOOK_PREVIOUS_SECRET", []byte(c.IssuerWebhookPreviousSecret), false, false},
		{"COMECOMEPAY_3DS_WEBHOOK_PREVIOUS_SECRET", []byte(c.ThreeDSWebhookPreviousSecret), false, false},
		{"COMECOMEPAY_SANDBOX_TOKEN", []byte(c.SandboxToken), false, false},
		{"COMECOMEPAY_DIDIT_API_KEY", []byte(c.Didit.APIKey), false, true},
	} {
		check := CheckSecret
		if s.issued {
			check = checkIssuedSecret
		}
		switch {
		case len(s.value) == 0 && s.required:
			errs = append(errs, fmt.Errorf("%s mode needs %s", c.Mode, s.name))
		case len(s.value) > 0:
			if err := check(s.name, s.value); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for i, s := range c.JWTPreviousSecrets {
		if err := CheckSecret(fmt.Sprintf("COMECOMEPAY_JWT_PREVIOUS_SECRETS (entry %d)", i+1), []byte(s)); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// checkIssuedSecret is the rule for keys a provider issues (UDUN's API key,
// Didit's webhook secret and API key): their length and alphabet are the
// provider's, so 16 bytes and 96 bits of alphabet are enough (a 32-digit
// number, a 16-character mixed-case key), while a value a person typed
// (patterns, words, runs) still fails.
func checkIssuedSecret(name string, value []byte) error {
	const minIssuedBytes, minIssuedBits = 16, 96
	switch {
	case len(value) < minIssuedBytes:
		return fmt.Errorf("%s is too short for a provider-issued key: %d bytes, at least %d expected", name, len(value), minIssuedBytes)
	case alphabetBits(value) < minIssuedBits || frequencyBits(value) < minIssuedBits*5/8:
		return fmt.Errorf("%s draws on too few characters for a provider-issued key", name)
	case repeatsBlock(value) || hasSequence(value, 8) || hasGuessableWord(value):
		return fmt.Errorf("%s looks typed, not issued by the provider", name)
	}
	return nil
}

// guessableWords are what typed secrets are made of. They are seven
// letters or more, so that a generated value meets one by chance less than
// once in 10^8 (a case-blind seven-letter word in random base64: (1/32)^7
// per position), and a run of eight consecutive characters in random hex
// about once in 10^7: the rule refuses typed secrets, not unlucky keys.
var guessableWords = []string{"password", "changeme", "comecomepay", "production",
	"staging", "sandbox", "example", "default", "letmein", "welcome"}

func hasGuessableWord(s []byte) bool {
	lower := bytes.ToLower(s)
	for _, w := range guessableWords {
		if bytes.Contains(lower, []byte(w)) {
			return true
		}
	}
	return false
}

// hasSequence reports a run of n characters each one above, or each one
// below, the one before ("abcde", "98765").
func hasSequence(s []byte, n int) bool {
	up, down := 1, 1
	for i := 1; i < len(s); i++ {
		switch int(s[i]) - int(s[i-1]) {
		case 1:
			up, down = up+1, 1
		case -1:
			up, down = 1, down+1
		default:
			up, down = 1, 1
		}
		if up >= n || down >= n {
			return true
		}
	}
	return false
}
