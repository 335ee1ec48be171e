package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Custody callback replies are plain text (API.md §2.11.1, PROVIDERS.md §1):
// the provider stops resending only on the exact body "success", so every
// stored event — processed later, a duplicate, or one that matches nothing
// — gets it; the other replies make it resend.
const (
	custodyAck          = "success"
	custodySignInvalid  = "SIGN_INVALID"
	custodyBadRequest   = "BAD_REQUEST"
	custodyRetry        = "RETRY"
	custodyReplyContent = "text/plain; charset=utf-8"
)

func custodyReply(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", custodyReplyContent)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text)
}

var errBadSignature = errors.New("custody callback signature invalid")

// custodyCallback serves POST /webhooks/custody and its alias
// /yudun/callback: verify the signature over the raw body field, store the
// event once, answer at once; a job applies it.
func (s *Server) custodyCallback(w http.ResponseWriter, r *http.Request) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	form, err := custodyForm(r.Header.Get("Content-Type"), raw)
	if err != nil {
		custodyReply(w, http.StatusBadRequest, custodyBadRequest)
		return nil
	}
	if _, _, err := s.AcceptCustody(r.Context(), form); err != nil {
		if errors.Is(err, errBadSignature) {
			s.log.WarnContext(r.Context(), "custody callback rejected: bad signature", "request_id", httpkit.RequestID(r.Context()))
			custodyReply(w, http.StatusUnauthorized, custodySignInvalid)
			return nil
		}
		if errors.Is(err, errMalformedEvent) {
			s.log.WarnContext(r.Context(), "custody callback rejected: signed but not a custody event", "request_id", httpkit.RequestID(r.Context()),
				"error", err)
			custodyReply(w, http.StatusBadRequest, custodyBadRequest)
			return nil
		}
		// Not stored: any reply but "success" makes the provider retry.
		s.logFailure(r, http.StatusInternalServerError, "custody callback not stored", err)
		custodyReply(w, http.StatusInternalServerError, custodyRetry)
		return nil
	}
	custodyReply(w, http.StatusOK, custodyAck)
	return nil
}

var errMalformedEvent = errors.New("custody event malformed")

// AcceptCustody verifies and stores one custody callback and returns the
// inbox event id (and whether it was a duplicate). The sandbox custody
// simulator delivers through it too.
func (s *Server) AcceptCustody(ctx context.Context, form url.Values) (int64, bool, error) {
	body, nonce, ts, sign := form.Get("body"), form.Get("nonce"), form.Get("timestamp"), form.Get("sign")
	if body == "" || sign == "" || !s.Custody.Verify(body, nonce, ts, sign) {
		return 0, false, errBadSignature
	}
	if httpkit.UniqueNames([]byte(body)) != nil {
		return 0, false, errMalformedEvent
	}
	ev, err := wallet.ParseCustodyEvent([]byte(body))
	if err != nil {
		return 0, false, fmt.Errorf("%w: %w", errMalformedEvent, err)
	}
	return s.Inbox.Receive(ctx, s.Jobs, "custody", ev.EventKey(), []byte(body))
}

// custodyForm reads the four callback fields from a form-encoded body or
// from a JSON object with the same keys. A field given twice is refused in
// either form: which copy counts would otherwise be the parser's choice.
func custodyForm(contentType string, raw []byte) (url.Values, error) {
	if strings.HasPrefix(strings.TrimSpace(contentType), "application/json") {
		if err := httpkit.UniqueNames(raw); err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		v := url.Values{}
		for _, k := range []string{"timestamp", "nonce", "sign", "body"} {
			switch x := m[k].(type) {
			case string:
				v.Set(k, x)
			case float64, json.Number:
				b, _ := json.Marshal(x)
				v.Set(k, string(b))
			}
		}
		return v, nil
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, err
	}
	return form, httpkit.UniqueFields(form)
}
