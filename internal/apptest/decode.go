package apptest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Typed views of the API's bodies (API.md §1.5, §1.6). Decoding into them
// checks JSON types as the mobile client does: a number where a string
// belongs, or a fraction where an integer belongs, fails the test instead of
// reading as a zero value.

// EnvelopeA is a flat success body; its other fields are the endpoint's.
type EnvelopeA struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// EnvelopeB is a wrapped success body.
type EnvelopeB[T any] struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Data    T      `json:"data"`
}

// EnvelopeC is the issuer-style body (success and error alike); Data is a
// pointer type where the endpoint may answer null.
type EnvelopeC[T any] struct {
	Code      int    `json:"code"`
	Errstr    string `json:"errstr"`
	RequestID string `json:"request_id"`
	Message   string `json:"message"`
	Data      T      `json:"data"`
}

// ErrorC is the error body of family C: EnvelopeC's fields (data is
// null) and those of the common error body.
type ErrorC struct {
	Code       int               `json:"code"`
	Errstr     string            `json:"errstr"`
	RequestID  string            `json:"request_id"`
	Message    string            `json:"message"`
	Error      string            `json:"error"`
	Details    string            `json:"details"`
	Fields     map[string]string `json:"fields"`
	RetryAfter *int              `json:"retry_after"`
}

// ErrorBody is the error body of families A and B.
type ErrorBody struct {
	Error      string            `json:"error"`
	Code       string            `json:"code"`
	Details    string            `json:"details"`
	Message    string            `json:"message"`
	Fields     map[string]string `json:"fields"`
	RetryAfter *int              `json:"retry_after"`
}

// User is the user object of the auth and profile answers (the fields the
// tests read).
type User struct {
	ID           int64  `json:"id"`
	Email        string `json:"email"`
	ReferralCode string `json:"referral_code"`
	FirstName    string `json:"first_name"`
}

// Session is the envelope-A answer of set-password and the login steps.
type Session struct {
	EnvelopeA
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	User         User   `json:"user"`
}

// Profile is the envelope-A answer of GET/PUT /user/profile.
type Profile struct {
	EnvelopeA
	User User `json:"user"`
}

// FeePayment is the answer of POST /CardFee/CreatePayment.
type FeePayment struct {
	EnvelopeA
	Payment struct {
		TransactionRef string `json:"transaction_ref"`
	} `json:"payment"`
}

// CardApplied is the data of POST /card/apply.
type CardApplied struct {
	TaskID int64 `json:"task_id"`
}

// CardTask is the data of GET /card/apply/progress/{task}.
type CardTask struct {
	Status      string  `json:"status"`
	Succeed     int     `json:"succeed"`
	Failed      int     `json:"failed"`
	FailReason  string  `json:"fail_reason"`
	CompletedAt *string `json:"completed_at"`
	List        []struct {
		CardID      int64  `json:"card_id"`
		PublicToken string `json:"public_token"`
		MaskedPAN   string `json:"masked_pan"`
		Status      string `json:"status"`
	} `json:"list"`
}

// RetryAfter is the retry_after of an error body of any family (families
// A/B and C differ in the type of code, not here); nil when absent.
func RetryAfter(t testing.TB, r *Response) *int {
	t.Helper()
	return Decode[struct {
		RetryAfter *int `json:"retry_after"`
	}](t, r).RetryAfter
}

// Decode reads the body as T, failing the test when it does not fit.
func Decode[T any](t testing.TB, r *Response) T {
	t.Helper()
	var v T
	if err := json.NewDecoder(bytes.NewReader(r.Body)).Decode(&v); err != nil {
		t.Fatalf("decode %T: %v; body %s", v, err, r.Body)
	}
	return v
}

// Data reads the data of an envelope-B body as T.
func Data[T any](t testing.TB, r *Response) T {
	t.Helper()
	return Decode[EnvelopeB[T]](t, r).Data
}
