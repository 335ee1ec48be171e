package sandboxapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/threeds"
)

// ThreeDSSimulator is the simulated issuer raising 3DS challenges.
type ThreeDSSimulator interface {
	// NewChallenge returns the signed-to-be webhook body of a challenge,
	// its NotificationId and, for OTP, the passcode.
	NewChallenge(c threeds.ChallengeSpec) (body []byte, notificationID, passcode string, err error)
}

// ThreeDSChallenge serves POST /sandbox/cards/{public_token}/3ds: the
// simulated issuer raises a challenge, which is signed and delivered
// through the webhook path and processed before the answer.
func (s *Helpers) ThreeDSChallenge(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		AuthMethod   *string            `json:"auth_method"`
		Amount       httpkit.FlexNumber `json:"amount"`
		Currency     *string            `json:"currency"`
		MerchantName *string            `json:"merchant_name"`
		ExpiresAfter *int               `json:"expires_after"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	method := threeds.Method(strings.ToUpper(f.Required("auth_method", b.AuthMethod)))
	if method != "" && method != threeds.MethodOTP && method != threeds.MethodBIO {
		f.Add("auth_method", "must be OTP or BIO")
	}
	code := httpkit.Optional(b.Currency)
	if code == "" {
		code = "HKD"
	}
	cur, ok := threeds.LookupCurrency(code)
	if !ok {
		f.Add("currency", "must be a known ISO 4217 alpha or numeric code")
	}
	amount := "100.00"
	if b.Amount.Present {
		a := f.Amount("amount", b.Amount, cur.Exponent)
		amount = a.Format(cur.Exponent)
	}
	merchant := httpkit.Optional(b.MerchantName)
	if merchant == "" {
		merchant = "Sandbox Merchant"
	}
	if len([]rune(merchant)) > 100 {
		f.Add("merchant_name", "must be at most 100 characters")
	}
	expires := 300
	if b.ExpiresAfter != nil {
		expires = *b.ExpiresAfter
	}
	if expires < 1 || expires > 3600 {
		f.Add("expires_after", "must be 1–3600 seconds")
	}
	if err := f.Err(); err != nil {
		return err
	}
	token := r.PathValue("public_token")
	if _, err := strconv.ParseUint(token, 10, 64); err != nil {
		return card.ErrCardNotFound.WithDetails("No such card")
	}
	body, notificationID, passcode, err := s.Sim.ThreeDS.NewChallenge(threeds.ChallengeSpec{PublicToken: token,
		BIO: method == threeds.MethodBIO, Amount: threeds.FormatAmount(amount, cur.Exponent), Currency: cur,
		MerchantName: merchant, ExpiresAfter: expires})
	if err != nil {
		return err
	}
	ctx := r.Context()
	eventID, err := s.Host.AcceptThreeDS(ctx, webhooksig.SignThreeDS(s.ThreeDSWebhookSecret, body), body)
	if err == nil {
		err = s.Inbox.Process(ctx, eventID)
	}
	if err != nil {
		return err
	}
	recordID, found, err := s.ThreeDS.RecordID(ctx, notificationID)
	if err != nil {
		return err
	}
	if !found {
		return card.ErrCardNotFound.WithDetails("No card has this public_token; the challenge is stored as unmatched")
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		NotificationID string `json:"notification_id"`
		RecordID       int64  `json:"record_id"`
		Passcode       string `json:"passcode,omitempty"`
	}{notificationID, recordID, passcode}))
	return nil
}
