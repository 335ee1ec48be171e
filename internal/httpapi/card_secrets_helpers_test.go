package httpapi_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// Helpers of the card-secret tests; the sec prefix keeps them apart from
// helpers other card features add to this package.

const secUserAgent = "ComeComePay/2.3.1 (iPhone; iOS 18.2)"

// secClient calls the card-secret endpoints as one cardholder.
type secClient struct {
	h    *apptest.Harness
	auth apptest.Header
}

func secAs(h *apptest.Harness, acc apptest.Account) secClient {
	return secClient{h: h, auth: apptest.Bearer(acc.Access)}
}

func (c secClient) do(method, path string, body any) *apptest.Response {
	return c.h.Do(method, path, body, c.auth, apptest.Header{Name: "User-Agent", Value: secUserAgent})
}

func (c secClient) cvv(token string) *apptest.Response {
	return c.do(http.MethodGet, "/api/v1/card/cvv?public_token="+url.QueryEscape(token), nil)
}

func (c secClient) fullNumber(token string) *apptest.Response {
	return c.do(http.MethodPost, "/api/v1/card/full-number", map[string]any{"public_token": token})
}

func (c secClient) sendCode(token, purpose string) *apptest.Response {
	return c.do(http.MethodPost, "/api/v1/card/"+token+"/pin/code/send", map[string]any{"purpose": purpose})
}

// code sends a code and returns it from the sandbox echo.
func (c secClient) code(t *testing.T, token, purpose string) string {
	t.Helper()
	d := secOKC(t, c.sendCode(token, purpose), "OTP sent")
	if d.OTP == nil || !regexp.MustCompile(`^[0-9]{5}$`).MatchString(*d.OTP) {
		t.Fatalf("echoed otp %+v is not a 5-digit string", d)
	}
	return *d.OTP
}

func (c secClient) getPIN(token, code string) *apptest.Response {
	return c.do(http.MethodGet, "/api/v1/card/"+token+"/pin?otp_code="+url.QueryEscape(code), nil)
}

func (c secClient) setPIN(token, pin, code string) *apptest.Response {
	return c.do(http.MethodPost, "/api/v1/card/"+token+"/pin", map[string]any{"pin": pin, "otp_code": code})
}

// secData is the data of the card-secret answers (code sent, PIN read).
type secData struct {
	PublicToken  string  `json:"public_token"`
	Purpose      string  `json:"purpose"`
	Sent         bool    `json:"sent"`
	ExpiresInSec int     `json:"expires_in_sec"`
	OTP          *string `json:"otp"` // the sandbox echo; absent in production
	PIN          string  `json:"pin"`
	null         bool    // data was null
}

// secOKC checks a family-C success and returns its data.
func secOKC(t *testing.T, res *apptest.Response, message string) secData {
	t.Helper()
	b := apptest.Decode[apptest.EnvelopeC[*secData]](t, res)
	if res.Status != 200 || b.Code != 200 || b.Errstr != "SUCCESS" || b.Message != message {
		t.Fatalf("want family-C success %q, got %d: %s", message, res.Status, res.Body)
	}
	if id := res.Header.Get("X-Request-Id"); id == "" || b.RequestID != id {
		t.Fatalf("request_id %v differs from X-Request-Id %q", b.RequestID, id)
	}
	if b.Data == nil {
		return secData{null: true}
	}
	return *b.Data
}

// secExpectC checks a family-C error and returns its fields.
func secExpectC(t *testing.T, res *apptest.Response, status int, errstr string) map[string]string {
	t.Helper()
	b := apptest.Decode[errorCShape](t, res)
	if res.Status != status || b.Code != status || b.Errstr != errstr {
		t.Fatalf("got %d, want family-C %d %s; body %s", res.Status, status, errstr, res.Body)
	}
	if b.RequestID != res.Header.Get("X-Request-Id") || b.dataNotNull() {
		t.Fatalf("family-C error envelope: %s", res.Body)
	}
	if k := b.missingText(); k != "" {
		t.Fatalf("error field %q missing: %s", k, res.Body)
	}
	secCheckRetry(t, res)
	return b.Fields
}

// secExpectB checks a family-B error.
func secExpectB(t *testing.T, res *apptest.Response, status int, code string) {
	t.Helper()
	res.Expect(t, status, code)
	secCheckRetry(t, res)
}

func secCheckRetry(t *testing.T, res *apptest.Response) {
	t.Helper()
	if res.Status != http.StatusTooManyRequests {
		return
	}
	var after int
	if ra := apptest.RetryAfter(t, res); ra != nil {
		after = *ra
	}
	if after < 1 || res.Header.Get("Retry-After") != strconv.Itoa(after) {
		t.Fatalf("429 without a matching retry_after / Retry-After: %v %s", res.Header, res.Body)
	}
}

// secSim reads what the simulated issuer holds for a card.
func secSim(t *testing.T, h *apptest.Harness, token string) (pan, cvv, expiry string) {
	t.Helper()
	if err := h.App.DB.SQL.QueryRow(`SELECT pan, cvv, expiry FROM sim_issuer_cards WHERE public_token = $1`, token).
		Scan(&pan, &cvv, &expiry); err != nil {
		t.Fatal(err)
	}
	return pan, cvv, expiry
}

// secSetSimCVV gives the card a CVV that cannot be mistaken for a status
// code or an id in the log leak checks.
func secSetSimCVV(t *testing.T, h *apptest.Harness, token, cvv string) {
	t.Helper()
	if _, err := h.App.DB.SQL.Exec(`UPDATE sim_issuer_cards SET cvv = $1 WHERE public_token = $2`, cvv, token); err != nil {
		t.Fatal(err)
	}
}

func secExec(t *testing.T, h *apptest.Harness, query string, args ...any) {
	t.Helper()
	if _, err := h.App.DB.SQL.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

// secNoLeak fails if any value appears in the service's log as a token of
// its own (not inside a longer run of letters or digits such as a hex id).
func secNoLeak(t *testing.T, h *apptest.Harness, values ...string) {
	t.Helper()
	logs := h.Log.String()
	if logs == "" {
		t.Fatal("no logs captured")
	}
	for _, v := range values {
		if v == "" {
			continue
		}
		if regexp.MustCompile(`(^|[^0-9A-Za-z])` + regexp.QuoteMeta(v) + `([^0-9A-Za-z]|$)`).MatchString(logs) {
			t.Errorf("the log contains the secret value %q", v)
		}
	}
}

type secAuditRow struct {
	Kind, Outcome, IP, UserAgent, Session string
	CardID                                int64
}

// secAudit returns the audit rows of a user, oldest first.
func secAudit(t *testing.T, h *apptest.Harness, userID int64) []secAuditRow {
	t.Helper()
	rows, err := h.App.DB.SQL.Query(`SELECT kind, outcome, client_ip, user_agent, session_id, card_id
		FROM card_secret_audit WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []secAuditRow
	for rows.Next() {
		var r secAuditRow
		if err := rows.Scan(&r.Kind, &r.Outcome, &r.IP, &r.UserAgent, &r.Session, &r.CardID); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// secSecondCard pays for and issues another virtual card of an account
// whose KYC is already approved.
func secSecondCard(t *testing.T, h *apptest.Harness, acc apptest.Account) string {
	t.Helper()
	auth := apptest.Bearer(acc.Access)
	h.Deposit(t, acc, "USDT-TRC20", "5")
	ref := apptest.Decode[apptest.FeePayment](t, h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment",
		map[string]string{"card_type": "virtual"}, auth).Expect(t, 200, "")).Payment.TransactionRef
	h.Do(http.MethodPost, "/api/v1/CardFee/CompletePayment/"+ref, map[string]string{"payment_currency": "USDT-TRC20"}, auth).Expect(t, 200, "")
	task := apptest.Data[apptest.CardApplied](t, h.Do(http.MethodPost, "/api/v1/card/apply", map[string]any{"physical": false}, auth).
		Expect(t, 200, "")).TaskID
	deadline := time.Now().Add(15 * time.Second)
	for {
		res := h.Do(http.MethodGet, "/api/v1/card/apply/progress/"+strconv.FormatInt(task, 10), nil, auth).Expect(t, 200, "")
		d := apptest.Data[apptest.CardTask](t, res)
		if d.Status == "completed" {
			return d.List[0].PublicToken
		}
		if d.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("second card task %d: %s", task, res.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
