package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// authClaimsOf returns the claims and key id of a token without verifying it.
func authClaimsOf(t testing.TB, token string) (jwt.MapClaims, string) {
	t.Helper()
	c := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(token, c)
	if err != nil {
		t.Fatalf("parse %q: %v", token, err)
	}
	kid, _ := tok.Header["kid"].(string)
	return c, kid
}

// authForge signs claims (overridden by kv pairs; a nil value deletes) with
// method and key, keeping the key id kid.
func authForge(t testing.TB, method jwt.SigningMethod, key any, kid string, c jwt.MapClaims, kv ...any) string {
	t.Helper()
	c = maps.Clone(c)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
		} else {
			c[kv[i].(string)] = kv[i+1]
		}
	}
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// authTamperSignature changes one character in the middle of the signature.
func authTamperSignature(token string) string {
	parts := strings.Split(token, ".")
	sig := []byte(parts[2])
	i := len(sig) / 2
	if sig[i] == 'A' {
		sig[i] = 'B'
	} else {
		sig[i] = 'A'
	}
	return parts[0] + "." + parts[1] + "." + string(sig)
}

// authSwapPayload keeps header and signature of token but changes a claim.
func authSwapPayload(t testing.TB, token, claim string, value any) string {
	t.Helper()
	parts := strings.Split(token, ".")
	c, _ := authClaimsOf(t, token)
	c[claim] = value
	b, _ := json.Marshal(c)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
}

type authPair struct{ access, refresh string }

func authRefreshPair(t testing.TB, h *apptest.Harness, refresh string) authPair {
	t.Helper()
	res := authPost(h, "refresh", map[string]string{"refresh_token": refresh}).Expect(t, 200, "")
	if res.Str(t, "message") != "Token refreshed" || res.Str(t, "status") != "success" {
		t.Fatalf("refresh body %s", res.Body)
	}
	return authPair{res.Str(t, "access_token"), res.Str(t, "refresh_token")}
}

// TestAuthAccessToken: only a genuine, current access token opens a bearer
// endpoint; every other Authorization value is 401 UNAUTHORIZED.
func TestAuthAccessToken(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		acc := h.Register(t, "bearer@example.com")
		other := h.Register(t, "other@example.com")
		key := []byte(h.App.Config.JWTSecret)
		c, kid := authClaimsOf(t, acc.Access)
		if c["typ"] != "access" || c["sid"] == "" || c["jti"] == nil || c["email"] != acc.Email {
			t.Fatalf("access claims %v", c)
		}
		// Control: the real key and unchanged claims make a working token,
		// so the forged cases below fail for the reason they name.
		if s := authProfileStatus(t, h, authForge(t, jwt.SigningMethodHS256, key, kid, c)); s != 200 {
			t.Fatalf("re-signed genuine claims: %d", s)
		}
		if s := authProfileStatus(t, h, acc.Access); s != 200 {
			t.Fatalf("genuine access token: %d", s)
		}
		none := authForge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid, c)
		otherKey := []byte(strings.Repeat("k", 32))
		now := h.Clock.Now().Unix()
		for _, tc := range []struct{ name, header string }{
			{"missing", ""},
			{"empty bearer", "Bearer "},
			{"scheme only", "Bearer"},
			{"other scheme", "Token " + acc.Access},
			{"garbage", "Bearer garbage"},
			{"tampered signature", "Bearer " + authTamperSignature(acc.Access)},
			{"payload of another user", "Bearer " + authSwapPayload(t, acc.Access, "user_id", other.ID)},
			{"alg none", "Bearer " + none},
			{"alg none, no signature dot", "Bearer " + strings.TrimSuffix(none, ".")},
			{"other key", "Bearer " + authForge(t, jwt.SigningMethodHS256, otherKey, kid, c)},
			{"other key, no kid", "Bearer " + authForge(t, jwt.SigningMethodHS256, otherKey, "", c)},
			{"HS512 with the real key", "Bearer " + authForge(t, jwt.SigningMethodHS512, key, kid, c)},
			{"refresh token", "Bearer " + acc.Refresh},
			{"typ refresh", "Bearer " + authForge(t, jwt.SigningMethodHS256, key, kid, c, "typ", "refresh")},
			{"no typ", "Bearer " + authForge(t, jwt.SigningMethodHS256, key, kid, c, "typ", nil)},
			{"no exp", "Bearer " + authForge(t, jwt.SigningMethodHS256, key, kid, c, "exp", nil)},
			{"expired exp", "Bearer " + authForge(t, jwt.SigningMethodHS256, key, kid, c, "exp", now-60)},
			{"unknown session", "Bearer " + authForge(t, jwt.SigningMethodHS256, key, kid, c, "sid", "0123456789abcdef0123456789abcdef")},
			{"session of another user", "Bearer " + authForge(t, jwt.SigningMethodHS256, key, kid, c, "user_id", other.ID)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var hd []apptest.Header
				if tc.header != "" {
					hd = append(hd, apptest.Header{Name: "Authorization", Value: tc.header})
				}
				authExpectErr(t, h.Do("GET", "/api/v1/user/profile", nil, hd...), 401, "UNAUTHORIZED")
			})
		}
		if s := authProfileStatus(t, h, acc.Access); s != 200 {
			t.Fatalf("genuine access token after the attempts: %d", s)
		}
	})
}

// TestAuthAccessTokenExpiry: access tokens live 24 h; the refresh token still
// renews them afterwards, until it expires after 7 days.
func TestAuthAccessTokenExpiry(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		acc := h.Register(t, "expiry@example.com")
		h.Clock.Advance(23*time.Hour + 59*time.Minute)
		if s := authProfileStatus(t, h, acc.Access); s != 200 {
			t.Fatalf("access token at 23h59m: %d", s)
		}
		h.Clock.Advance(61 * time.Minute) // 25 h
		if s := authProfileStatus(t, h, acc.Access); s != 401 {
			t.Fatalf("access token at 25h: %d, want 401", s)
		}
		p := authRefreshPair(t, h, acc.Refresh)
		if s := authProfileStatus(t, h, p.access); s != 200 {
			t.Fatalf("renewed access token: %d", s)
		}
		h.Clock.Advance(7*24*time.Hour + time.Hour)
		authExpectErr(t, authPost(h, "refresh", map[string]string{"refresh_token": p.refresh}), 401, "UNAUTHORIZED")
	})
}

// TestAuthLogout ends the caller's session only.
func TestAuthLogout(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		first := h.Register(t, "logout@example.com")
		second := h.Login(t, first.Email, apptest.Password)
		authExpectErr(t, authPost(h, "logout", nil), 401, "UNAUTHORIZED")

		res := authPost(h, "logout", map[string]string{"access_token": "x", "refresh_token": "y"}, apptest.Bearer(first.Access)).Expect(t, 200, "")
		if m := authExact(t, res.Body); m["status"] != "success" || m["message"] != "Logged out successfully" {
			t.Fatalf("logout body %s", res.Body)
		}
		if s := authProfileStatus(t, h, first.Access); s != 401 {
			t.Fatalf("access token after logout: %d, want 401", s)
		}
		authExpectErr(t, authPost(h, "refresh", map[string]string{"refresh_token": first.Refresh}), 401, "UNAUTHORIZED")
		authExpectErr(t, authPost(h, "logout", nil, apptest.Bearer(first.Access)), 401, "UNAUTHORIZED")
		if s := authProfileStatus(t, h, second.Access); s != 200 {
			t.Fatalf("other session after logout: %d, want 200", s)
		}
		p := authRefreshPair(t, h, second.Refresh)
		// The body is optional.
		authPost(h, "logout", nil, apptest.Bearer(p.access)).Expect(t, 200, "")
		if s := authProfileStatus(t, h, p.access); s != 401 {
			t.Fatalf("access token after logout without body: %d, want 401", s)
		}
	})
}

// TestAuthRefreshRotation: rotation, idempotent retries within the 60 s
// grace, and reuse after it revoking the whole session.
func TestAuthRefreshRotation(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		acc := h.Register(t, "rotate@example.com")
		bystander := h.Login(t, acc.Email, apptest.Password) // another session of the same user

		p1 := authRefreshPair(t, h, acc.Refresh)
		if p1.access == acc.Access || p1.refresh == acc.Refresh || !authIsJWT(p1.access) || !authIsJWT(p1.refresh) {
			t.Fatalf("rotation did not issue a new pair: %+v", p1)
		}
		if c, _ := authClaimsOf(t, p1.refresh); c["typ"] != "refresh" {
			t.Fatalf("new refresh token claims %v", c)
		}
		if s := authProfileStatus(t, h, p1.access); s != 200 {
			t.Fatalf("rotated access token: %d", s)
		}
		h.Clock.Advance(30 * time.Second)
		if again := authRefreshPair(t, h, acc.Refresh); again != p1 {
			t.Fatalf("retry within the grace gave another pair:\nfirst %+v\nretry %+v", p1, again)
		}
		p2 := authRefreshPair(t, h, p1.refresh)
		if p2 == p1 {
			t.Fatal("second rotation returned the first pair")
		}
		h.Clock.Advance(31 * time.Second)       // 61 s after the first rotation
		p3 := authRefreshPair(t, h, p2.refresh) // ordinary use of the newest token
		if s := authProfileStatus(t, h, p3.access); s != 200 {
			t.Fatalf("newest access token: %d", s)
		}
		authExpectErr(t, authPost(h, "refresh", map[string]string{"refresh_token": acc.Refresh}), 401, "UNAUTHORIZED")
		// Reuse after the grace revokes the whole session.
		for name, tok := range map[string]string{"p1": p1.access, "p2": p2.access, "newest": p3.access} {
			if s := authProfileStatus(t, h, tok); s != 401 {
				t.Fatalf("%s access token after reuse of a rotated refresh token: %d, want 401", name, s)
			}
		}
		authExpectErr(t, authPost(h, "refresh", map[string]string{"refresh_token": p3.refresh}), 401, "UNAUTHORIZED")
		// Only that session: the user's other session lives on.
		if s := authProfileStatus(t, h, bystander.Access); s != 200 {
			t.Fatalf("other session after the revocation: %d, want 200", s)
		}
		authRefreshPair(t, h, bystander.Refresh)
	})
}

// TestAuthRefreshConcurrent: parallel refreshes of one token rotate it once;
// every success carries the same pair, and reuse after the grace revokes it.
func TestAuthRefreshConcurrent(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		acc := h.Register(t, "race@example.com")
		const n = 8
		results := make([]*apptest.Response, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i] = authPost(h, "refresh", map[string]string{"refresh_token": acc.Refresh})
			}()
		}
		close(start)
		wg.Wait()
		pairs := map[authPair]int{}
		for i, res := range results {
			if res.Status != 200 {
				t.Errorf("concurrent refresh %d: %d %s", i, res.Status, res.Body)
				continue
			}
			s := apptest.Decode[apptest.Session](t, res)
			pairs[authPair{s.AccessToken, s.RefreshToken}]++
		}
		if len(pairs) != 1 {
			t.Fatalf("%d distinct pairs from %d concurrent refreshes of one token, want 1: %v", len(pairs), n, pairs)
		}
		var p authPair
		for k := range pairs {
			p = k
		}
		if s := authProfileStatus(t, h, p.access); s != 200 {
			t.Fatalf("rotated access token: %d", s)
		}
		h.Clock.Advance(61 * time.Second)
		authExpectErr(t, authPost(h, "refresh", map[string]string{"refresh_token": acc.Refresh}), 401, "UNAUTHORIZED")
		if s := authProfileStatus(t, h, p.access); s != 401 {
			t.Fatalf("access token of the revoked session: %d, want 401", s)
		}
		authExpectErr(t, authPost(h, "refresh", map[string]string{"refresh_token": p.refresh}), 401, "UNAUTHORIZED")
	})
}

// TestAuthRefreshInvalid: every unusable refresh token is 401 UNAUTHORIZED.
func TestAuthRefreshInvalid(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		acc := h.Register(t, "badrefresh@example.com")
		key := []byte(h.App.Config.JWTSecret)
		c, kid := authClaimsOf(t, acc.Refresh)
		tok := func(v string) map[string]string { return map[string]string{"refresh_token": v} }
		for _, tc := range []struct {
			name string
			body any
		}{
			{"empty body", nil},
			{"empty object", "{}"},
			{"null token", `{"refresh_token":null}`},
			{"empty token", tok("")},
			{"garbage", tok("garbage")},
			{"three garbage segments", tok("eyJhbGciOiJIUzI1NiJ9.e30.abc")},
			{"access token", tok(acc.Access)},
			{"tampered signature", tok(authTamperSignature(acc.Refresh))},
			{"other key", tok(authForge(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), kid, c))},
			{"alg none", tok(authForge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid, c))},
			{"unknown jti, real key", tok(authForge(t, jwt.SigningMethodHS256, key, kid, c, "jti", "00000000000000000000000000000000"))},
			{"typ access, real key", tok(authForge(t, jwt.SigningMethodHS256, key, kid, c, "typ", "access"))},
			{"expired, real key", tok(authForge(t, jwt.SigningMethodHS256, key, kid, c, "exp", h.Clock.Now().Unix()-60))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				authExpectErr(t, authPost(h, "refresh", tc.body), 401, "UNAUTHORIZED")
			})
		}
		// None of the attempts harmed the genuine token.
		authRefreshPair(t, h, acc.Refresh)
	})
}
