package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

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
	if !webhooksig.VerifyIssuerEvent(signature, raw, time.Now(), s.IssuerWebhookSecret, s.IssuerWebhookPreviousSecret) {
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
