package httpapi_test

import (
	"bytes"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// Card management: PUT/GET /card/status, the card history and trades, the
// issuer webhook and the sandbox card-transaction helper (API.md §2.6,
// §2.11.3, §4).

const (
	cmStatusPath  = "/api/v1/card/status"
	cmHistoryPath = "/api/v1/card/transaction-history"
	cmTradesPath  = "/api/v1/card/trades"
	cmWebhookPath = "/api/v1/webhooks/issuer"
	cmIssuerKey   = "test-issuer-webhook-secret"
)

// cmRec sends requests through the harness and keeps every response body,
// so a test can check that no response ever carried the PAN.
type cmRec struct {
	h      *apptest.Harness
	mu     sync.Mutex
	bodies [][]byte
}

func (r *cmRec) do(method, path string, body any, headers ...apptest.Header) *apptest.Response {
	res := r.h.Do(method, path, body, headers...)
	r.mu.Lock()
	r.bodies = append(r.bodies, res.Body)
	r.mu.Unlock()
	return res
}

// noPAN fails if the card's PAN (known only to the sandbox issuer) shows up
// in the service log or in any response recorded.
func (r *cmRec) noPAN(t *testing.T, token string) {
	t.Helper()
	var pan string
	if err := r.h.App.DB.SQL.QueryRow(`SELECT pan FROM sim_issuer_cards WHERE public_token = $1`, token).Scan(&pan); err != nil {
		t.Fatalf("read sandbox PAN: %v", err)
	}
	if len(pan) < 12 {
		t.Fatalf("implausible PAN %q", pan)
	}
	if strings.Contains(r.h.Log.String(), pan) {
		t.Errorf("the service log contains the PAN of card %s", token)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bodies {
		if bytes.Contains(b, []byte(pan)) {
			t.Errorf("a response contains the PAN: %s", b)
		}
	}
}

// cmNum decodes a body keeping numbers exact.
func cmNum(t *testing.T, res *apptest.Response) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(res.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", res.Body, err)
	}
	return m
}

func cmData(t *testing.T, res *apptest.Response) map[string]any {
	t.Helper()
	d, ok := cmNum(t, res)["data"].(map[string]any)
	if !ok {
		t.Fatalf("no data object: %s", res.Body)
	}
	return d
}

// cmEq compares a decoded JSON number with a decimal literal exactly.
func cmEq(v any, want string) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	a, ok1 := new(big.Rat).SetString(n.String())
	b, ok2 := new(big.Rat).SetString(want)
	return ok1 && ok2 && a.Cmp(b) == 0
}

func cmInt(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%#v is not a JSON number", v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s is not a JSON integer", n)
	}
	return i
}

// errorCShape is a family-C error body read so that the presence of each
// member still shows: data as raw JSON, the texts as pointers.
type errorCShape struct {
	Code      int               `json:"code"`
	Errstr    string            `json:"errstr"`
	RequestID string            `json:"request_id"`
	Data      json.RawMessage   `json:"data"`
	Message   *string           `json:"message"`
	Error     *string           `json:"error"`
	Details   *string           `json:"details"`
	Fields    map[string]string `json:"fields"`
}

// dataNotNull tells whether data is present and not null.
func (b errorCShape) dataNotNull() bool { return len(b.Data) > 0 && string(b.Data) != "null" }

// missingText names the first of message, error and details that is
// absent (a wrong type already failed the decode), or "".
func (b errorCShape) missingText() string {
	for _, f := range []struct {
		name string
		v    *string
	}{{"message", b.Message}, {"error", b.Error}, {"details", b.Details}} {
		if f.v == nil {
			return f.name
		}
	}
	return ""
}

// cmExpectC checks a family-C error: HTTP status, integer code, errstr,
// request_id echoing the header, data null.
func cmExpectC(t *testing.T, res *apptest.Response, status int, errstr string) {
	t.Helper()
	b := apptest.Decode[errorCShape](t, res)
	if res.Status != status || b.Code != status || b.Errstr != errstr {
		t.Fatalf("got %d %v/%v, want %d %s; body %s", res.Status, b.Code, b.Errstr, status, errstr, res.Body)
	}
	if b.Data == nil || b.dataNotNull() {
		t.Errorf("family-C error data = %s, want null", b.Data)
	}
	if id := res.Header.Get("X-Request-Id"); id == "" || b.RequestID != id {
		t.Errorf("request_id %v, header %q", b.RequestID, id)
	}
	if k := b.missingText(); k != "" {
		t.Errorf("family-C error lacks string %q: %s", k, res.Body)
	}
}

// cmToppedCard is a card holder whose card holds 381.42 HKD: 50 USDT
// swapped at 7.80 less the 2.2 % fee.
func cmToppedCard(t *testing.T, r *cmRec, email string) (apptest.Account, apptest.Card) {
	t.Helper()
	acc, c := r.h.CardHolder(t, email)
	r.h.Deposit(t, acc, "USDT-TRC20", "100")
	res := r.do(http.MethodPost, "/api/v1/wallet/swap", map[string]any{"from_currency": "USDT-TRC20", "to_currency": "HKD",
		"amount": 50, "card_id": c.ID}, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	if d := cmData(t, res); !cmEq(d["card_balance"], "381.42") {
		t.Fatalf("top-up card_balance = %v, want 381.42: %s", d["card_balance"], res.Body)
	}
	return acc, c
}

func cmPutStatus(r *cmRec, acc apptest.Account, token, code string, headers ...apptest.Header) *apptest.Response {
	return r.do(http.MethodPut, cmStatusPath, map[string]any{"public_token": token, "card_status_code": code},
		append(headers, apptest.Bearer(acc.Access))...)
}

func cmGetStatus(t *testing.T, r *cmRec, acc apptest.Account, token string) map[string]any {
	t.Helper()
	return cmData(t, r.do(http.MethodGet, cmStatusPath+"?public_token="+token, nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
}

// cmListed returns the card's /card/list entry (nil when not listed).
func cmListed(t *testing.T, r *cmRec, acc apptest.Account, cardID int64, includeCancelled bool) map[string]any {
	t.Helper()
	path := "/api/v1/card/list"
	if includeCancelled {
		path += "?include_cancelled=true"
	}
	d := cmData(t, r.do(http.MethodGet, path, nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
	for _, raw := range d["cards"].([]any) {
		if c := raw.(map[string]any); cmInt(t, c["id"]) == cardID {
			return c
		}
	}
	return nil
}

// cmBalance is the card's balance as the platform books it (GET /card/list).
func cmBalance(t *testing.T, r *cmRec, acc apptest.Account, cardID int64) json.Number {
	t.Helper()
	c := cmListed(t, r, acc, cardID, true)
	if c == nil {
		t.Fatalf("card %d not listed", cardID)
	}
	return c["balance"].(json.Number)
}

func cmSim(r *cmRec, token string, body map[string]any) *apptest.Response {
	return r.do(http.MethodPost, "/api/v1/sandbox/cards/"+token+"/transactions", body)
}

// cmHistory returns the data of GET /card/transaction-history.
func cmHistory(t *testing.T, r *cmRec, acc apptest.Account, query string) map[string]any {
	t.Helper()
	return cmData(t, r.do(http.MethodGet, cmHistoryPath+"?"+query, nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
}

// cmRows returns the history rows of a trade id.
func cmRows(t *testing.T, r *cmRec, acc apptest.Account, token string, tradeID int64) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, raw := range cmHistory(t, r, acc, "public_token="+token+"&limit=100")["transactions"].([]any) {
		if row := raw.(map[string]any); cmInt(t, row["trade_id"]) == tradeID {
			out = append(out, row)
		}
	}
	return out
}

func cmFreezeAccount(t *testing.T, h *apptest.Harness, acc apptest.Account) apptest.Account {
	t.Helper()
	if _, err := h.App.DB.SQL.Exec(`UPDATE users SET status = 'frozen' WHERE id = $1`, acc.ID); err != nil {
		t.Fatal(err)
	}
	return h.Login(t, acc.Email, apptest.Password)
}

// cmIssuerBalance is the sandbox issuer's own balance of a card, in cents.
func cmIssuerBalance(t *testing.T, h *apptest.Harness, token string) int64 {
	t.Helper()
	var b int64
	if err := h.App.DB.SQL.QueryRow(`SELECT balance FROM sim_issuer_cards WHERE public_token = $1`, token).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}
