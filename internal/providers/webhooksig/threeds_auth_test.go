package webhooksig_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/http"
	"testing"

	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

var body = []byte(`{"NotificationId":"0f8fad5b-d9cb-469f-a165-70867728950e","Pubtoken":609659162}`)

func rsaKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func sign(t *testing.T, k *rsa.PrivateKey, msg []byte) []byte {
	t.Helper()
	d := sha256.Sum256(msg)
	s, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func delivery(header, value string, b []byte, ip string) webhooksig.ThreeDSDelivery {
	h := http.Header{}
	if header != "" {
		h.Set(header, value)
	}
	return webhooksig.ThreeDSDelivery{Header: h, Body: b, ClientIP: ip}
}

func TestThreeDSRSA(t *testing.T) {
	t.Parallel()
	current, currentPEM := rsaKey(t)
	previous, previousPEM := rsaKey(t)
	stranger, _ := rsaKey(t)
	auth, err := webhooksig.NewThreeDSRSA(map[string]string{"kid-2": currentPEM, "kid-1": previousPEM})
	if err != nil {
		t.Fatal(err)
	}
	sig := sign(t, current, body)
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-2] = '3'
	for _, tc := range []struct {
		name   string
		header string
		body   []byte
		ok     bool
	}{
		{"known key, base64", "k=kid-2,s=" + base64.StdEncoding.EncodeToString(sig), body, true},
		{"known key, base64url unpadded", "k=kid-2, s=" + base64.RawURLEncoding.EncodeToString(sig), body, true},
		{"known key, hex", "k=kid-2,s=" + hex.EncodeToString(sig), body, true},
		{"rotated: previous key still held", "k=kid-1,s=" + base64.StdEncoding.EncodeToString(sign(t, previous, body)), body, true},
		{"unknown key id", "k=kid-9,s=" + base64.StdEncoding.EncodeToString(sig), body, false},
		{"signed by a key we do not hold, under a known id", "k=kid-2,s=" + base64.StdEncoding.EncodeToString(sign(t, stranger, body)), body, false},
		{"signature of another key id's key", "k=kid-1,s=" + base64.StdEncoding.EncodeToString(sig), body, false},
		{"body changed", "k=kid-2,s=" + base64.StdEncoding.EncodeToString(sig), tampered, false},
		{"bad signature encoding", "k=kid-2,s=not-a-signature!", body, false},
		{"no key id", "s=" + base64.StdEncoding.EncodeToString(sig), body, false},
		{"no header", "", body, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := auth.Authenticate(delivery(webhooksig.ThreddSignatureHeader, tc.header, tc.body, "198.51.100.1"))
			if (err == nil) != tc.ok {
				t.Fatalf("Authenticate = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, webhooksig.ErrThreeDSUnauthenticated) {
				t.Fatalf("refusal %v is not ErrThreeDSUnauthenticated", err)
			}
		})
	}
	if _, err := webhooksig.NewThreeDSRSA(map[string]string{"k": "not pem"}); err == nil {
		t.Fatal("a key that is not PEM was accepted")
	}
	if _, err := webhooksig.NewThreeDSRSA(nil); err == nil {
		t.Fatal("no keys accepted")
	}
}

func TestThreeDSBearer(t *testing.T) {
	t.Parallel()
	auth, err := webhooksig.NewThreeDSBearer([]string{"tok-new", "tok-old"}, []string{"203.0.113.0/24", "2001:db8::1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, authz, ip string
		ok              bool
	}{
		{"right token, allowed network", "Bearer tok-new", "203.0.113.9", true},
		{"previous token while rotating", "bearer tok-old", "203.0.113.9", true},
		{"single allowed IPv6 address", "Bearer tok-new", "2001:db8::1", true},
		{"IPv4 written as IPv6-mapped", "Bearer tok-new", "::ffff:203.0.113.9", true},
		{"right token, wrong address", "Bearer tok-new", "198.51.100.9", false},
		{"wrong token, allowed address", "Bearer tok-neww", "203.0.113.9", false},
		{"token without the Bearer scheme", "tok-new", "203.0.113.9", false},
		{"basic scheme", "Basic tok-new", "203.0.113.9", false},
		{"no header", "", "203.0.113.9", false},
		{"unreadable address", "Bearer tok-new", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := auth.Authenticate(delivery("Authorization", tc.authz, body, tc.ip)); (err == nil) != tc.ok {
				t.Fatalf("Authenticate = %v, want ok %v", err, tc.ok)
			}
		})
	}
	if _, err := webhooksig.NewThreeDSBearer([]string{"t"}, nil); err == nil {
		t.Fatal("a bearer token without an allow-list was accepted")
	}
	if _, err := webhooksig.NewThreeDSBearer([]string{""}, []string{"10.0.0.0/8"}); err == nil {
		t.Fatal("an empty token was accepted")
	}
	if _, err := webhooksig.NewThreeDSBearer([]string{"t"}, []string{"10.0.0.0/33"}); err == nil {
		t.Fatal("a bad CIDR was accepted")
	}
}

func TestThreeDSHMAC(t *testing.T) {
	t.Parallel()
	auth, err := webhooksig.NewThreeDSHMAC("new-secret", "old-secret")
	if err != nil {
		t.Fatal(err)
	}
	for secret, ok := range map[string]bool{"new-secret": true, "old-secret": true, "other": false} {
		if err := auth.Authenticate(delivery("X-Signature", webhooksig.SignThreeDS(secret, body), body, "")); (err == nil) != ok {
			t.Fatalf("signed with %s: %v, want ok %v", secret, err, ok)
		}
	}
	if _, err := webhooksig.NewThreeDSHMAC("", "x"); err == nil {
		t.Fatal("no current secret accepted")
	}
}
