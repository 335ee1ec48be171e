package httpapi

import (
	"net/http"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// emailField parses a required e-mail field.
func emailField(f httpkit.Fields, name string, v *string) string {
	raw := f.Required(name, v)
	if raw == "" {
		return ""
	}
	e, ok := account.ParseEmail(raw)
	if !ok {
		f.Add(name, "must be a valid e-mail address of at most 254 characters")
	}
	return e
}

// otpCode parses a required 5-digit code.
func otpCodeField(f httpkit.Fields, name string, v *string) string {
	c := f.Secret(name, v)
	if c != "" && !account.IsOTPFormat(c, 5) {
		f.Add(name, "must be 5 digits")
	}
	return c
}

type emailBody struct {
	Email *string `json:"email"`
}

type emailOTPBody struct {
	Email   *string `json:"email"`
	OTPCode *string `json:"otp_code"`
}

type signupBody struct {
	Email        *string `json:"email"`
	ReferralCode *string `json:"referral_code"`
	OTPCode      *string `json:"otp_code"`
	Password     *string `json:"password"`
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	var b signupBody
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email := emailField(f, "email", b.Email)
	if err := f.Err(); err != nil {
		return err
	}
	res, err := s.Accounts.Signup(r.Context(), email, httpkit.Optional(b.ReferralCode))
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Email string `json:"email"`
		OTP   string `json:"otp,omitempty"`
	}{httpkit.OKA(r, "OTP sent to your email. Please verify to continue registration."), res.Email, res.OTP})
	return nil
}

func (s *Server) verifySignup(w http.ResponseWriter, r *http.Request) error {
	var b signupBody
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email, code := emailField(f, "email", b.Email), otpCodeField(f, "otp_code", b.OTPCode)
	if err := f.Err(); err != nil {
		return err
	}
	ref, err := s.Accounts.VerifySignup(r.Context(), email, code, httpkit.Optional(b.ReferralCode))
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Email        string `json:"email"`
		NextStep     string `json:"next_step"`
		ReferralCode string `json:"referral_code"`
	}{httpkit.OKA(r, "Email verified successfully. Please set your password to complete registration."), email, "set_password", ref})
	return nil
}

func (s *Server) setPassword(w http.ResponseWriter, r *http.Request) error {
	var b signupBody
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email, password := emailField(f, "email", b.Email), f.Secret("password", b.Password)
	if err := f.Err(); err != nil {
		return err
	}
	reg, err := s.Accounts.SetPassword(r.Context(), email, password, httpkit.Optional(b.ReferralCode), s.clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		NextStep     string   `json:"next_step"`
		AccessToken  string   `json:"access_token"`
		RefreshToken string   `json:"refresh_token"`
		User         userJSON `json:"user"`
	}{httpkit.OKA(r, "Registration completed successfully. Please complete your profile."), "complete_profile",
		reg.Tokens.AccessToken, reg.Tokens.RefreshToken, toUserJSON(reg.Profile)})
	return nil
}

func (s *Server) resendOTP(w http.ResponseWriter, r *http.Request) error {
	var b emailBody
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email := emailField(f, "email", b.Email)
	if err := f.Err(); err != nil {
		return err
	}
	res, err := s.Accounts.ResendOTP(r.Context(), email)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		OTP string `json:"otp,omitempty"`
	}{httpkit.OKA(r, "New OTP sent to your email"), res.OTP})
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var b signupBody
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email, password := emailField(f, "email", b.Email), f.Secret("password", b.Password)
	if err := f.Err(); err != nil {
		return err
	}
	res, err := s.Accounts.Login(r.Context(), email, password, s.clientIP(r))
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		NextStep string `json:"next_step"`
		Email    string `json:"email"`
		Name     string `json:"name"`
		OTP      string `json:"otp,omitempty"`
	}{httpkit.OKA(r, "OTP sent to your email. Please verify to log in."), "verify_login_otp", res.Email, res.Name, res.OTP})
	return nil
}

// verifyOTPNoop is the compatibility no-op of API.md §2.1: the client calls
// it after login; it must not touch the login code.
func (s *Server) verifyOTPNoop(w http.ResponseWriter, r *http.Request) error {
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKA(r, "OK"))
	return nil
}

func (s *Server) verifyLoginOTP(w http.ResponseWriter, r *http.Request) error {
	var b emailOTPBody
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email, code := emailField(f, "email", b.Email), otpCodeField(f, "otp_code", b.OTPCode)
	if err := f.Err(); err != nil {
		return err
	}
	res, err := s.Accounts.VerifyLogin(r.Context(), email, code, s.clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		AccessToken  string   `json:"access_token"`
		RefreshToken string   `json:"refresh_token"`
		User         userJSON `json:"user"`
	}{httpkit.OKA(r, "Login successful"), res.Tokens.AccessToken, res.Tokens.RefreshToken, toUserJSON(res.Profile)})
	return nil
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		RefreshToken *string `json:"refresh_token"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	// Every refresh failure is 401: the client logs out on it and keeps its
	// tokens on anything else.
	if b.RefreshToken == nil || *b.RefreshToken == "" {
		return apperr.New(apperr.CodeUnauthorized).WithDetails("refresh_token is required")
	}
	pair, err := s.Accounts.Refresh(r.Context(), *b.RefreshToken)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}{httpkit.OKA(r, "Token refreshed"), pair.AccessToken, pair.RefreshToken})
	return nil
}

func (s *Server) forgotPassword(w http.ResponseWriter, r *http.Request) error {
	var b emailBody
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email := emailField(f, "email", b.Email)
	if err := f.Err(); err != nil {
		return err
	}
	res, err := s.Accounts.ForgotPassword(r.Context(), email)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Email string `json:"email"`
		Name  string `json:"name"`
		OTP   string `json:"otp,omitempty"`
	}{httpkit.OKA(r, "OTP sent to your email. Please verify to reset your password."), res.Email, res.Name, res.OTP})
	return nil
}

func (s *Server) verifyForgotPasswordOTP(w http.ResponseWriter, r *http.Request) error {
	var b emailOTPBody
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email, code := emailField(f, "email", b.Email), otpCodeField(f, "otp_code", b.OTPCode)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.Accounts.VerifyResetCode(r.Context(), email, code); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Email    string `json:"email"`
		NextStep string `json:"next_step"`
	}{httpkit.OKA(r, "OTP verified. Please set a new password."), email, "reset_password"})
	return nil
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Email           *string `json:"email"`
		OTPCode         *string `json:"otp_code"`
		NewPassword     *string `json:"new_password"`
		ConfirmPassword *string `json:"confirm_password"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	email, code := emailField(f, "email", b.Email), otpCodeField(f, "otp_code", b.OTPCode)
	pw, confirm := f.Secret("new_password", b.NewPassword), f.Secret("confirm_password", b.ConfirmPassword)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.Accounts.ResetPassword(r.Context(), email, code, pw, confirm); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKA(r, "Password reset successfully"))
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	// The optional body (tokens the client sends along) is ignored, but it
	// must still be well-formed JSON.
	var ignored struct{}
	if err := httpkit.Decode(r, &ignored); err != nil {
		return err
	}
	if err := s.Accounts.Logout(r.Context(), p); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKA(r, "Logged out successfully"))
	return nil
}
