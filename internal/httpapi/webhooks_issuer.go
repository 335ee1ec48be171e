package httpapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// issuerWebhookWindow is how far the signed timestamp may be from now.
const issuerWebhookWindow = 300 * time.Second

// issuerWebhook serves POST /webhooks/issuer: a signed, timestamped card
// event is stored once in the inbox and answered at once; a job applies it.
func (s *Server) issuerWebhook(w http.ResponseWriter, r *http.Request) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	if _, err := s.AcceptIssuerEvent(r.Context(), r.Header.Get("X-Issuer-Signature"), raw); err != nil {
		if e, ok := apperr.As(err); ok && e.Code == "SIGNATURE_INVALID" {
			s.log.WarnContext(r.Context(), "issuer webhook rejected: bad signature or stale timestamp", "request_id", httpkit.RequestID(r.Context()))
		}
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		Code   int    `json:"code"`
		Errstr string `json:"errstr"`
	}{http.StatusOK, "SUCCESS"})
	return nil
}

// AcceptIssuerEvent verifies and stores one issuer event and returns its
// inbox id. The sandbox issuer delivers through it too.
func (s *Server) AcceptIssuerEvent(ctx context.Context, signature string, raw []byte) (int64, error) {
	if !verifyIssuerSignature(signature, raw, time.Now(), s.IssuerWebhookSecret, s.IssuerWebhookPreviousSecret) {
		return 0, apperr.New("SIGNATURE_INVALID").WithDetails("X-Issuer-Signature is invalid or its timestamp is stale")
	}
	if err := httpkit.UniqueNames(raw); err != nil {
		return 0, err
	}
	ev, err := card.ParseIssuerEvent(raw)
	if err != nil {
		return 0, apperr.Validation(map[string]string{"event_id": "event_id and event_type are required"})
	}
	id, _, err := s.Inbox.Receive(ctx, s.Jobs, "issuer", ev.ID, raw)
	return id, err
}

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

// verifyIssuerSignature accepts any of several v1 values (the issuer may
// send one per key while it rotates) over "<t>.<body>" with t within the
// window, each checked against every key we hold (ours rotate too).
func verifyIssuerSignature(header string, body []byte, now time.Time, secrets ...string) bool {
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
	if err != nil || absDuration(now.Sub(time.Unix(t, 0))) > issuerWebhookWindow {
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
