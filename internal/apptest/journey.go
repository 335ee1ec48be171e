package apptest

import (
	"net/http"
	"strconv"
	"testing"
	"time"
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
	session := Decode[Session](t, res)
	return Account{ID: session.User.ID, Email: email, Access: res.Str(t, "access_token"), Refresh: res.Str(t, "refresh_token")}
}

// Login runs login → verify-login-otp and returns fresh tokens.
func (h *Harness) Login(t testing.TB, email, password string) Account {
	t.Helper()
	sent := len(h.App.Outbox.To(email))
	res := h.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": email, "password": password}).Expect(t, 200, "")
	code := h.code(t, res, email, sent)
	res = h.Do(http.MethodPost, "/api/v1/auth/verify-login-otp", map[string]string{"email": email, "otp_code": code}).Expect(t, 200, "")
	session := Decode[Session](t, res)
	return Account{ID: session.User.ID, Email: email, Access: res.Str(t, "access_token"), Refresh: res.Str(t, "refresh_token")}
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
	if otp := Decode[struct {
		OTP *string `json:"otp"`
	}](t, res).OTP; otp != nil {
		return *otp
	}
	return h.Outbox(addr, sent+1)[0].OTP
}

// Card is a card a CardHolder holds.
type Card struct {
	ID          int64
	PublicToken string
}

// CardHolder runs the whole card journey through the API for a new user —
// register, deposit, pay the virtual card fee, pass KYC on the sandbox page,
// apply and wait for issuance — and returns the account and its card.
func (h *Harness) CardHolder(t testing.TB, email string) (Account, Card) {
	t.Helper()
	return h.CardHolderReferred(t, email, "")
}

// CardHolderReferred is CardHolder for a user who signs up with a referral
// code.
func (h *Harness) CardHolderReferred(t testing.TB, email, referral string) (Account, Card) {
	t.Helper()
	acc := h.RegisterWithReferral(t, email, referral)
	auth := Bearer(acc.Access)
	h.Deposit(t, acc, "USDT-TRC20", "5")
	res := h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual"}, auth).Expect(t, 200, "")
	ref := Decode[FeePayment](t, res).Payment.TransactionRef
	h.Do(http.MethodPost, "/api/v1/CardFee/CompletePayment/"+ref, map[string]string{"payment_currency": "USDT-TRC20"}, auth).Expect(t, 200, "")
	res = h.Do(http.MethodPost, "/api/v1/didit/initialize-token", map[string]string{"first_en_name": "JOHN", "last_en_name": "DOE",
		"bill_country_code": "hk", "area_code": "+852", "phone": "91234567", "address": "1 Queen's Road Central", "city": "Hong Kong",
		"post_code": "000000"}, auth).Expect(t, 200, "")
	session := Decode[struct {
		VerificationID string `json:"verification_id"`
	}](t, res).VerificationID
	h.Do(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/approve", nil).Expect(t, 200, "")
	res = h.Do(http.MethodPost, "/api/v1/card/apply", map[string]any{"physical": false}, auth).Expect(t, 200, "")
	taskID := Data[CardApplied](t, res).TaskID
	deadline := time.Now().Add(15 * time.Second)
	for {
		res = h.Do(http.MethodGet, "/api/v1/card/apply/progress/"+strconv.FormatInt(taskID, 10), nil, auth).Expect(t, 200, "")
		d := Data[CardTask](t, res)
		if d.Status == "completed" {
			return acc, Card{ID: d.List[0].CardID, PublicToken: d.List[0].PublicToken}
		}
		if d.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("card task %d: %s", taskID, res.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
