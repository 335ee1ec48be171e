package account

import "github.com/comecomepay/comecomepay/internal/platform/passhash"

// HashProfile is an argon2id cost setting.
type HashProfile = passhash.Profile

// DefaultHashProfile is OWASP's argon2id baseline (19 MiB, t=2, p=1).
var DefaultHashProfile = passhash.Default

// FastHashProfile keeps test suites quick; production refuses it.
var FastHashProfile = passhash.Fast

func hashSecret(p HashProfile, plain string) string { return passhash.Hash(p, plain) }

func verifySecret(encoded, plain string) bool { return passhash.Verify(encoded, plain) }

func needsRehash(encoded string, p HashProfile) bool { return passhash.NeedsRehash(encoded, p) }
