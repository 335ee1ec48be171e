// Package custody holds the custody provider's callback signature scheme,
// shared by the inbound webhook and the sandbox simulator that drives it.
package custody

import (
	"crypto/md5" //nolint:gosec // the provider's scheme, not our choice
	"crypto/subtle"
	"encoding/hex"
)

// Signer signs and verifies callbacks with the configured API key:
// sign = lower-case hex MD5(body + api_key + nonce + timestamp).
type Signer struct {
	apiKey string
	// previous is the key being rotated out: callbacks signed with it are
	// still accepted, nothing is signed with it.
	previous string
}

// NewSigner returns a Signer for apiKey that also verifies callbacks signed
// with previous (empty: no rotation under way).
func NewSigner(apiKey string, previous ...string) *Signer {
	s := &Signer{apiKey: apiKey}
	if len(previous) > 0 {
		s.previous = previous[0]
	}
	return s
}

// Sign returns the signature of a callback under the current key.
func (s *Signer) Sign(body, nonce, timestamp string) string {
	return sign(s.apiKey, body, nonce, timestamp)
}

func sign(key, body, nonce, timestamp string) string {
	sum := md5.Sum([]byte(body + key + nonce + timestamp)) //nolint:gosec
	return hex.EncodeToString(sum[:])
}

// Verify checks a callback's signature in constant time against the current
// key and, during a rotation, the previous one.
func (s *Signer) Verify(body, nonce, timestamp, signature string) bool {
	ok := subtle.ConstantTimeCompare([]byte(sign(s.apiKey, body, nonce, timestamp)), []byte(signature)) == 1
	if s.previous != "" {
		ok = subtle.ConstantTimeCompare([]byte(sign(s.previous, body, nonce, timestamp)), []byte(signature)) == 1 || ok
	}
	return ok
}
