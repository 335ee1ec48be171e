package httpkit

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apperr"
)

// fuzzKinds has a field of every JSON kind the handlers decode into.
type fuzzKinds struct {
	S    *string           `json:"s"`
	N    int64             `json:"n"`
	F    float64           `json:"f"`
	B    bool              `json:"b"`
	L    []string          `json:"l"`
	M    map[string]string `json:"m"`
	Deep struct {
		X *int `json:"x"`
	} `json:"deep"`
}

// decodeThroughLimit runs decode on a request whose body went through the
// same size limit as in the server (limitBody).
func decodeThroughLimit(body []byte, dst any) error {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/signup", bytes.NewReader(body))
	req.Body = http.MaxBytesReader(httptest.NewRecorder(), req.Body, MaxBodyBytes)
	return Decode(req, dst)
}

func checkDecodeErr(t *testing.T, body []byte, err error) {
	t.Helper()
	if err == nil {
		if len(body) > MaxBodyBytes {
			t.Fatalf("a %d-byte body was accepted", len(body))
		}
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && !json.Valid(trimmed) {
			t.Fatalf("invalid JSON %q was accepted", body)
		}
		return
	}
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("decode(%q) = %T %v, want *apperr.Error", body, err, err)
	}
	switch e.Code {
	case apperr.CodeValidation:
		if len(body) > MaxBodyBytes {
			t.Fatalf("a %d-byte body gave %v, want PAYLOAD_TOO_LARGE", len(body), e)
		}
	case apperr.CodePayloadTooLarge:
		if len(body) <= MaxBodyBytes {
			t.Fatalf("a %d-byte body gave PAYLOAD_TOO_LARGE", len(body))
		}
	default:
		t.Fatalf("decode(%q) = %v, want VALIDATION_FAILED or PAYLOAD_TOO_LARGE", body, e)
	}
	if e.Details == "" {
		t.Fatalf("decode(%q) error has no details", body)
	}
}

// signupBody has the shape of the body of POST /auth/signup.
type signupBody struct {
	Email        *string `json:"email"`
	ReferralCode *string `json:"referral_code"`
	OTPCode      *string `json:"otp_code"`
	Password     *string `json:"password"`
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		``, ` `, `{}`, `null`, `[]`, `"x"`, `1`, `true`, `{"email":"a@b.co","password":"x"}`,
		`{"email":1}`, `{"email":null}`, `{"n":"1"}`, `{"n":1.5}`, `{"n":1e400}`, `{"l":[1]}`, `{"m":{"a":1}}`,
		`{"deep":{"x":"y"}}`, `{"deep":[]}`, `{} {}`, `{}]`, `{}x`, `{"a":`, `{"a":"\ud800"}`, "\xff",
		strings.Repeat("[", 10001), // past encoding/json's nesting limit
	} {
		f.Add([]byte(s))
	}
	// Bodies over the 64 KiB limit are covered by TestDecodeCases: as fuzz
	// seeds they only slow the mutator down.
	f.Fuzz(func(t *testing.T, body []byte) {
		var a signupBody
		checkDecodeErr(t, body, decodeThroughLimit(body, &a))
		var b fuzzKinds
		checkDecodeErr(t, body, decodeThroughLimit(body, &b))
		var m map[string]any
		checkDecodeErr(t, body, decodeThroughLimit(body, &m))
	})
}

func TestDecodeCases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body, code, field string
	}{
		{``, "", ""},
		{`{"email":" a@b.co "}`, "", ""},
		{`null`, "", ""},
		{`{"unknown":[1,2]}`, "", ""},
		{`[]`, apperr.CodeValidation, ""},
		{`{"email":1}`, apperr.CodeValidation, "email"},
		{`{"email":"a"} {}`, apperr.CodeValidation, ""},
		{`{"email":"a"}]`, apperr.CodeValidation, ""},
		{`{"email":`, apperr.CodeValidation, ""},
		{`{"email":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, apperr.CodePayloadTooLarge, ""},
	} {
		var b signupBody
		err := decodeThroughLimit([]byte(tc.body), &b)
		if tc.code == "" {
			if err != nil {
				t.Errorf("decode(%.40q) = %v", tc.body, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Code != tc.code || (tc.field != "" && e.Fields[tc.field] == "") {
			t.Errorf("decode(%.40q) = %v (fields %v), want %s on %q", tc.body, err, e, tc.code, tc.field)
		}
	}
}
