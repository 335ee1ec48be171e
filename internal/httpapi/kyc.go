package httpapi

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

var (
	digitsRE = regexp.MustCompile(`^[0-9]+$`)
	alpha2   = regexp.MustCompile(`^[A-Z]{2}$`)
)

// initializeKYC serves POST /didit/initialize-token.
func (s *Server) initializeKYC(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var raw struct {
		First    *string `json:"first_en_name"`
		Last     *string `json:"last_en_name"`
		Country  *string `json:"bill_country_code"`
		Area     *string `json:"area_code"`
		Phone    *string `json:"phone"`
		Address  *string `json:"address"`
		City     *string `json:"city"`
		State    *string `json:"state"`
		PostCode *string `json:"post_code"`
		AgentUID *string `json:"agent_uid"`
	}
	if err := httpkit.Decode(r, &raw); err != nil {
		return err
	}
	f := httpkit.NewFields()
	id := kyc.Identity{
		FirstName: f.Required("first_en_name", raw.First), LastName: f.Required("last_en_name", raw.Last),
		BillCountry: strings.ToUpper(f.Required("bill_country_code", raw.Country)),
		AreaCode:    strings.TrimPrefix(f.Required("area_code", raw.Area), "+"),
		Phone:       f.Required("phone", raw.Phone), Address: f.Required("address", raw.Address),
		City: f.Required("city", raw.City), State: httpkit.Optional(raw.State), PostCode: f.Required("post_code", raw.PostCode),
	}
	check := func(name, v string, ok bool, reason string) {
		if v != "" && !ok {
			f.Add(name, reason)
		}
	}
	check("first_en_name", id.FirstName, kyc.ValidName(id.FirstName), "must be 1–50 upper-case Latin letters and spaces")
	check("last_en_name", id.LastName, kyc.ValidName(id.LastName), "must be 1–50 upper-case Latin letters and spaces")
	check("bill_country_code", id.BillCountry, alpha2.MatchString(id.BillCountry), "must be an ISO 3166-1 alpha-2 code")
	check("area_code", id.AreaCode, digitsRE.MatchString(id.AreaCode) && len(id.AreaCode) <= 4, "must be 1–4 digits")
	check("phone", id.Phone, digitsRE.MatchString(id.Phone) && len(id.Phone) >= 4 && len(id.Phone) <= 20, "must be 4–20 digits")
	check("address", id.Address, len([]rune(id.Address)) <= 200, "must be at most 200 characters")
	check("city", id.City, len([]rune(id.City)) <= 64, "must be at most 64 characters")
	check("post_code", id.PostCode, len(id.PostCode) <= 16, "must be at most 16 characters")
	if len([]rune(id.State)) > 64 {
		f.Add("state", "must be at most 64 characters")
	}
	agent := httpkit.Optional(raw.AgentUID)
	if len(agent) > 100 {
		f.Add("agent_uid", "must be at most 100 characters")
	}
	if err := f.Err(); err != nil {
		return err
	}
	rec, err := s.KYC.Initialize(r.Context(), kyc.InitInput{UserID: p.UserID, Email: p.Email, Identity: id, AgentUID: agent,
		Language: httpkit.Lang(r).String()})
	if err != nil {
		return err
	}
	type tokenData struct {
		SessionID string `json:"session_id"`
		URL       string `json:"url"`
	}
	type token struct {
		Code      int       `json:"code"`
		Errstr    string    `json:"errstr"`
		RequestID string    `json:"request_id"`
		Data      tokenData `json:"data"`
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		DiditToken     token  `json:"didit_token"`
		UserKYCID      int64  `json:"user_kyc_id"`
		VerificationID string `json:"verification_id"`
	}{httpkit.OKA(r, "KYC session created"), token{200, "SUCCESS", httpkit.RequestID(r.Context()), tokenData{rec.SessionID, rec.SessionURL}},
		rec.ID, rec.SessionID})
	return nil
}

type latestKYCJSON struct {
	ID            int64            `json:"id"`
	AgentUID      string           `json:"agent_uid"`
	Status        kyc.RecordStatus `json:"status"`
	PokepayStatus int              `json:"pokepay_status"`
	FailReason    string           `json:"fail_reason"`
	CreatedAt     string           `json:"created_at"`
	UpdatedAt     string           `json:"updated_at"`
}

// kycStatus serves GET /didit/status.
func (s *Server) kycStatus(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	v, err := s.KYC.Status(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	lang := httpkit.Lang(r)
	var message string
	switch v.UserStatus {
	case kyc.UserPending:
		message = i18n.Text(lang, "KYC is under review")
	case kyc.UserVerified:
		message = i18n.Text(lang, "KYC approved, no need to resubmit")
	case kyc.UserRejected:
		message = i18n.Text(lang, "KYC rejected") + ": " + v.RejectReason + ". " + i18n.Text(lang, "You can resubmit.")
	default:
		message = i18n.Text(lang, "KYC not submitted")
	}
	var latest *latestKYCJSON
	if v.Latest != nil {
		l := v.Latest
		latest = &latestKYCJSON{l.ID, l.AgentUID, l.Status, l.PokepayStatus, l.FailReason, rfc3339(l.CreatedAt), rfc3339(l.UpdatedAt)}
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		Status        string         `json:"status"`
		Message       string         `json:"message"`
		UserKYCStatus kyc.UserStatus `json:"user_kyc_status"`
		CanSubmitKYC  bool           `json:"can_submit_kyc"`
		LatestKYC     *latestKYCJSON `json:"latest_kyc"`
	}{"success", message, v.UserStatus, v.CanSubmit, latest})
	return nil
}

// kycWebhook serves POST /webhooks/kyc, Didit's delivery: the body's own
// timestamp (fresh, and equal to X-Timestamp) and X-Signature over the raw
// body or, when a hop re-encoded it, X-Signature-V2 over its canonical form
// (webhooksig.VerifyKYC); then the inbox.
func (s *Server) kycWebhook(w http.ResponseWriter, r *http.Request) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	if _, err := s.acceptKYC(r.Context(), webhooksig.KYCHeadersFrom(r.Header), raw); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]string{"status": "success"})
	return nil
}

// acceptKYC verifies and stores one KYC delivery and returns its inbox id.
func (s *Server) acceptKYC(ctx context.Context, headers webhooksig.KYCHeaders, raw []byte) (int64, error) {
	if err := webhooksig.VerifyKYC(headers, raw, time.Now(), s.KYCWebhookSecret, s.KYCWebhookPreviousSecret); err != nil {
		s.log.WarnContext(ctx, "kyc webhook rejected", "reason", err.Error(), "request_id", httpkit.RequestID(ctx))
		return 0, apperr.New("SIGNATURE_INVALID").WithDetails("X-Signature or X-Timestamp is invalid")
	}
	if err := httpkit.UniqueNames(raw); err != nil {
		return 0, err
	}
	ev, err := kyc.ParseProviderEvent(raw)
	if err != nil {
		return 0, apperr.Validation(map[string]string{"session_id": "session_id and status are required"})
	}
	id, _, err := s.Inbox.Receive(ctx, s.Jobs, "kyc", ev.EventKey(), raw)
	return id, err
}
