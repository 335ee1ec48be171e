package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

// TestThreeDSWebhookAuthenticator: the 3DS callback asks the configured
// authenticator, which sees the client address the server trusts: behind a
// trusted proxy its last X-Forwarded-For hop, otherwise the peer, so a
// forged X-Forwarded-For does not pass the allow-list.
func TestThreeDSWebhookAuthenticator(t *testing.T) {
	t.Parallel()
	bearer, err := webhooksig.NewThreeDSBearer([]string{"tok"}, []string{"203.0.113.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		trustProxy   bool
		remote, fwd  string
		token        string
		authenticate bool
	}{
		{"allowed peer, right token", false, "203.0.113.5:4000", "", "tok", true},
		{"allowed peer, wrong token", false, "203.0.113.5:4000", "", "nope", false},
		{"wrong peer, right token", false, "198.51.100.5:4000", "", "tok", false},
		{"forged forwarding header without a trusted proxy", false, "198.51.100.5:4000", "203.0.113.5", "tok", false},
		{"trusted proxy forwards an allowed client", true, "10.0.0.2:4000", "203.0.113.5", "tok", true},
		{"trusted proxy forwards a refused client behind a forged hop", true, "10.0.0.2:4000", "203.0.113.5, 198.51.100.5", "tok", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			s.TrustProxyHeaders = tc.trustProxy
			s.ThreeDSAuth = bearer
			// An empty object: authenticated, it fails validation (400);
			// refused, it never gets that far (401).
			r := httptest.NewRequest(http.MethodPost, "/api/v1/webhooks/3ds-callback", strings.NewReader(`{}`))
			r.RemoteAddr = tc.remote
			r.Header.Set("Authorization", "Bearer "+tc.token)
			if tc.fwd != "" {
				r.Header.Set("X-Forwarded-For", tc.fwd)
			}
			err := s.threeDSWebhook(httptest.NewRecorder(), r)
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("answer %v, want an API error", err)
			}
			if got := e.Code == "SIGNATURE_INVALID"; got == tc.authenticate {
				t.Fatalf("answer %s, want authenticated %v", e.Code, tc.authenticate)
			}
		})
	}
}

// TestThreeDSWebhookDefaultsToHMAC: without a configured authenticator the
// callback keeps today's X-Signature HMAC under both secrets.
func TestThreeDSWebhookDefaultsToHMAC(t *testing.T) {
	t.Parallel()
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.ThreeDSWebhookSecret, s.ThreeDSWebhookPreviousSecret = "new", "old"
	for secret, ok := range map[string]bool{"new": true, "old": true, "other": false} {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/webhooks/3ds-callback", strings.NewReader(`{}`))
		r.Header.Set("X-Signature", webhooksig.SignThreeDS(secret, []byte(`{}`)))
		e, _ := apperr.As(s.threeDSWebhook(httptest.NewRecorder(), r))
		if e == nil || (e.Code != "SIGNATURE_INVALID") != ok {
			t.Fatalf("signed with %s: %v, want authenticated %v", secret, e, ok)
		}
	}
}
