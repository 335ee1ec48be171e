package account

import (
	"sync"
	"time"
)

// maxVerifiedTokens bounds the verified-token cache (about 0.5 KiB each,
// 16 MiB when full): room for the access tokens of every user active on a
// replica within a token's life, so that a busy replica does not evict
// tokens still in use and verify them again.
const maxVerifiedTokens = 32768

// tokenLeeway is the clock skew tolerated on a token's times.
const tokenLeeway = 5 * time.Second

// verifiedTokens remembers the claims of access tokens whose signature
// and claims were verified, keyed by the exact token text: decoding and
// verifying an HS256 token is a quarter of an authenticated request's CPU,
// and a client sends the same token for its whole lifetime. Only the
// signature check is skipped on a hit (the text is byte-identical to one
// that passed, and the keys never change while the process runs); the
// times are checked on every use, and whether the session still stands
// is always read from the database.
type verifiedTokens struct {
	mu     sync.Mutex
	claims map[string]claims
}

func newVerifiedTokens() *verifiedTokens { return &verifiedTokens{claims: map[string]claims{}} }

// get returns the claims of token if it was verified before and its
// times still admit it at now.
func (v *verifiedTokens) get(token string, now time.Time) (claims, bool) {
	v.mu.Lock()
	c, ok := v.claims[token]
	v.mu.Unlock()
	if !ok || c.ExpiresAt == nil || now.After(c.ExpiresAt.Add(tokenLeeway)) ||
		(c.IssuedAt != nil && now.Add(tokenLeeway).Before(c.IssuedAt.Time)) {
		return claims{}, false
	}
	return c, true
}

// put remembers a verified token, forgetting an arbitrary other one when
// full (expired ones mostly: they are no longer sent).
func (v *verifiedTokens) put(token string, c claims) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.claims) >= maxVerifiedTokens {
		for old := range v.claims {
			delete(v.claims, old)
			break
		}
	}
	v.claims[token] = c
}
