package account

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	secretA = "secret-A-" + strings.Repeat("a", 32)
	secretB = "secret-B-" + strings.Repeat("b", 32)
	issued  = time.Date(2026, 2, 25, 12, 0, 0, 0, time.UTC)
	spec    = pairSpec{UserID: 42, Email: "a@b.co", SID: "sess-1", JTI: "jti-1", IssuedAt: issued.Add(300 * time.Millisecond)}
)

func newTestSigner(current string, previous ...string) *Signer {
	return NewSigner(current, previous, time.Hour, 24*time.Hour)
}

func mustPair(t *testing.T, s *Signer, p pairSpec) TokenPair {
	t.Helper()
	tp, err := s.pair(p)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestPairDeterministic(t *testing.T) {
	t.Parallel()
	s := newTestSigner(secretA)
	a, b := mustPair(t, s, spec), mustPair(t, s, spec)
	if a != b {
		t.Fatal("the same spec gave two different pairs")
	}
	if a.AccessToken == a.RefreshToken {
		t.Fatal("access and refresh token are equal")
	}
	// Sub-second differences are truncated away; everything else matters.
	if c := mustPair(t, s, pairSpec{UserID: 42, Email: "a@b.co", SID: "sess-1", JTI: "jti-1", IssuedAt: issued}); c != a {
		t.Fatal("sub-second issue times gave a different pair")
	}
	for name, p := range map[string]pairSpec{
		"jti":  {UserID: 42, Email: "a@b.co", SID: "sess-1", JTI: "jti-2", IssuedAt: issued},
		"sid":  {UserID: 42, Email: "a@b.co", SID: "sess-2", JTI: "jti-1", IssuedAt: issued},
		"user": {UserID: 43, Email: "a@b.co", SID: "sess-1", JTI: "jti-1", IssuedAt: issued},
		"time": {UserID: 42, Email: "a@b.co", SID: "sess-1", JTI: "jti-1", IssuedAt: issued.Add(time.Second)},
	} {
		if got := mustPair(t, s, p); got.AccessToken == a.AccessToken || got.RefreshToken == a.RefreshToken {
			t.Errorf("a different %s gave the same tokens", name)
		}
	}
	if got := mustPair(t, newTestSigner(secretB), spec); got == a {
		t.Fatal("a different key gave the same pair")
	}
}

func TestParseAcceptsValidTokens(t *testing.T) {
	t.Parallel()
	s := newTestSigner(secretA)
	tp := mustPair(t, s, spec)
	for _, tc := range []struct {
		token, typ, id string
		at             time.Time
	}{
		{tp.AccessToken, typAccess, "jti-1.a", issued},
		{tp.AccessToken, typAccess, "jti-1.a", issued.Add(time.Hour + 4*time.Second)}, // within the leeway
		{tp.RefreshToken, typRefresh, "jti-1", issued.Add(23 * time.Hour)},
	} {
		c, err := s.parse(tc.token, tc.typ, tc.at)
		if err != nil {
			t.Fatalf("parse %s at %v: %v", tc.typ, tc.at, err)
		}
		if c.UserID != 42 || c.Email != "a@b.co" || c.SID != "sess-1" || c.ID != tc.id || c.Typ != tc.typ {
			t.Fatalf("claims %+v", c)
		}
	}
}

// forge signs arbitrary claims and headers with key.
func forge(t *testing.T, method jwt.SigningMethod, c jwt.Claims, kid any, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != nil {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	s := newTestSigner(secretA)
	tp := mustPair(t, s, spec)
	kidA := keyID(secretA)
	valid := func() claims {
		iat := jwt.NewNumericDate(issued)
		return claims{UserID: 42, Email: "a@b.co", Typ: typAccess, SID: "sess-1",
			RegisteredClaims: jwt.RegisteredClaims{ID: "j.a", IssuedAt: iat, ExpiresAt: jwt.NewNumericDate(issued.Add(time.Hour))}}
	}
	mod := func(f func(*claims)) claims { c := valid(); f(&c); return c }
	// A correctly signed variant must parse, so each rejection below is down
	// to the one thing it changes.
	if _, err := s.parse(forge(t, jwt.SigningMethodHS256, valid(), kidA, []byte(secretA)), typAccess, issued); err != nil {
		t.Fatalf("baseline forged token rejected: %v", err)
	}
	head, payload, sig, _ := cut3(tp.AccessToken)
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT","kid":"` + kidA + `"}`))
	for name, tc := range map[string]struct {
		token, typ string
		at         time.Time
	}{
		"refresh as access": {tp.RefreshToken, typAccess, issued},
		"access as refresh": {tp.AccessToken, typRefresh, issued},
		"expired":           {tp.AccessToken, typAccess, issued.Add(time.Hour + 6*time.Second)},
		"refresh expired":   {tp.RefreshToken, typRefresh, issued.Add(25 * time.Hour)},
		"issued in future":  {tp.AccessToken, typAccess, issued.Add(-time.Minute)},
		"alg none":          {forge(t, jwt.SigningMethodNone, valid(), kidA, jwt.UnsafeAllowNoneSignatureType), typAccess, issued},
		"alg none header":   {noneHeader + "." + payload + ".", typAccess, issued},
		"alg HS512":         {forge(t, jwt.SigningMethodHS512, valid(), kidA, []byte(secretA)), typAccess, issued},
		"unknown kid":       {forge(t, jwt.SigningMethodHS256, valid(), "deadbeef", []byte(secretA)), typAccess, issued},
		"missing kid":       {forge(t, jwt.SigningMethodHS256, valid(), nil, []byte(secretA)), typAccess, issued},
		"numeric kid":       {forge(t, jwt.SigningMethodHS256, valid(), 7, []byte(secretA)), typAccess, issued},
		"wrong key":         {forge(t, jwt.SigningMethodHS256, valid(), kidA, []byte(secretB)), typAccess, issued},
		"other signer":      {mustPair(t, newTestSigner(secretB), spec).AccessToken, typAccess, issued},
		"no exp":            {forge(t, jwt.SigningMethodHS256, mod(func(c *claims) { c.ExpiresAt = nil }), kidA, []byte(secretA)), typAccess, issued},
		"no sid":            {forge(t, jwt.SigningMethodHS256, mod(func(c *claims) { c.SID = "" }), kidA, []byte(secretA)), typAccess, issued},
		"no user":           {forge(t, jwt.SigningMethodHS256, mod(func(c *claims) { c.UserID = 0 }), kidA, []byte(secretA)), typAccess, issued},
		"no jti":            {forge(t, jwt.SigningMethodHS256, mod(func(c *claims) { c.ID = "" }), kidA, []byte(secretA)), typAccess, issued},
		"payload swapped":   {head + "." + partOf(tp.RefreshToken, 1) + "." + sig, typRefresh, issued},
		"signature dropped": {head + "." + payload + ".", typAccess, issued},
		"garbage":           {"not.a.jwt", typAccess, issued},
		"empty":             {"", typAccess, issued},
	} {
		if c, err := s.parse(tc.token, tc.typ, tc.at); err == nil {
			t.Errorf("%s: accepted, claims %+v", name, c)
		}
	}
}

func TestParseDuringKeyRotation(t *testing.T) {
	t.Parallel()
	before := mustPair(t, newTestSigner(secretA), spec)
	rotated := newTestSigner(secretB, secretA)
	if _, err := rotated.parse(before.AccessToken, typAccess, issued); err != nil {
		t.Fatalf("token of the previous key rejected: %v", err)
	}
	if _, err := rotated.parse(before.RefreshToken, typRefresh, issued); err != nil {
		t.Fatalf("refresh token of the previous key rejected: %v", err)
	}
	after := mustPair(t, rotated, spec)
	if kid := headerKID(t, after.AccessToken); kid != keyID(secretB) {
		t.Fatalf("rotated signer signs with kid %q", kid)
	}
	if _, err := rotated.parse(after.AccessToken, typAccess, issued); err != nil {
		t.Fatal(err)
	}
	if _, err := newTestSigner(secretA).parse(after.AccessToken, typAccess, issued); err == nil {
		t.Fatal("a signer without the new key accepted its token")
	}
	if _, err := newTestSigner(secretB).parse(before.AccessToken, typAccess, issued); err == nil {
		t.Fatal("a retired key still verifies")
	}
}

func cut3(tok string) (a, b, c string, ok bool) {
	p := strings.Split(tok, ".")
	if len(p) != 3 {
		return "", "", "", false
	}
	return p[0], p[1], p[2], true
}

func partOf(tok string, i int) string { return strings.Split(tok, ".")[i] }

func headerKID(t *testing.T, tok string) string {
	t.Helper()
	tk, _, err := jwt.NewParser().ParseUnverified(tok, &claims{})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := tk.Header["kid"].(string)
	return kid
}
