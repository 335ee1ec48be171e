package account

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token types carried in the "typ" claim.
const (
	typAccess  = "access"
	typRefresh = "refresh"
)

// claims are the JWT claims of API.md §1.3.
type claims struct {
	UserID int64  `json:"user_id"`
	Email  string `json:"email"`
	Typ    string `json:"typ"`
	SID    string `json:"sid"`
	jwt.RegisteredClaims
}

// Signer signs and verifies tokens with HS256. The current key signs (its id
// goes in the "kid" header); previous keys still verify during a rotation.
type Signer struct {
	currentKID string
	keys       map[string][]byte
	accessTTL  time.Duration
	refreshTTL time.Duration
	verified   *verifiedTokens // access tokens only
}

// NewSigner returns a Signer for the given secrets and lifetimes.
func NewSigner(current string, previous []string, accessTTL, refreshTTL time.Duration) *Signer {
	s := &Signer{keys: map[string][]byte{}, accessTTL: accessTTL, refreshTTL: refreshTTL, verified: newVerifiedTokens()}
	s.currentKID = keyID(current)
	s.keys[s.currentKID] = []byte(current)
	for _, p := range previous {
		s.keys[keyID(p)] = []byte(p)
	}
	return s
}

func keyID(secret string) string {
	sum := sha256.Sum256([]byte("kid:" + secret))
	return hex.EncodeToString(sum[:4])
}

// pairSpec is everything that determines a token pair. Signing is
// deterministic, so the same spec always yields the same two strings; that is
// what lets a refresh retried within the grace period receive the very pair
// the first attempt got.
type pairSpec struct {
	UserID   int64
	Email    string
	SID      string
	JTI      string // of the refresh token; the access token's is derived
	IssuedAt time.Time
}

func (s *Signer) sign(c claims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	t.Header["kid"] = s.currentKID
	return t.SignedString(s.keys[s.currentKID])
}

func (s *Signer) pair(p pairSpec) (TokenPair, error) {
	iat := jwt.NewNumericDate(p.IssuedAt.Truncate(time.Second))
	access, err := s.sign(claims{UserID: p.UserID, Email: p.Email, Typ: typAccess, SID: p.SID,
		RegisteredClaims: jwt.RegisteredClaims{ID: p.JTI + ".a", IssuedAt: iat,
			ExpiresAt: jwt.NewNumericDate(iat.Add(s.accessTTL))}})
	if err != nil {
		return TokenPair{}, err
	}
	refresh, err := s.sign(claims{UserID: p.UserID, Email: p.Email, Typ: typRefresh, SID: p.SID,
		RegisteredClaims: jwt.RegisteredClaims{ID: p.JTI, IssuedAt: iat,
			ExpiresAt: jwt.NewNumericDate(iat.Add(s.refreshTTL))}})
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh}, nil
}

// parse verifies signature, algorithm, expiry and type, and returns the claims.
func (s *Signer) parse(token, typ string, now time.Time) (claims, error) {
	if typ == typAccess {
		if c, ok := s.verified.get(token, now); ok {
			return c, nil
		}
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		key, ok := s.keys[kid]
		if !ok {
			return nil, errors.New("unknown key id")
		}
		return key, nil
	}, jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithLeeway(tokenLeeway))
	if err != nil {
		return claims{}, fmt.Errorf("token rejected: %w", err)
	}
	if c.Typ != typ || c.SID == "" || c.UserID <= 0 || c.ID == "" {
		return claims{}, errors.New("token rejected: wrong type or missing claims")
	}
	if typ == typAccess {
		s.verified.put(token, c)
	}
	return c, nil
}
