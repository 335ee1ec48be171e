package httpapi

import (
	"net/http"
	"strings"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// Card secrets (API.md §2.6): the values pass through these handlers from the
// issuer to the cardholder and are never logged; every response says
// no-store, set here as well as globally so a change to the shared
// middleware cannot make a card number cacheable.

func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// secretClient is the audit's view of where a request came from.
func (s *Server) secretClient(r *http.Request, p account.Principal) card.Client {
	return card.Client{IP: s.clientIP(r), UserAgent: r.UserAgent(), SessionID: p.SessionID}
}

// cardCVV serves GET /card/cvv (envelope B with a top-level request_id).
func (s *Server) cardCVV(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	noStore(w)
	token := strings.TrimSpace(r.URL.Query().Get("public_token"))
	if token == "" {
		return apperr.Validation(map[string]string{"public_token": "is required"})
	}
	sec, err := s.CardSecrets.Reveal(r.Context(), p.UserID, token, card.AuditCVV, s.secretClient(r, p))
	if err != nil {
		return err
	}
	type cvvJSON struct {
		CVV          string `json:"cvv"`
		ResultStatus string `json:"result_status"`
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		RequestID string  `json:"request_id"`
		Data      cvvJSON `json:"data"`
	}{httpkit.OKA(r, "CVV retrieved successfully"), httpkit.RequestID(r.Context()), cvvJSON{sec.CVV.Value(), "Success"}})
	return nil
}

// cardFullNumber serves POST /card/full-number.
func (s *Server) cardFullNumber(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	noStore(w)
	var b struct {
		PublicToken *string `json:"public_token"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	token := f.Required("public_token", b.PublicToken)
	if err := f.Err(); err != nil {
		return err
	}
	sec, err := s.CardSecrets.Reveal(r.Context(), p.UserID, token, card.AuditFullNumber, s.secretClient(r, p))
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "Full card number retrieved successfully", struct {
		PublicToken string `json:"public_token"`
		CardNumber  string `json:"card_number"`
		CVV         string `json:"cvv"`
		CardExpiry  string `json:"card_expiry"`
	}{token, sec.PAN.Value(), sec.CVV.Value(), sec.Expiry}))
	return nil
}

// sendCardPINCode serves POST /card/{publicToken}/pin/code/send (family C).
func (s *Server) sendCardPINCode(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		Purpose *string `json:"purpose"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	raw := f.Required("purpose", b.Purpose)
	purpose, ok := card.ParsePINPurpose(raw)
	if raw != "" && !ok {
		f.Add("purpose", "must be card_pin_query or card_pin_activate")
	}
	if err := f.Err(); err != nil {
		return err
	}
	res, err := s.CardSecrets.SendPINCode(r.Context(), p.UserID, r.PathValue("publicToken"), purpose)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKC(r, "OTP sent", struct {
		PublicToken  string `json:"public_token"`
		Purpose      string `json:"purpose"`
		Sent         bool   `json:"sent"`
		ExpiresInSec int    `json:"expires_in_sec"`
		OTP          string `json:"otp,omitempty"`
	}{res.PublicToken, string(res.Purpose), true, int(res.ExpiresIn.Seconds()), res.OTP}))
	return nil
}

// getCardPIN serves GET /card/{publicToken}/pin?otp_code= (family C).
func (s *Server) getCardPIN(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	noStore(w)
	f := httpkit.NewFields()
	var raw *string
	if q := r.URL.Query(); q.Has("otp_code") {
		v := q.Get("otp_code")
		raw = &v
	}
	code := otpCodeField(f, "otp_code", raw)
	if err := f.Err(); err != nil {
		return err
	}
	pin, err := s.CardSecrets.PIN(r.Context(), p.UserID, r.PathValue("publicToken"), code, s.secretClient(r, p))
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKC(r, "PIN retrieved successfully", struct {
		PIN string `json:"pin"`
	}{pin.Value()}))
	return nil
}

// setCardPIN serves POST /card/{publicToken}/pin (family C).
func (s *Server) setCardPIN(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	noStore(w)
	var b struct {
		PIN     *string `json:"pin"`
		OTPCode *string `json:"otp_code"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	pin := f.Secret("pin", b.PIN)
	if pin != "" && !card.ValidPIN(pin) {
		f.Add("pin", "must be 4–6 digits")
	}
	code := otpCodeField(f, "otp_code", b.OTPCode)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.CardSecrets.SetPIN(r.Context(), p.UserID, r.PathValue("publicToken"), card.Revealed(pin), code, s.secretClient(r, p)); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKC(r, "PIN set successfully", nil))
	return nil
}
