// Package secret holds the small cryptographic helpers every domain needs:
// random codes and identifiers, keyed hashes for codes stored at rest, and an
// AEAD box (with a key id for rotation) for data that must be read back.
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// Digits returns n random decimal digits (leading zeros allowed).
func Digits(n int) string {
	return fromAlphabet(n, "0123456789")
}

// Code returns n random characters of the alphabet [A-Z0-9].
func Code(n int) string {
	return fromAlphabet(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
}

// Base62 returns n random base62 characters.
func Base62(n int) string {
	return fromAlphabet(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
}

func fromAlphabet(n int, alphabet string) string {
	var b strings.Builder
	b.Grow(n)
	max := big.NewInt(int64(len(alphabet)))
	for range n {
		i, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		b.WriteByte(alphabet[i.Int64()])
	}
	return b.String()
}

// Hex returns n random bytes hex-encoded.
func Hex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Hasher computes keyed hashes of short secrets (OTPs, handles) so that a
// database copy alone cannot be brute-forced offline.
type Hasher struct{ key []byte }

// NewHasher returns a Hasher keyed with key.
func NewHasher(key []byte) *Hasher { return &Hasher{key: key} }

// Sum returns the hex HMAC-SHA256 of the parts, separated unambiguously.
func (h *Hasher) Sum(parts ...string) string {
	m := hmac.New(sha256.New, h.key)
	for _, p := range parts {
		fmt.Fprintf(m, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(m.Sum(nil))
}

// Equal compares two hashes in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Box seals and opens small payloads with XChaCha20-Poly1305. Sealed values
// name the key id that sealed them, so keys can be rotated: the current key
// seals, every known key opens.
type Box struct {
	currentID string
	keys      map[string][]byte
}

// NewBox returns a Box sealing with keys[currentID].
func NewBox(currentID string, keys map[string][]byte) (*Box, error) {
	for id, k := range keys {
		if len(k) != chacha20poly1305.KeySize {
			return nil, fmt.Errorf("key %q must be %d bytes", id, chacha20poly1305.KeySize)
		}
		if strings.Contains(id, ".") {
			return nil, fmt.Errorf("key id %q must not contain '.'", id)
		}
	}
	if _, ok := keys[currentID]; !ok {
		return nil, fmt.Errorf("no key with id %q", currentID)
	}
	return &Box{currentID: currentID, keys: keys}, nil
}

// Seal encrypts plaintext bound to the associated data ad.
func (b *Box) Seal(plaintext, ad []byte) string {
	aead, _ := chacha20poly1305.NewX(b.keys[b.currentID])
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := aead.Seal(nonce, nonce, plaintext, ad)
	return b.currentID + "." + base64.RawURLEncoding.EncodeToString(out)
}

// ErrUnsealable means the value was not sealed by a known key or was altered.
var ErrUnsealable = errors.New("sealed value cannot be opened")

// Open decrypts a value produced by Seal with the same associated data.
func (b *Box) Open(sealed string, ad []byte) ([]byte, error) {
	id, enc, ok := strings.Cut(sealed, ".")
	if !ok {
		return nil, ErrUnsealable
	}
	key, ok := b.keys[id]
	if !ok {
		return nil, ErrUnsealable
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return nil, ErrUnsealable
	}
	aead, _ := chacha20poly1305.NewX(key)
	if len(raw) < aead.NonceSize() {
		return nil, ErrUnsealable
	}
	pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], ad)
	if err != nil {
		return nil, ErrUnsealable
	}
	return pt, nil
}
