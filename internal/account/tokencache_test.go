package account

import (
	"testing"
	"time"
)

// TestVerifiedTokenTimes: a token verified once is still refused from the
// cache once expired or before it was issued, as the full check refuses
// it; a tampered copy never matches the cached text.
func TestVerifiedTokenTimes(t *testing.T) {
	t.Parallel()
	s := newTestSigner(secretA)
	tp := mustPair(t, s, spec)
	if _, err := s.parse(tp.AccessToken, typAccess, issued); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.verified.get(tp.AccessToken, issued); !ok {
		t.Fatal("a verified access token was not remembered")
	}
	for name, at := range map[string]time.Time{
		"expired":       issued.Add(time.Hour + tokenLeeway + time.Second),
		"before issued": issued.Add(-tokenLeeway - time.Second),
	} {
		if _, err := s.parse(tp.AccessToken, typAccess, at); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	tampered := tp.AccessToken[:len(tp.AccessToken)-2] + "xx"
	if _, err := s.parse(tampered, typAccess, issued); err == nil {
		t.Fatal("a tampered token was accepted")
	}
	if _, err := s.parse(tp.AccessToken, typRefresh, issued); err == nil {
		t.Fatal("an access token passed as a refresh token")
	}
	if _, err := s.parse(tp.RefreshToken, typRefresh, issued); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.verified.get(tp.RefreshToken, issued); ok {
		t.Fatal("a refresh token was remembered")
	}
}

// TestVerifiedTokensBounded: the cache never holds more than its bound.
func TestVerifiedTokensBounded(t *testing.T) {
	t.Parallel()
	v := newVerifiedTokens()
	for i := range maxVerifiedTokens + 10 {
		v.put(string(rune(i))+"-token", claims{})
	}
	if n := len(v.claims); n != maxVerifiedTokens {
		t.Fatalf("%d cached, bound %d", n, maxVerifiedTokens)
	}
}
