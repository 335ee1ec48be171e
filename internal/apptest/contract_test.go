package apptest

import (
	"net/http/httptest"
	"testing"
)

// recorder captures failures instead of failing the enclosing test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestContractCheckRejectsWrongTypes(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest("POST", "/api/v1/auth/login", nil)
	good := &Response{Status: 200, Header: map[string][]string{"Content-Type": {"application/json"}},
		Body: []byte(`{"status":"success","message":"m","next_step":"verify_login_otp","email":"a@b.com","name":""}`)}
	bad := &Response{Status: 200, Header: good.Header,
		Body: []byte(`{"status":"success","message":"m","next_step":"verify_login_otp","email":"a@b.com","name":7}`)}
	for _, tc := range []struct {
		name     string
		res      *Response
		wantFail bool
	}{{"good", good, false}, {"name is a number", bad, true}} {
		rec := &recorder{TB: t}
		checkContract(rec, req, nil, tc.res)
		if rec.failed != tc.wantFail {
			t.Errorf("%s: failed=%v, want %v", tc.name, rec.failed, tc.wantFail)
		}
	}
}
