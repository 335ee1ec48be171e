package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	emailsandbox "github.com/comecomepay/comecomepay/internal/providers/email/sandbox"
)

// Helpers shared by the tests of this package.

const usrProfilePath = "/api/v1/user/profile"

// usrExpectErr checks status, code and the full error envelope (API.md §1.6)
// and returns the fields object (nil unless VALIDATION_FAILED).
func usrExpectErr(t testing.TB, res *apptest.Response, status int, code string) map[string]string {
	t.Helper()
	if res.Status != status || res.Code() != code {
		t.Fatalf("got %d %s, want %d %s; body %s", res.Status, res.Code(), status, code, res.Body)
	}
	usrCheckEnvelope(t, res)
	return apptest.Decode[apptest.ErrorBody](t, res).Fields
}

// usrCheckEnvelope checks the shape of any error body: every text member
// present (pointers show absence; a wrong type fails the decode), fields
// an object exactly on VALIDATION_FAILED.
func usrCheckEnvelope(t testing.TB, res *apptest.Response) {
	t.Helper()
	b := apptest.Decode[struct {
		Error   *string         `json:"error"`
		Code    *string         `json:"code"`
		Details *string         `json:"details"`
		Message *string         `json:"message"`
		Fields  json.RawMessage `json:"fields"`
	}](t, res)
	for _, f := range []struct {
		name string
		v    *string
	}{{"error", b.Error}, {"code", b.Code}, {"details", b.Details}, {"message", b.Message}} {
		if f.v == nil {
			t.Errorf("error field %q is missing; body %s", f.name, res.Body)
		}
	}
	if (b.Message != nil && *b.Message == "") || (b.Error != nil && *b.Error == "") {
		t.Errorf("error body has an empty error/message: %s", res.Body)
	}
	if res.Code() == "VALIDATION_FAILED" {
		if !bytes.HasPrefix(b.Fields, []byte("{")) {
			t.Errorf("VALIDATION_FAILED without a fields object: %s", res.Body)
		}
	} else if b.Fields != nil {
		t.Errorf("fields present on %s: %s", res.Code(), res.Body)
	}
	usrNoLeak(t, res.Body)
}

// usrNoLeak fails when a body shows internals.
func usrNoLeak(t testing.TB, body []byte) {
	t.Helper()
	low := strings.ToLower(string(body))
	for _, s := range []string{"sql", "panic", "goroutine"} {
		if strings.Contains(low, s) {
			t.Errorf("body leaks %q: %s", s, body)
		}
	}
	if bytes.Contains(body, []byte("SELECT")) {
		t.Errorf("body leaks SQL: %s", body)
	}
}

// usrExpectFields expects 400 VALIDATION_FAILED naming every field in names.
func usrExpectFields(t testing.TB, res *apptest.Response, names ...string) {
	t.Helper()
	f := usrExpectErr(t, res, 400, "VALIDATION_FAILED")
	for _, n := range names {
		if f[n] == "" {
			t.Errorf("fields.%s missing or not a non-empty string: %s", n, res.Body)
		}
	}
}

// usrWrongCode returns a well-formed code different from c.
func usrWrongCode(c string) string {
	if c == "00000" {
		return "11111"
	}
	return "00000"
}

// usrGetUser returns the User object of GET /user/profile. It stays a raw
// object: the tests compare whole profiles, where null and "" differ and
// every member's JSON kind is checked.
func usrGetUser(t testing.TB, h *apptest.Harness, token string) map[string]any {
	t.Helper()
	res := h.Do(http.MethodGet, usrProfilePath, nil, apptest.Bearer(token)).Expect(t, 200, "")
	return usrUserOf(t, res)
}

// usrUserOf reads the user object of a profile answer as a raw object.
func usrUserOf(t testing.TB, res *apptest.Response) map[string]any {
	t.Helper()
	u := apptest.Decode[struct {
		User map[string]any `json:"user"`
	}](t, res).User
	if u == nil {
		t.Fatalf("no user object: %s", res.Body)
	}
	return u
}

// usrWaitMail waits for a mail to addr that satisfies match.
func usrWaitMail(t testing.TB, h *apptest.Harness, addr string, match func(emailsandbox.Sent) bool) emailsandbox.Sent {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, m := range h.App.Outbox.To(addr) {
			if match(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no matching mail to %s; got %+v", addr, h.App.Outbox.To(addr))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func usrWithOTP(code string) func(emailsandbox.Sent) bool {
	return func(m emailsandbox.Sent) bool { return m.OTP == code }
}

func TestUserProfileJSONTypes(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "Types@Example.com")
		res := h.Do(http.MethodGet, usrProfilePath, nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		if res.Str(t, "status") != "success" || res.Str(t, "message") != "Profile retrieved successfully" {
			t.Fatalf("envelope: %s", res.Body)
		}
		var body struct {
			User map[string]any `json:"user"`
		}
		dec := json.NewDecoder(bytes.NewReader(res.Body))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			t.Fatal(err)
		}
		u := body.User
		for _, k := range []string{"id", "kyc_level"} {
			n, ok := u[k].(json.Number)
			if !ok || strings.ContainsAny(n.String(), ".eE") {
				t.Errorf("%s = %#v, want a JSON integer", k, u[k])
			}
		}
		if id, _ := u["id"].(json.Number).Int64(); id != acc.ID {
			t.Errorf("id = %v, want %d", u["id"], acc.ID)
		}
		if u["kyc_level"] != json.Number("0") {
			t.Errorf("kyc_level = %v", u["kyc_level"])
		}
		want := map[string]any{
			"email": "types@example.com", "account_type": "personal", "status": "active", "kyc_status": "none",
			"is_active": true, "two_factor_enabled": true,
		}
		for _, k := range []string{"first_name", "last_name", "phone", "referred_by", "date_of_birth", "address",
			"area_code", "bill_country_code", "city", "post_code", "state"} {
			want[k] = nil
		}
		for k, v := range want {
			got, present := u[k]
			if !present || got != v {
				t.Errorf("%s = %#v (present %v), want %#v", k, got, present, v)
			}
		}
		patterns := map[string]string{
			"wallet_id":     `^CCP[0-9]{14}$`,
			"referral_code": `^[A-Z0-9]{8}$`,
			"created_at":    `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`,
			"updated_at":    `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`,
		}
		for k, p := range patterns {
			s, ok := u[k].(string)
			if !ok || !regexp.MustCompile(p).MatchString(s) {
				t.Errorf("%s = %#v, want a string matching %s", k, u[k], p)
			}
		}
	})
}

func TestUserProfileUpdate(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "update@example.com")
		auth := apptest.Bearer(acc.Access)
		before := usrGetUser(t, h, acc.Access)
		h.Clock.Advance(time.Hour)

		res := h.Do(http.MethodPut, usrProfilePath, map[string]any{
			"first_name": " Alice ", "last_name": "Zhang", "date_of_birth": "1990-05-17", "account_type": "business",
			"address": "1 Main St", "city": "Hong Kong", "state": "HK", "post_code": "999077",
			"area_code": "+86", "bill_country_code": "cn",
		}, auth).Expect(t, 200, "")
		if res.Str(t, "message") != "Profile updated successfully" || res.Str(t, "status") != "success" {
			t.Fatalf("envelope: %s", res.Body)
		}
		put := usrUserOf(t, res)
		want := map[string]any{
			"first_name": "Alice", "last_name": "Zhang", "date_of_birth": "1990-05-17", "account_type": "business",
			"address": "1 Main St", "city": "Hong Kong", "state": "HK", "post_code": "999077",
			"area_code": "86", "bill_country_code": "CN",
			"created_at": before["created_at"], "email": before["email"], "id": before["id"],
		}
		for k, v := range want {
			if put[k] != v {
				t.Errorf("after PUT %s = %#v, want %#v", k, put[k], v)
			}
		}
		if put["updated_at"] == before["updated_at"] {
			t.Errorf("updated_at did not move: %v", put["updated_at"])
		}
		if got := usrGetUser(t, h, acc.Access); !reflect.DeepEqual(got, put) {
			t.Fatalf("GET after PUT = %v, want the PUT response %v", got, put)
		}

		// null and absent fields leave values alone; "" clears optional text.
		steps := []struct {
			name string
			body any
			want map[string]any
		}{
			{"null is unchanged", map[string]any{"first_name": nil, "area_code": nil, "date_of_birth": nil}, nil},
			{"empty object", map[string]any{}, nil},
			{"empty body", "", nil},
			{"absent fields unchanged", map[string]any{"city": "Kowloon"}, map[string]any{"city": "Kowloon"}},
			{"empty string clears", map[string]any{"first_name": "", "last_name": " ", "date_of_birth": "", "address": "",
				"city": "", "state": "", "post_code": "", "area_code": "", "bill_country_code": ""},
				map[string]any{"first_name": nil, "last_name": nil, "date_of_birth": nil, "address": nil, "city": nil,
					"state": nil, "post_code": nil, "area_code": nil, "bill_country_code": nil}},
			{"boundaries", map[string]any{"first_name": strings.Repeat("é", 50), "date_of_birth": "2026-02-24",
				"area_code": "1234", "account_type": "personal", "post_code": strings.Repeat("9", 16)},
				map[string]any{"first_name": strings.Repeat("é", 50), "date_of_birth": "2026-02-24", "area_code": "1234",
					"account_type": "personal", "post_code": strings.Repeat("9", 16)}},
		}
		cur := usrGetUser(t, h, acc.Access)
		for _, st := range steps {
			h.Do(http.MethodPut, usrProfilePath, st.body, auth).Expect(t, 200, "")
			got := usrGetUser(t, h, acc.Access)
			for k, v := range st.want {
				cur[k] = v
			}
			for k, v := range cur {
				if k != "updated_at" && !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s: %s = %#v, want %#v", st.name, k, got[k], v)
				}
			}
			cur = got
		}
	})
}

func TestUserProfileIgnoresProtectedFields(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		other := h.Register(t, "other@example.com")
		acc := h.Register(t, "self@example.com")
		before, otherBefore := usrGetUser(t, h, acc.Access), usrGetUser(t, h, other.Access)
		h.Do(http.MethodPut, usrProfilePath, map[string]any{
			"first_name": "Eve", "phone": "+8613800138000", "referral_code": otherBefore["referral_code"],
			"user_id": other.ID, "id": other.ID, "email": "evil@example.com", "status": "frozen",
			"kyc_level": 1, "kyc_status": "verified", "wallet_id": "CCP00000000000001", "referred_by": other.ID,
			"is_active": false,
		}, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		after := usrGetUser(t, h, acc.Access)
		if after["first_name"] != "Eve" {
			t.Errorf("allowed field not applied: first_name = %v", after["first_name"])
		}
		for _, k := range []string{"phone", "referral_code", "id", "email", "status", "kyc_level", "kyc_status",
			"wallet_id", "referred_by", "is_active"} {
			if !reflect.DeepEqual(after[k], before[k]) {
				t.Errorf("%s was written: %#v → %#v", k, before[k], after[k])
			}
		}
		if got := usrGetUser(t, h, other.Access); !reflect.DeepEqual(got, otherBefore) {
			t.Errorf("user_id/id in the body changed another user: %v → %v", otherBefore, got)
		}
		h.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "evil@example.com", "password": apptest.Password}).
			Expect(t, 400, "INVALID_CREDENTIALS")
	})
}

func TestUserProfileValidation(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"first_name 51", map[string]any{"first_name": long(51)}, []string{"first_name"}},
		{"first_name 51 runes", map[string]any{"first_name": strings.Repeat("é", 51)}, []string{"first_name"}},
		{"last_name 51", map[string]any{"last_name": long(51)}, []string{"last_name"}},
		{"address 201", map[string]any{"address": long(201)}, []string{"address"}},
		{"city 65", map[string]any{"city": long(65)}, []string{"city"}},
		{"state 65", map[string]any{"state": long(65)}, []string{"state"}},
		{"post_code 17", map[string]any{"post_code": long(17)}, []string{"post_code"}},
		{"dob slashes", map[string]any{"date_of_birth": "1990/05/17"}, []string{"date_of_birth"}},
		{"dob dd-mm-yyyy", map[string]any{"date_of_birth": "17-05-1990"}, []string{"date_of_birth"}},
		{"dob unpadded", map[string]any{"date_of_birth": "1990-5-17"}, []string{"date_of_birth"}},
		{"dob compact", map[string]any{"date_of_birth": "19900517"}, []string{"date_of_birth"}},
		{"dob month 13", map[string]any{"date_of_birth": "1990-13-01"}, []string{"date_of_birth"}},
		{"dob feb 30", map[string]any{"date_of_birth": "1990-02-30"}, []string{"date_of_birth"}},
		{"dob rfc3339", map[string]any{"date_of_birth": "1990-05-17T00:00:00Z"}, []string{"date_of_birth"}},
		{"dob words", map[string]any{"date_of_birth": "yesterday"}, []string{"date_of_birth"}},
		{"dob future", map[string]any{"date_of_birth": "2099-01-01"}, []string{"date_of_birth"}},
		{"dob tomorrow", map[string]any{"date_of_birth": "2026-02-26"}, []string{"date_of_birth"}},
		{"dob today", map[string]any{"date_of_birth": "2026-02-25"}, []string{"date_of_birth"}},
		{"dob number", map[string]any{"date_of_birth": 19900517}, []string{"date_of_birth"}},
		{"account_type admin", map[string]any{"account_type": "admin"}, []string{"account_type"}},
		{"area_code +12345", map[string]any{"area_code": "+12345"}, []string{"area_code"}},
		{"area_code 12a", map[string]any{"area_code": "12a"}, []string{"area_code"}},
		{"area_code 12345", map[string]any{"area_code": "12345"}, []string{"area_code"}},
		{"area_code -86", map[string]any{"area_code": "-86"}, []string{"area_code"}},
		{"bill CHN", map[string]any{"bill_country_code": "CHN"}, []string{"bill_country_code"}},
		{"bill one letter", map[string]any{"bill_country_code": "C"}, []string{"bill_country_code"}},
		{"bill digit", map[string]any{"bill_country_code": "C1"}, []string{"bill_country_code"}},
		{"bill non-latin", map[string]any{"bill_country_code": "中国"}, []string{"bill_country_code"}},
		{"first_name number", map[string]any{"first_name": 123}, []string{"first_name"}},
		{"valid field with invalid one", map[string]any{"first_name": "Changed", "area_code": "12a"}, []string{"area_code"}},
		{"two invalid", map[string]any{"first_name": long(51), "bill_country_code": "CHN"}, []string{"first_name", "bill_country_code"}},
	}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "validation@example.com")
		auth := apptest.Bearer(acc.Access)
		h.Do(http.MethodPut, usrProfilePath, map[string]any{"first_name": "Orig", "date_of_birth": "1980-01-01",
			"area_code": "852", "bill_country_code": "HK", "account_type": "personal"}, auth).Expect(t, 200, "")
		before := usrGetUser(t, h, acc.Access)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				usrExpectFields(t, h.Do(http.MethodPut, usrProfilePath, tc.body, auth), tc.fields...)
				if got := usrGetUser(t, h, acc.Access); !reflect.DeepEqual(got, before) {
					t.Errorf("profile changed by a rejected update: %v → %v", before, got)
				}
			})
		}
	})
}
