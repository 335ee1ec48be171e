// Package webhooksig holds the signature schemes of the providers' webhooks
// (issuer card events, KYC decisions in Didit's format, 3DS challenges): the inbound HTTP
// handlers verify with it, and the sandbox simulators sign with it so their
// deliveries take the real path. The custody scheme lives with its provider
// (providers/custody).
package webhooksig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Window is how far a signed timestamp may be from now.
const Window = 300 * time.Second

// SignIssuerEvent builds the X-Issuer-Signature header value for body at t.
func SignIssuerEvent(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + issuerMAC(secret, ts, body)
}

func issuerMAC(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyIssuerEvent accepts any of several v1 values (the issuer may send
// one per key while it rotates) over "<t>.<body>" with t within the window,
// each checked against every key we hold (ours rotate too).
func VerifyIssuerEvent(header string, body []byte, now time.Time, secrets ...string) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, strings.ToLower(v))
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || absDuration(now.Sub(time.Unix(t, 0))) > Window {
		return false
	}
	ok := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		want := []byte(issuerMAC(secret, ts, body))
		for _, sig := range sigs {
			if hmac.Equal(want, []byte(sig)) {
				ok = true
			}
		}
	}
	return ok
}

// SignThreeDS signs a body like the issuer signs 3DS webhooks: hex
// HMAC-SHA256 of the raw body.
func SignThreeDS(secret string, body []byte) string { return hmacHex(secret, body) }

// VerifyThreeDS checks a 3DS webhook's signature under each key held.
func VerifyThreeDS(signature string, body []byte, secrets ...string) bool {
	return validHMAC(body, signature, secrets...)
}

func hmacHex(secret string, msg []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// validHMAC compares sig (hex, any case) with the HMAC of msg under every
// non-empty key, in constant time.
func validHMAC(msg []byte, sig string, secrets ...string) bool {
	ok := false
	for _, secret := range secrets {
		if secret != "" && hmac.Equal([]byte(hmacHex(secret, msg)), []byte(strings.ToLower(sig))) {
			ok = true
		}
	}
	return ok
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
