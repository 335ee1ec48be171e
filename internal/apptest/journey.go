package apptest

import (
	"net/http"
	"testing"
)

// Password is a password that meets the policy.
const Password = "Str0ng!Passw0rd"

// Account is a registered user and its tokens.
type Account struct {
	ID      int64
	Email   string
	Access  string
	Refresh string
}

// Register runs signup → verify → set-password for email and returns the
// new account. It relies on the sandbox OTP echo.
func (h *Harness) Register(t testing.TB, email string) Account {
	t.Helper()
	return h.RegisterWithReferral(t, email, "")
}

// RegisterWithReferral registers email with a referral code.
func (h *Harness) RegisterWithReferral(t testing.TB, email, referral string) Account {
	t.Helper()
	sent := len(h.App.Outbox.To(email))
	res := h.Do(http.MethodPost, "/api/v1/auth/signup", map[string]string{"email": email, "referral_code": referral}).Expect(t, 200, "")
	code := h.code(t, res, email, sent)
	h.Do(http.MethodPost, "/api/v1/auth/verify", map[string]string{"email": email, "otp_code": code}).Expect(t, 200, "")
	res = h.Do(http.MethodPost, "/api/v1/auth/set-password", map[string]string{"email": email, "password": Password}).Expect(t, 200, "")
	user, _ := res.JSON["user"].(map[string]any)
	id, _ := user["id"].(float64)
	return Account{ID: int64(id), Email: email, Access: res.Str(t, "access_token"), Refresh: res.Str(t, "refresh_token")}
}

// Login runs login → verify-login-otp and returns fresh tokens.
func (h *Harness) Login(t testing.TB, email, password string) Account {
	t.Helper()
	sent := len(h.App.Outbox.To(email))
	res := h.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": email, "password": password}).Expect(t, 200, "")
	code := h.code(t, res, email, sent)
	res = h.Do(http.MethodPost, "/api/v1/auth/verify-login-otp", map[string]string{"email": email, "otp_code": code}).Expect(t, 200, "")
	user, _ := res.JSON["user"].(map[string]any)
	id, _ := user["id"].(float64)
	return Account{ID: int64(id), Email: email, Access: res.Str(t, "access_token"), Refresh: res.Str(t, "refresh_token")}
}

// TxPassword is the transaction password SetTxPassword sets.
const TxPassword = "135790"

// SetTxPassword gives the account the transaction password TxPassword.
func (h *Harness) SetTxPassword(t testing.TB, acc Account) {
	t.Helper()
	sent := len(h.App.Outbox.To(acc.Email))
	res := h.Do(http.MethodPost, "/api/v1/user/transaction-password/request",
		map[string]string{"transaction_password": TxPassword, "confirm_transaction_password": TxPassword}, Bearer(acc.Access)).Expect(t, 200, "")
	h.Do(http.MethodPost, "/api/v1/user/transaction-password/complete",
		map[string]string{"otp_code": h.code(t, res, acc.Email, sent), "temp_hash": res.Str(t, "temp_hash")}, Bearer(acc.Access)).Expect(t, 200, "")
}

// Deposit credits amount of currency to the account through the sandbox
// custody callback.
func (h *Harness) Deposit(t testing.TB, acc Account, currency, amount string) {
	t.Helper()
	h.Do(http.MethodPost, "/api/v1/sandbox/deposits", map[string]any{"currency": currency, "amount": amount, "user_id": acc.ID}).Expect(t, 200, "")
}

// code returns the one-time code a response caused: the sandbox echo, or in
// production mode the code of the next e-mail to addr after the first sent.
func (h *Harness) code(t testing.TB, res *Response, addr string, sent int) string {
	t.Helper()
	if otp, ok := res.JSON["otp"].(string); ok {
		return otp
	}
	return h.Outbox(addr, sent+1)[0].OTP
}
