package webhooksig

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ThreeDSDelivery is one POST /webhooks/3ds-callback as an authenticator
// sees it: the raw body, the headers and the client address the server
// trusts (the peer, or the trusted proxy's last X-Forwarded-For hop).
type ThreeDSDelivery struct {
	Header   http.Header
	Body     []byte
	ClientIP string
}

// ThreeDSAuthenticator decides whether a 3DS challenge delivery comes from
// the issuer. The issuer's scheme is not settled (PROVIDERS.md §3: one
// captured forward carried no signature; Thredd signs with RSA), so the
// scheme is chosen by configuration. The error says why, for the log only:
// it never names a key or token.
type ThreeDSAuthenticator interface {
	Authenticate(d ThreeDSDelivery) error
}

// ErrThreeDSUnauthenticated is every authenticator's refusal.
var ErrThreeDSUnauthenticated = errors.New("webhooksig: 3ds delivery not authenticated")

func refuse(why string) error { return fmt.Errorf("%w: %s", ErrThreeDSUnauthenticated, why) }

// ThreeDSHMAC is the shared-secret scheme (API.md §2.11.4): X-Signature =
// hex HMAC-SHA256(secret, raw body), under any key held while rotating.
type ThreeDSHMAC struct{ secrets []string }

// NewThreeDSHMAC returns the HMAC scheme with the current secret and,
// during a rotation, the previous one ("" = none).
func NewThreeDSHMAC(current, previous string) (*ThreeDSHMAC, error) {
	if current == "" {
		return nil, errors.New("webhooksig: 3ds hmac: a secret is required")
	}
	return &ThreeDSHMAC{secrets: []string{current, previous}}, nil
}

// Authenticate implements ThreeDSAuthenticator.
func (a *ThreeDSHMAC) Authenticate(d ThreeDSDelivery) error {
	if !VerifyThreeDS(d.Header.Get("X-Signature"), d.Body, a.secrets...) {
		return refuse("X-Signature invalid")
	}
	return nil
}

// ThreddSignatureHeader carries Thredd's signature: "k=<key id>,s=<signature>".
const ThreddSignatureHeader = "X-Thredd-Signature"

// ThreeDSRSA is Thredd's scheme: SHA256withRSA (RSASSA-PKCS1-v1_5 over
// SHA-256) of the raw body, under the public key the header's k names. The
// signature is read as base64 (standard or URL alphabet, padded or not),
// or as hex when it has exactly twice the key's size in hex digits: the
// published example looks like hex, the usual Java encoding is base64, and
// the two cannot be confused at an RSA key's length.
type ThreeDSRSA struct{ keys map[string]*rsa.PublicKey }

// NewThreeDSRSA returns the RSA scheme with the public keys by key id (PEM:
// PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE). Several ids cover Thredd's
// key rotation.
func NewThreeDSRSA(pemByKeyID map[string]string) (*ThreeDSRSA, error) {
	if len(pemByKeyID) == 0 {
		return nil, errors.New("webhooksig: 3ds rsa: at least one public key is required")
	}
	keys := make(map[string]*rsa.PublicKey, len(pemByKeyID))
	for id, text := range pemByKeyID {
		if strings.TrimSpace(id) == "" {
			return nil, errors.New("webhooksig: 3ds rsa: empty key id")
		}
		k, err := parseRSAPublicKey([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("webhooksig: 3ds rsa: key %q: %w", id, err)
		}
		keys[id] = k
	}
	return &ThreeDSRSA{keys: keys}, nil
}

func parseRSAPublicKey(text []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(text)
	if block == nil {
		return nil, errors.New("not PEM")
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	default:
		return nil, fmt.Errorf("unsupported PEM block %q", block.Type)
	}
	if err != nil {
		return nil, err
	}
	k, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	if k.N.BitLen() < 2048 {
		return nil, errors.New("RSA key shorter than 2048 bits")
	}
	return k, nil
}

// Authenticate implements ThreeDSAuthenticator.
func (a *ThreeDSRSA) Authenticate(d ThreeDSDelivery) error {
	var kid, sig string
	for _, part := range strings.Split(d.Header.Get(ThreddSignatureHeader), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.TrimSpace(k) {
		case "k":
			kid = strings.TrimSpace(v)
		case "s":
			sig = strings.TrimSpace(v)
		}
	}
	if kid == "" || sig == "" {
		return refuse(ThreddSignatureHeader + " missing or malformed")
	}
	key, ok := a.keys[kid]
	if !ok {
		return refuse("unknown key id")
	}
	raw, ok := decodeRSASignature(sig, key.Size())
	if !ok {
		return refuse("signature not base64 or hex")
	}
	digest := sha256.Sum256(d.Body)
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], raw); err != nil {
		return refuse("signature does not verify")
	}
	return nil
}

func decodeRSASignature(s string, size int) ([]byte, bool) {
	if len(s) == 2*size {
		if b, err := hex.DecodeString(s); err == nil {
			return b, true
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == size {
			return b, true
		}
	}
	return nil, false
}

// ThreeDSBearer accepts a delivery that carries one of the configured
// tokens (Authorization: Bearer …, compared in constant time) from an
// address in the allow-list: for an issuer forward that signs nothing. The
// allow-list is required, since a token alone is a password on the wire.
type ThreeDSBearer struct {
	tokens [][sha256.Size]byte
	allow  []netip.Prefix
}

// NewThreeDSBearer returns the bearer scheme: tokens (the current one and,
// while rotating, the previous; empty ones are skipped) and the allowed
// source addresses as CIDRs or single addresses.
func NewThreeDSBearer(tokens []string, allow []string) (*ThreeDSBearer, error) {
	a := &ThreeDSBearer{}
	for _, t := range tokens {
		if t != "" {
			a.tokens = append(a.tokens, sha256.Sum256([]byte(t)))
		}
	}
	if len(a.tokens) == 0 {
		return nil, errors.New("webhooksig: 3ds bearer: a token is required")
	}
	for _, c := range allow {
		c = strings.TrimSpace(c)
		p, err := netip.ParsePrefix(c)
		if err != nil {
			ip, ierr := netip.ParseAddr(c)
			if ierr != nil {
				return nil, fmt.Errorf("webhooksig: 3ds bearer: allow-list entry %q is not a CIDR or an address", c)
			}
			p = netip.PrefixFrom(ip, ip.BitLen())
		}
		a.allow = append(a.allow, p.Masked())
	}
	if len(a.allow) == 0 {
		return nil, errors.New("webhooksig: 3ds bearer: a source address allow-list is required")
	}
	return a, nil
}

// Authenticate implements ThreeDSAuthenticator.
func (a *ThreeDSBearer) Authenticate(d ThreeDSDelivery) error {
	ip, err := netip.ParseAddr(d.ClientIP)
	if err != nil {
		return refuse("client address unreadable")
	}
	ip = ip.Unmap()
	allowed := false
	for _, p := range a.allow {
		if p.Contains(ip) {
			allowed = true
		}
	}
	scheme, token, _ := strings.Cut(d.Header.Get("Authorization"), " ")
	// Hashing first makes the comparison constant-time whatever the length.
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	match := 0
	for _, want := range a.tokens {
		match |= subtle.ConstantTimeCompare(got[:], want[:])
	}
	switch {
	case !allowed:
		return refuse("source address not allowed")
	case !strings.EqualFold(scheme, "Bearer") || match != 1:
		return refuse("bearer token invalid")
	}
	return nil
}
