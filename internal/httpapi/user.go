package httpapi

import (
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// userJSON is the User object of API.md §2.1; its types are strict.
type userJSON struct {
	ID               int64   `json:"id"`
	Email            string  `json:"email"`
	FirstName        *string `json:"first_name"`
	LastName         *string `json:"last_name"`
	Phone            *string `json:"phone"`
	AccountType      string  `json:"account_type"`
	Status           string  `json:"status"`
	WalletID         string  `json:"wallet_id"`
	KYCLevel         int     `json:"kyc_level"`
	KYCStatus        string  `json:"kyc_status"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
	ReferralCode     string  `json:"referral_code"`
	ReferredBy       *int64  `json:"referred_by"`
	DateOfBirth      *string `json:"date_of_birth"`
	IsActive         bool    `json:"is_active"`
	TwoFactorEnabled bool    `json:"two_factor_enabled"`
	Address          *string `json:"address"`
	AreaCode         *string `json:"area_code"`
	BillCountryCode  *string `json:"bill_country_code"`
	City             *string `json:"city"`
	PostCode         *string `json:"post_code"`
	State            *string `json:"state"`
}

func rfc3339(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

func toUserJSON(p account.Profile) userJSON {
	return userJSON{
		ID: p.ID, Email: p.Email, FirstName: p.FirstName, LastName: p.LastName, Phone: p.Phone,
		AccountType: p.AccountType, Status: string(p.Status), WalletID: p.WalletID,
		KYCLevel: p.KYCLevel, KYCStatus: string(p.KYCStatus),
		CreatedAt: rfc3339(p.CreatedAt), UpdatedAt: rfc3339(p.UpdatedAt),
		ReferralCode: p.ReferralCode, ReferredBy: p.ReferredBy, DateOfBirth: p.DateOfBirth,
		IsActive: p.Status != account.StatusDeactivated, TwoFactorEnabled: true,
		Address: p.Address, AreaCode: p.AreaCode, BillCountryCode: p.BillCountryCode,
		City: p.City, PostCode: p.PostCode, State: p.State,
	}
}

type profileResponse struct {
	httpkit.EnvelopeA
	User userJSON `json:"user"`
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	prof, err := s.Accounts.ProfileOf(r.Context(), p)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, profileResponse{httpkit.OKA(r, "Profile retrieved successfully"), toUserJSON(prof)})
	return nil
}

func (s *Server) putProfile(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	// phone and referral_code are accepted and ignored (API.md §2.2): they are
	// simply not fields of this body.
	var b struct {
		FirstName       *string `json:"first_name"`
		LastName        *string `json:"last_name"`
		DateOfBirth     *string `json:"date_of_birth"`
		AccountType     *string `json:"account_type"`
		Address         *string `json:"address"`
		City            *string `json:"city"`
		State           *string `json:"state"`
		PostCode        *string `json:"post_code"`
		AreaCode        *string `json:"area_code"`
		BillCountryCode *string `json:"bill_country_code"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	upd, err := s.Accounts.ParseProfileUpdate(account.ProfileInput{
		FirstName: b.FirstName, LastName: b.LastName, DateOfBirth: b.DateOfBirth, AccountType: b.AccountType,
		Address: b.Address, City: b.City, State: b.State, PostCode: b.PostCode, AreaCode: b.AreaCode, Bill: b.BillCountryCode,
	})
	if err != nil {
		return err
	}
	prof, err := s.Accounts.UpdateProfile(r.Context(), p, upd)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, profileResponse{httpkit.OKA(r, "Profile updated successfully"), toUserJSON(prof)})
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		OldPassword     *string `json:"old_password"`
		NewPassword     *string `json:"new_password"`
		ConfirmPassword *string `json:"confirm_password"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	old, pw, confirm := f.Secret("old_password", b.OldPassword), f.Secret("new_password", b.NewPassword), f.Secret("confirm_password", b.ConfirmPassword)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.Accounts.ChangePassword(r.Context(), p, old, pw, confirm); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKA(r, "Password changed successfully"))
	return nil
}

type changeBody struct {
	NewEmail    *string `json:"new_email"`
	NewPhone    *string `json:"new_phone"`
	OTPCode     *string `json:"otp_code"`
	OldEmailOTP *string `json:"old_email_otp"`
	EmailOTP    *string `json:"email_otp"`
}

// phone parses a required phone number.
func phoneField(f httpkit.Fields, name string, v *string) string {
	raw := f.Required(name, v)
	if raw == "" {
		return ""
	}
	p, ok := account.ParsePhone(raw)
	if !ok {
		f.Add(name, "must be an optional + and 6–20 digits")
	}
	return p
}

// parseChange decodes a change-flow body and returns the parsed target and
// code; codeField names the code field ("" when the step sends a code).
func (s *Server) parseChange(r *http.Request, targetField, codeField string) (target, code string, err error) {
	var b changeBody
	if err := httpkit.Decode(r, &b); err != nil {
		return "", "", err
	}
	f := httpkit.NewFields()
	switch targetField {
	case "new_email":
		target = emailField(f, targetField, b.NewEmail)
	case "new_phone":
		target = phoneField(f, targetField, b.NewPhone)
	}
	switch codeField {
	case "otp_code":
		code = otpCodeField(f, codeField, b.OTPCode)
	case "old_email_otp":
		code = otpCodeField(f, codeField, b.OldEmailOTP)
	case "email_otp":
		code = otpCodeField(f, codeField, b.EmailOTP)
	}
	return target, code, f.Err()
}

func (s *Server) changeEmailRequest(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	target, _, err := s.parseChange(r, "new_email", "")
	if err == nil {
		var res account.CodeSent
		if res, err = s.Accounts.RequestEmailChange(r.Context(), p, target); err == nil {
			httpkit.WriteJSON(w, http.StatusOK, struct {
				httpkit.EnvelopeA
				NewEmail string `json:"new_email"`
				NextStep string `json:"next_step"`
				OTP      string `json:"otp,omitempty"`
			}{httpkit.OKA(r, "OTP sent to your new email"), target, "verify_new_email", res.OTP})
			return nil
		}
	}
	return err
}

func (s *Server) changeEmailVerifyNew(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	target, code, err := s.parseChange(r, "new_email", "otp_code")
	if err == nil {
		var res account.CodeSent
		if res, err = s.Accounts.VerifyNewEmail(r.Context(), p, target, code); err == nil {
			httpkit.WriteJSON(w, http.StatusOK, struct {
				httpkit.EnvelopeA
				CurrentEmail string `json:"current_email"`
				NextStep     string `json:"next_step"`
				OTP          string `json:"otp,omitempty"`
			}{httpkit.OKA(r, "New email verified. OTP sent to your current email"), res.To, "verify_old_email", res.OTP})
			return nil
		}
	}
	return err
}

func (s *Server) changeEmailComplete(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	target, code, err := s.parseChange(r, "new_email", "old_email_otp")
	if err == nil {
		if err = s.Accounts.CompleteEmailChange(r.Context(), p, target, code); err == nil {
			httpkit.WriteJSON(w, http.StatusOK, struct {
				httpkit.EnvelopeA
				NewEmail string `json:"new_email"`
			}{httpkit.OKA(r, "Email changed successfully"), target})
			return nil
		}
	}
	return err
}

func (s *Server) changePhoneRequest(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	target, _, err := s.parseChange(r, "new_phone", "")
	if err == nil {
		var res account.CodeSent
		if res, err = s.Accounts.RequestPhoneChange(r.Context(), p, target); err == nil {
			httpkit.WriteJSON(w, http.StatusOK, struct {
				httpkit.EnvelopeA
				NewPhone string `json:"new_phone"`
				NextStep string `json:"next_step"`
				OTP      string `json:"otp,omitempty"`
			}{httpkit.OKA(r, "OTP sent"), target, "verify_new_phone", res.OTP})
			return nil
		}
	}
	return err
}

func (s *Server) changePhoneVerifyNew(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	target, code, err := s.parseChange(r, "new_phone", "otp_code")
	if err == nil {
		var res account.CodeSent
		if res, err = s.Accounts.VerifyNewPhone(r.Context(), p, target, code); err == nil {
			httpkit.WriteJSON(w, http.StatusOK, struct {
				httpkit.EnvelopeA
				Email    string `json:"email"`
				NextStep string `json:"next_step"`
				OTP      string `json:"otp,omitempty"`
			}{httpkit.OKA(r, "Phone verified. OTP sent to your email"), res.To, "verify_email", res.OTP})
			return nil
		}
	}
	return err
}

func (s *Server) changePhoneComplete(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	target, code, err := s.parseChange(r, "new_phone", "email_otp")
	if err == nil {
		if err = s.Accounts.CompletePhoneChange(r.Context(), p, target, code); err == nil {
			httpkit.WriteJSON(w, http.StatusOK, struct {
				httpkit.EnvelopeA
				Phone string `json:"phone"`
			}{httpkit.OKA(r, "Phone number updated successfully"), target})
			return nil
		}
	}
	return err
}

func (s *Server) txPasswordStatus(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	set, err := s.Accounts.TxPasswordSet(r.Context(), p)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		IsSet bool `json:"is_set"`
	}{httpkit.OKA(r, "Transaction password status retrieved successfully"), set})
	return nil
}

func (s *Server) txPasswordRequest(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		Password *string `json:"transaction_password"`
		Confirm  *string `json:"confirm_transaction_password"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	pw, confirm := f.Secret("transaction_password", b.Password), f.Secret("confirm_transaction_password", b.Confirm)
	if err := f.Err(); err != nil {
		return err
	}
	res, err := s.Accounts.RequestTxPassword(r.Context(), p, pw, confirm)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Email    string `json:"email"`
		NextStep string `json:"next_step"`
		TempHash string `json:"temp_hash"`
		OTP      string `json:"otp,omitempty"`
	}{httpkit.OKA(r, "OTP sent to your email. Please verify to set your transaction password."), res.Email,
		"verify_transaction_password_otp", res.TempHash, res.OTP})
	return nil
}

func (s *Server) txPasswordComplete(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		OTPCode  *string `json:"otp_code"`
		TempHash *string `json:"temp_hash"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	code, handle := otpCodeField(f, "otp_code", b.OTPCode), f.Secret("temp_hash", b.TempHash)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.Accounts.CompleteTxPassword(r.Context(), p, code, handle); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKA(r, "Transaction password set successfully"))
	return nil
}

func (s *Server) deactivateRequest(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	res, err := s.Accounts.RequestDeactivation(r.Context(), p)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Email    string `json:"email"`
		NextStep string `json:"next_step"`
		OTP      string `json:"otp,omitempty"`
	}{httpkit.OKA(r, "OTP sent to your email. Please verify to deactivate your account."), res.To, "confirm_deactivation", res.OTP})
	return nil
}

func (s *Server) deactivate(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		OTPCode *string `json:"otp_code"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	code := otpCodeField(f, "otp_code", b.OTPCode)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.Accounts.Deactivate(r.Context(), p, code); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKA(r, "Your account has been deactivated"))
	return nil
}
