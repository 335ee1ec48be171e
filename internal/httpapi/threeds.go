package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/threeds"
)

// threeDSRecordJSON is the 3DS record object (API.md §2.7).
type threeDSRecordJSON struct {
	ID                 int64   `json:"id"`
	NotificationID     string  `json:"notification_id"`
	PublicToken        string  `json:"public_token"`
	MerchantName       string  `json:"merchant_name"`
	MerchantID         string  `json:"merchant_id"`
	Amount             string  `json:"amount"`
	Currency           string  `json:"currency"`
	Passcode           string  `json:"passcode"`
	ReceivedAt         string  `json:"received_at"`
	ExpiresAfter       int64   `json:"expires_after"`
	AuthMethod         string  `json:"auth_method"`
	ChallengeStatus    string  `json:"challenge_status"`
	ChallengeExpiresAt string  `json:"challenge_expires_at"`
	ConfirmationStatus string  `json:"confirmation_status"`
	ConfirmedAt        *string `json:"confirmed_at"`
}

func toThreeDSRecordJSON(r threeds.Record) threeDSRecordJSON {
	return threeDSRecordJSON{r.ID, r.NotificationID, r.PublicToken, r.MerchantName, r.MerchantID, r.Amount, r.Currency, r.Passcode,
		rfc3339(r.ReceivedAt), r.ExpiresAfter, string(r.AuthMethod), string(r.ChallengeStatus), rfc3339(r.ChallengeExpiresAt),
		string(r.ConfirmationStatus),
		optTime(r.ConfirmedAt)}
}

// myThreeDSRecords serves GET /3ds/my-records.
func (s *Server) myThreeDSRecords(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	page, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	list, total, err := s.ThreeDS.List(r.Context(), p.UserID, page, size)
	if err != nil {
		return err
	}
	out := make([]threeDSRecordJSON, 0, len(list))
	for _, rec := range list {
		out = append(out, toThreeDSRecordJSON(rec))
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Page       int                 `json:"page"`
		PageSize   int                 `json:"page_size"`
		Total      int                 `json:"total"`
		TotalPages int                 `json:"total_pages"`
		Records    []threeDSRecordJSON `json:"records"`
	}{page, size, total, httpkit.TotalPages(total, size), out}))
	return nil
}

// confirmThreeDS serves PUT /3ds/messages/{notification_id}/confirm. The
// decision is committed before the issuer call, so the operation commits
// more than one transaction: executeOnce keeps Idempotency-Key's one
// execution and byte-for-byte replay, storing the answer just after.
func (s *Server) confirmThreeDS(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	var b struct {
		Status *string `json:"status"`
	}
	if err := httpkit.DecodeJSON(raw, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	decision := threeds.Decision(strings.ToUpper(f.Required("status", b.Status)))
	if decision != "" && decision != threeds.DecisionApprove && decision != threeds.DecisionReject {
		f.Add("status", "must be SUCCESS (approve) or FAILURE (reject)")
	}
	if err := f.Err(); err != nil {
		return err
	}
	id := r.PathValue("notification_id")
	s.executeOnce(w, r, p.UserID, raw, func(ctx context.Context) (int, any, error) {
		rec, err := s.ThreeDS.Confirm(ctx, p.UserID, id, decision)
		if err != nil {
			return 0, nil, err
		}
		type confirmedJSON struct {
			threeDSRecordJSON
			DelegateStatus   string `json:"delegate_status"`
			DelegateMethod   string `json:"delegate_method"`
			DSTransactionID  string `json:"ds_transaction_id"`
			TransactionToken string `json:"transaction_token"`
		}
		return http.StatusOK, struct {
			httpkit.EnvelopeA
			Record confirmedJSON `json:"record"`
		}{httpkit.OKA(r, "3DS challenge confirmed"), confirmedJSON{toThreeDSRecordJSON(rec), rec.DelegateStatus, rec.DelegateMethod,
			rec.DSTransactionID, rec.TransactionToken}}, nil
	})
	return nil
}

// setCardThreeDSPlan serves PUT /card/3ds.
func (s *Server) setCardThreeDSPlan(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		Plan        *string            `json:"plan"`
		PublicToken httpkit.FlexNumber `json:"public_token"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	plan := threeds.Plan(strings.ToUpper(f.Required("plan", b.Plan)))
	if plan != "" && !threeds.ValidPlan(plan) {
		f.Add("plan", "must be OTP, BIO or ALL")
	}
	token := strings.TrimSpace(b.PublicToken.Raw)
	switch {
	case !b.PublicToken.Present || (b.PublicToken.TypeOK && token == ""):
		f.Add("public_token", "is required")
	case !b.PublicToken.TypeOK:
		f.Add("public_token", "must be a string")
	}
	if err := f.Err(); err != nil {
		return err
	}
	c, err := s.ThreeDS.SetPlan(r.Context(), p.UserID, token, plan)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "Card 3DS authentication plan updated successfully", struct {
		PublicToken string `json:"public_token"`
		RequestID   string `json:"request_id"`
		Plan        string `json:"three_ds_auth_plan"`
	}{c.PublicToken, httpkit.RequestID(r.Context()), c.ThreeDSPlan}))
	return nil
}

// threeDSWebhook serves POST /webhooks/3ds-callback: the configured
// authenticator over the raw body, then the inbox; the issuer expects a
// plain "ok".
func (s *Server) threeDSWebhook(w http.ResponseWriter, r *http.Request) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	d := webhooksig.ThreeDSDelivery{Header: r.Header, Body: raw, ClientIP: s.clientIP(r)}
	if err := s.threeDSAuthenticator().Authenticate(d); err != nil {
		s.log.WarnContext(r.Context(), "3ds webhook rejected", "request_id", httpkit.RequestID(r.Context()), "reason", err.Error())
		return errThreeDSUnauthenticated
	}
	if _, err := s.storeThreeDS(r.Context(), raw); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok"))
	return nil
}

var errThreeDSUnauthenticated = apperr.New("SIGNATURE_INVALID").WithDetails("The delivery's signature or credentials are invalid")

// threeDSAuthenticator is the configured scheme, or the shared-secret HMAC
// of API.md §2.11.4 (current and previous secret) when none is configured.
func (s *Server) threeDSAuthenticator() webhooksig.ThreeDSAuthenticator {
	if s.ThreeDSAuth != nil {
		return s.ThreeDSAuth
	}
	return threeDSSecrets{s.ThreeDSWebhookSecret, s.ThreeDSWebhookPreviousSecret}
}

// threeDSSecrets is the HMAC scheme over the configured secrets; unlike
// webhooksig.NewThreeDSHMAC it needs no constructor, so a server built
// without an authenticator keeps today's behaviour (an empty secret
// accepts nothing).
type threeDSSecrets [2]string

func (k threeDSSecrets) Authenticate(d webhooksig.ThreeDSDelivery) error {
	if !webhooksig.VerifyThreeDS(d.Header.Get("X-Signature"), d.Body, k[0], k[1]) {
		return webhooksig.ErrThreeDSUnauthenticated
	}
	return nil
}

// acceptThreeDS verifies a delivery signed like the HMAC scheme (the
// sandbox simulator's, which cannot sign like the other schemes) and
// stores it.
func (s *Server) acceptThreeDS(ctx context.Context, signature string, raw []byte) (int64, error) {
	if !webhooksig.VerifyThreeDS(signature, raw, s.ThreeDSWebhookSecret, s.ThreeDSWebhookPreviousSecret) {
		s.log.WarnContext(ctx, "3ds webhook rejected: bad signature", "request_id", httpkit.RequestID(ctx))
		return 0, errThreeDSUnauthenticated
	}
	return s.storeThreeDS(ctx, raw)
}

// storeThreeDS stores one authenticated challenge and returns its inbox id.
// The stored payload carries the passcode sealed (threeds.Service.Inbound).
func (s *Server) storeThreeDS(ctx context.Context, raw []byte) (int64, error) {
	if err := httpkit.UniqueNames(raw); err != nil {
		return 0, err
	}
	key, stored, err := s.ThreeDS.Inbound(raw)
	if err != nil {
		return 0, err
	}
	id, _, err := s.Inbox.Receive(ctx, s.Jobs, "3ds", key, stored)
	return id, err
}
