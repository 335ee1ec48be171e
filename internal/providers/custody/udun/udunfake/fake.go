// Package udunfake is a UDUN gateway written from the documented shapes
// (PROVIDERS.md §1), for the adapter's tests and for end-to-end tests of a
// production-mode build: it verifies request signatures, makes addresses,
// keeps withdrawals unique on businessId (4288 on a repeat), can be told to
// fail (reply codes, HTTP 429/5xx, answers that come too late), and sends
// signed deposit and withdrawal callbacks to a URL.
package udunfake

import (
	"crypto/md5" //nolint:gosec // the provider's scheme
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/chain"
)

// Coin is one entry of the fake's support-coins list.
type Coin struct {
	Name         string
	Symbol       string
	MainCoinType string
	CoinType     string
	Decimals     int
	TokenStatus  int
	MainSymbol   string
	Balance      string // human units
}

// DefaultCoins are TRON and Ethereum with their USDT and USDC tokens.
func DefaultCoins() []Coin {
	return []Coin{
		{Name: "TRX", Symbol: "TRX", MainCoinType: "195", CoinType: "195", Decimals: 6, TokenStatus: 0, MainSymbol: "TRX", Balance: "0"},
		{Name: "TRC20-USDT", Symbol: "TRCUSDT", MainCoinType: "195", CoinType: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", Decimals: 6, TokenStatus: 1, MainSymbol: "TRX", Balance: "0"},
		{Name: "TRC20-USDC", Symbol: "TRCUSDC", MainCoinType: "195", CoinType: "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8", Decimals: 6, TokenStatus: 1, MainSymbol: "TRX", Balance: "0"},
		{Name: "ETH", Symbol: "ETH", MainCoinType: "60", CoinType: "60", Decimals: 18, TokenStatus: 0, MainSymbol: "ETH", Balance: "0"},
		{Name: "ERC20-USDT", Symbol: "ERCUSDT", MainCoinType: "60", CoinType: "0xdac17f958d2ee523a2206206994597c13d831ec7", Decimals: 6, TokenStatus: 1, MainSymbol: "ETH", Balance: "0"},
		{Name: "ERC20-USDC", Symbol: "ERCUSDC", MainCoinType: "60", CoinType: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", Decimals: 6, TokenStatus: 1, MainSymbol: "ETH", Balance: "0"},
	}
}

// Fault is how the next call of a path misbehaves.
type Fault struct {
	// Code answers this reply code (HTTP 200) without acting.
	Code int
	// HTTPStatus answers this HTTP status (429, 502…) without acting.
	HTTPStatus int
	// Delay acts, then answers only after Delay — or never, when the
	// client gives up first: the lost answer of a timeout.
	Delay time.Duration
}

// Withdrawal is an order the fake accepted.
type Withdrawal struct {
	BusinessID   string
	MainCoinType string
	CoinType     string
	Address      string
	Amount       string // human units, as received
	CallURL      string
}

// Fake is a running fake gateway.
type Fake struct {
	// URL is the gateway base URL to configure in the adapter.
	URL        string
	APIKey     string
	MerchantID string
	// ChainField is the key /mch/address/create must carry the chain
	// number in ("coinType" by default, or "mainCoinType").
	ChainField string

	srv *httptest.Server

	mu            sync.Mutex
	coins         []Coin
	addresses     map[string][]string // chain → addresses made, in order
	withdrawals   map[string]Withdrawal
	submissions   map[string]int // businessId → calls, accepted or not
	calls         map[string]int
	faults        map[string][]Fault
	badSignatures int
	seq           int
}

// New starts a fake for a merchant and its API key; it stops with the test.
func New(t testing.TB, apiKey, merchantID string) *Fake {
	t.Helper()
	f := &Fake{APIKey: apiKey, MerchantID: merchantID, ChainField: "coinType", coins: DefaultCoins(),
		addresses: map[string][]string{}, withdrawals: map[string]Withdrawal{}, submissions: map[string]int{},
		calls: map[string]int{}, faults: map[string][]Fault{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL
	t.Cleanup(f.srv.Close)
	return f
}

// Inject queues faults for the next calls of path ("/mch/withdraw"), one
// per call.
func (f *Fake) Inject(path string, faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[path] = append(f.faults[path], faults...)
}

// Calls is how many requests reached path (signed or not, faulty or not).
func (f *Fake) Calls(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[path]
}

// BadSignatures is how many requests were refused with 4162.
func (f *Fake) BadSignatures() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.badSignatures
}

// Addresses returns the addresses made on a chain ("195"), oldest first.
func (f *Fake) Addresses(mainCoinType string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.addresses[mainCoinType]...)
}

// Sent is how many times the order businessID was accepted for sending:
// 0 or 1, however often it was submitted.
func (f *Fake) Sent(businessID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.withdrawals[businessID]; ok {
		return 1
	}
	return 0
}

// Submissions is how many withdraw calls carried businessID.
func (f *Fake) Submissions(businessID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.submissions[businessID]
}

// Withdrawal returns an accepted order.
func (f *Fake) Withdrawal(businessID string) (Withdrawal, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.withdrawals[businessID]
	return w, ok
}

// SetBalance sets the balance (human units) support-coins reports for a
// coin, by its coinType.
func (f *Fake) SetBalance(coinType, human string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.coins {
		if strings.EqualFold(f.coins[i].CoinType, coinType) {
			f.coins[i].Balance = human
		}
	}
}

// SetCoins replaces the support-coins list.
func (f *Fake) SetCoins(coins []Coin) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.coins = append([]Coin(nil), coins...)
}

// Sign is the provider's signature: lower-case hex MD5(body + key + nonce +
// timestamp).
func Sign(body, apiKey, nonce, timestamp string) string {
	sum := md5.Sum([]byte(body + apiKey + nonce + timestamp)) //nolint:gosec
	return hex.EncodeToString(sum[:])
}

type reply struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	f.mu.Lock()
	f.calls[path]++
	var fault Fault
	if q := f.faults[path]; len(q) > 0 {
		fault, f.faults[path] = q[0], q[1:]
	}
	f.mu.Unlock()
	if fault.HTTPStatus != 0 {
		http.Error(w, http.StatusText(fault.HTTPStatus), fault.HTTPStatus)
		return
	}
	if fault.Code != 0 {
		writeJSON(w, reply{Code: fault.Code, Message: "injected"})
		return
	}
	ans := f.handle(r, path)
	if fault.Delay > 0 {
		select {
		case <-time.After(fault.Delay):
		case <-r.Context().Done():
			return
		}
	}
	writeJSON(w, ans)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// handle checks the envelope and the merchant, then does what path does.
func (f *Fake) handle(r *http.Request, path string) reply {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return reply{Code: 4005, Message: "unreadable"}
	}
	var env struct {
		Timestamp json.RawMessage `json:"timestamp"`
		Nonce     json.RawMessage `json:"nonce"`
		Sign      string          `json:"sign"`
		Body      string          `json:"body"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Body == "" {
		return reply{Code: 4005, Message: "bad envelope"}
	}
	ts, nonce := unquote(env.Timestamp), unquote(env.Nonce)
	if ts == "" || nonce == "" || env.Sign != Sign(env.Body, f.APIKey, nonce, ts) {
		f.mu.Lock()
		f.badSignatures++
		f.mu.Unlock()
		return reply{Code: 4162, Message: "sign error"}
	}
	if path == "/mch/support-coins" {
		var body struct {
			MerchantID  string `json:"merchantId"`
			ShowBalance bool   `json:"showBalance"`
		}
		if err := json.Unmarshal([]byte(env.Body), &body); err != nil {
			return reply{Code: 4005, Message: "bad body"}
		}
		if body.MerchantID != f.MerchantID {
			return reply{Code: 4001, Message: "merchant unknown"}
		}
		return f.supportCoins(body.ShowBalance)
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(env.Body), &items); err != nil || len(items) != 1 {
		return reply{Code: 4005, Message: "body must be an array of one object"}
	}
	item := items[0]
	if text(item["merchantId"]) != f.MerchantID {
		return reply{Code: 4001, Message: "merchant unknown"}
	}
	switch path {
	case "/mch/address/create":
		return f.createAddress(item)
	case "/mch/withdraw", "/mch/withdraw/proxypay":
		return f.withdraw(item)
	case "/mch/check/address":
		return f.checkAddress(item)
	case "/mch/exist/address":
		return f.existAddress(item)
	}
	return reply{Code: 4005, Message: "unknown path"}
}

func unquote(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// text is a JSON value as the provider reads it: string or number.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func (f *Fake) supportCoins(showBalance bool) reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]map[string]any, 0, len(f.coins))
	for _, c := range f.coins {
		// decimals as a string, mainCoinType as a number: as documented.
		m := map[string]any{"name": c.Name, "symbol": c.Symbol, "mainCoinType": json.Number(c.MainCoinType), "coinType": c.CoinType,
			"decimals": strconv.Itoa(c.Decimals), "tokenStatus": c.TokenStatus, "mainSymbol": c.MainSymbol}
		if showBalance {
			m["balance"] = c.Balance
		}
		out = append(out, m)
	}
	return reply{Code: 200, Message: "SUCCESS", Data: out}
}

// networkOf is the address format of a chain number.
func networkOf(mainCoinType string) (chain.Network, bool) {
	switch mainCoinType {
	case "195":
		return chain.TRC20, true
	case "60":
		return chain.ERC20, true
	}
	return "", false
}

func (f *Fake) knownChain(mainCoinType string) bool {
	for _, c := range f.coins {
		if c.MainCoinType == mainCoinType {
			return true
		}
	}
	return false
}

func (f *Fake) createAddress(item map[string]any) reply {
	main := text(item[f.ChainField])
	if main == "" || text(item["callUrl"]) == "" {
		return reply{Code: 4005, Message: "missing " + f.ChainField + " or callUrl"}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	network, ok := networkOf(main)
	if !ok || !f.knownChain(main) {
		return reply{Code: 4176, Message: "coin not supported"}
	}
	f.seq++
	sum := sha256.Sum256([]byte(fmt.Sprintf("udunfake|%s|%d", main, f.seq)))
	var key [20]byte
	copy(key[:], sum[:])
	addr := chain.AddressFromKey(network, key)
	f.addresses[main] = append(f.addresses[main], addr)
	return reply{Code: 200, Message: "SUCCESS", Data: map[string]any{"address": addr, "coinType": json.Number(main)}}
}

func (f *Fake) coin(main, coinType string) (Coin, bool) {
	for _, c := range f.coins {
		if c.MainCoinType == main && strings.EqualFold(c.CoinType, coinType) {
			return c, true
		}
	}
	return Coin{}, false
}

func (f *Fake) withdraw(item map[string]any) reply {
	w := Withdrawal{BusinessID: text(item["businessId"]), MainCoinType: text(item["mainCoinType"]), CoinType: text(item["coinType"]),
		Address: text(item["address"]), Amount: text(item["amount"]), CallURL: text(item["callUrl"])}
	f.mu.Lock()
	defer f.mu.Unlock()
	if w.BusinessID == "" || w.CallURL == "" {
		return reply{Code: 4005, Message: "missing businessId or callUrl"}
	}
	f.submissions[w.BusinessID]++
	if _, dup := f.withdrawals[w.BusinessID]; dup {
		return reply{Code: 4288, Message: "duplicate businessId"}
	}
	c, ok := f.coin(w.MainCoinType, w.CoinType)
	if !ok {
		return reply{Code: 4176, Message: "coin not supported"}
	}
	if _, ok := baseUnits(w.Amount, c.Decimals); !ok {
		return reply{Code: 4005, Message: "bad amount"}
	}
	if network, ok := networkOf(w.MainCoinType); ok && !chain.Valid(network, w.Address) {
		return reply{Code: 4165, Message: "illegal address"}
	}
	f.withdrawals[w.BusinessID] = w
	return reply{Code: 200, Message: "SUCCESS"}
}

func (f *Fake) checkAddress(item map[string]any) reply {
	network, ok := networkOf(text(item["mainCoinType"]))
	if !ok {
		return reply{Code: 4176, Message: "coin not supported"}
	}
	if !chain.Valid(network, text(item["address"])) {
		return reply{Code: 4165, Message: "illegal address"}
	}
	return reply{Code: 200, Message: "SUCCESS"}
}

func (f *Fake) existAddress(item map[string]any) reply {
	main, addr := text(item["mainCoinType"]), text(item["address"])
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.addresses[main] {
		if a == addr {
			return reply{Code: 200, Message: "SUCCESS", Data: true}
		}
	}
	return reply{Code: 200, Message: "SUCCESS", Data: false}
}

// baseUnits reads a positive human decimal with at most decimals digits
// after the point as integer base units (text).
func baseUnits(human string, decimals int) (string, bool) {
	whole, frac, _ := strings.Cut(human, ".")
	if whole == "" || len(frac) > decimals || !allDigits(whole) || (frac != "" && !allDigits(frac)) {
		return "", false
	}
	n := strings.TrimLeft(whole+frac+strings.Repeat("0", decimals-len(frac)), "0")
	return n, n != ""
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
