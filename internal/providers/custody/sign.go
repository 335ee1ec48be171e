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
type Signer struct{ apiKey string }

// NewSigner returns a Signer for apiKey.
func NewSigner(apiKey string) *Signer { return &Signer{apiKey: apiKey} }

// Sign returns the signature of a callback.
func (s *Signer) Sign(body, nonce, timestamp string) string {
	sum := md5.Sum([]byte(body + s.apiKey + nonce + timestamp)) //nolint:gosec
	return hex.EncodeToString(sum[:])
}

// Verify checks a callback's signature in constant time.
func (s *Signer) Verify(body, nonce, timestamp, sign string) bool {
	want := s.Sign(body, nonce, timestamp)
	return subtle.ConstantTimeCompare([]byte(want), []byte(sign)) == 1
}
