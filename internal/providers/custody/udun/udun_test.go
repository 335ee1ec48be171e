package udun

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/chain"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/providers/custody"
	"github.com/comecomepay/comecomepay/internal/providers/custody/udun/udunfake"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

const (
	testKey      = "udun-test-api-key-0123456789"
	testMerchant = "300015"
	externalTron = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8"
)

var usdtTRC20, usdtERC20 = wallet.DefaultCurrencies[0], wallet.DefaultCurrencies[1]

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClient(t *testing.T, f *udunfake.Fake, mutate ...func(*Config)) (*Client, *clock) {
	t.Helper()
	cfg := Config{GatewayURL: f.URL, MerchantID: f.MerchantID, APIKey: f.APIKey, CallbackURL: "https://api.example.com/api/v1/webhooks/custody",
		Timeout: 2 * time.Second}
	for _, m := range mutate {
		m(&cfg)
	}
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c, err := New(cfg, &http.Client{}, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return c, clk
}

func TestSignKnownAnswers(t *testing.T) {
	t.Parallel()
	for _, v := range []struct{ body, key, nonce, ts, want string }{
		{`[{"merchantId":"300015","coinType":520,"callUrl":"http://localhost:8080/callBack"}]`, "example-merchant-key", "10000", "1535005047",
			"15cee4fcf537bee5bff6ad1ad671f176"},
		{`{"address":"TXexampleaddress","amount":"25000000","blockHigh":"12345678","coinType":"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t","decimals":"6","fee":"0","mainCoinType":"195","status":3,"tradeId":"20250101000001","tradeType":1,"txId":"abc123"}`,
			"example-merchant-key", "493922", "1735689600000", "ea8828029a9539209c430152ba26e93c"},
	} {
		if got := Sign(v.body, v.key, v.nonce, v.ts); got != v.want {
			t.Errorf("Sign = %s, want %s", got, v.want)
		}
		if got := udunfake.Sign(v.body, v.key, v.nonce, v.ts); got != v.want {
			t.Errorf("udunfake.Sign = %s, want %s", got, v.want)
		}
		if !custody.NewSigner(v.key).Verify(v.body, v.nonce, v.ts, v.want) {
			t.Errorf("the callback verifier refuses the vector %s", v.want)
		}
	}
	// The documented 25 USDT callback parses to the amount and key we expect.
	ev, err := wallet.ParseCustodyEvent([]byte(`{"address":"TXexampleaddress","amount":"25000000","blockHigh":"12345678","coinType":"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t","decimals":"6","fee":"0","mainCoinType":"195","status":3,"tradeId":"20250101000001","tradeType":1,"txId":"abc123"}`))
	if err != nil || ev.Amount != "25000000" || ev.Decimals != 6 || ev.EventKey() != "20250101000001:3" {
		t.Fatalf("vector event %+v, %v", ev, err)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	good := Config{GatewayURL: "https://gw.example.com/", MerchantID: "1", APIKey: "k", CallbackURL: "https://api.example.com/cb"}
	if _, err := New(good, &http.Client{}, time.Now); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for name, mutate := range map[string]func(*Config){
		"no gateway":       func(c *Config) { c.GatewayURL = "" },
		"relative gateway": func(c *Config) { c.GatewayURL = "/mch" },
		"no merchant":      func(c *Config) { c.MerchantID = " " },
		"no key":           func(c *Config) { c.APIKey = "" },
		"no callback":      func(c *Config) { c.CallbackURL = "ftp://x" },
		"bad field":        func(c *Config) { c.CoinTypeField = "chain" },
		"negative timeout": func(c *Config) { c.Timeout = -time.Second },
	} {
		c := good
		mutate(&c)
		if _, err := New(c, &http.Client{}, time.Now); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(good, nil, time.Now); err == nil {
		t.Error("nil http client accepted")
	}
	good.APIKey = "super-secret-key"
	if s := good.String(); strings.Contains(s, "super-secret-key") {
		t.Errorf("String shows the key: %s", s)
	}
}

func TestDepositAddressAndCoinsCache(t *testing.T) {
	t.Parallel()
	f := udunfake.New(t, testKey, testMerchant)
	c, clk := newClient(t, f)
	ctx := context.Background()
	a1, err := c.DepositAddress(ctx, 7, usdtTRC20)
	if err != nil || !chain.Valid(chain.TRC20, a1) {
		t.Fatalf("address %q, %v", a1, err)
	}
	a2, err := c.DepositAddress(ctx, 7, usdtERC20)
	if err != nil || !chain.Valid(chain.ERC20, a2) {
		t.Fatalf("address %q, %v", a2, err)
	}
	if n := f.Calls("/mch/support-coins"); n != 1 {
		t.Fatalf("support-coins fetched %d times, want 1 (cached)", n)
	}
	clk.Advance(11 * time.Minute)
	if _, err := c.DepositAddress(ctx, 8, usdtTRC20); err != nil {
		t.Fatal(err)
	}
	if n := f.Calls("/mch/support-coins"); n != 2 {
		t.Fatalf("support-coins fetched %d times after the TTL, want 2", n)
	}
	// A chain the provider does not list: one refetch on the miss, then
	// none until the list is 30 s old.
	clk.Advance(time.Minute)
	bogus := wallet.Currency{Name: "X", MainCoinType: 999, CoinType: "x", Decimals: 6, Network: chain.TRC20}
	if _, err := c.DepositAddress(ctx, 7, bogus); !errors.Is(err, ErrUnknownCoin) {
		t.Fatalf("unknown chain: %v", err)
	}
	if _, err := c.DepositAddress(ctx, 7, bogus); !errors.Is(err, ErrUnknownCoin) {
		t.Fatalf("unknown chain: %v", err)
	}
	if n := f.Calls("/mch/support-coins"); n != 3 {
		t.Fatalf("support-coins fetched %d times, want 3 (one refetch on a miss)", n)
	}
	if f.BadSignatures() != 0 {
		t.Fatalf("%d requests badly signed", f.BadSignatures())
	}
}

func TestCoinTypeField(t *testing.T) {
	t.Parallel()
	f := udunfake.New(t, testKey, testMerchant)
	f.ChainField = "mainCoinType"
	c, _ := newClient(t, f)
	if _, err := c.DepositAddress(context.Background(), 1, usdtTRC20); !errors.Is(err, ErrBadParameters) {
		t.Fatalf("chain number under coinType at a gateway wanting mainCoinType: %v", err)
	}
	c, _ = newClient(t, f, func(cfg *Config) { cfg.CoinTypeField = "mainCoinType" })
	if _, err := c.DepositAddress(context.Background(), 1, usdtTRC20); err != nil {
		t.Fatal(err)
	}
}

func TestWrongKeyIsBadSignature(t *testing.T) {
	t.Parallel()
	f := udunfake.New(t, testKey, testMerchant)
	c, _ := newClient(t, f, func(cfg *Config) { cfg.APIKey = "not-the-key-xyz" })
	_, err := c.DepositAddress(context.Background(), 1, usdtTRC20)
	if !errors.Is(err, ErrBadSignature) || strings.Contains(err.Error(), "not-the-key-xyz") {
		t.Fatalf("err = %v", err)
	}
}

func TestSubmitWithdrawal(t *testing.T) {
	t.Parallel()
	f := udunfake.New(t, testKey, testMerchant)
	c, _ := newClient(t, f)
	ctx := context.Background()
	o := wallet.WithdrawalOrder{BusinessID: "3301", Currency: usdtTRC20, Address: externalTron, Amount: 99_500_000}
	if err := c.SubmitWithdrawal(ctx, o); err != nil {
		t.Fatal(err)
	}
	w, ok := f.Withdrawal("3301")
	if !ok || w.Amount != "99.5" || w.MainCoinType != "195" || w.CoinType != usdtTRC20.CoinType || w.Address != externalTron ||
		w.CallURL == "" {
		t.Fatalf("order at the provider %+v", w)
	}
	// A resubmission is the provider's 4288: accepted already.
	if err := c.SubmitWithdrawal(ctx, o); err != nil {
		t.Fatalf("resubmission: %v", err)
	}
	if f.Sent("3301") != 1 || f.Submissions("3301") != 2 {
		t.Fatalf("sent %d in %d submissions", f.Sent("3301"), f.Submissions("3301"))
	}
	// An illegal address is a refusal for good.
	bad := wallet.WithdrawalOrder{BusinessID: "3302", Currency: usdtERC20, Address: externalTron, Amount: 10_000_000}
	if err := c.SubmitWithdrawal(ctx, bad); !errors.Is(err, ErrIllegalAddress) || !errors.Is(err, wallet.ErrCustodyRefused) {
		t.Fatalf("illegal address: %v", err)
	}
}

func TestSubmitTimeoutThenRetrySendsOnce(t *testing.T) {
	t.Parallel()
	f := udunfake.New(t, testKey, testMerchant)
	c, _ := newClient(t, f, func(cfg *Config) { cfg.Timeout = 200 * time.Millisecond })
	ctx := context.Background()
	o := wallet.WithdrawalOrder{BusinessID: "77", Currency: usdtTRC20, Address: externalTron, Amount: 10_000_000}
	// Warm the coin list so the fault hits the withdraw call.
	if _, err := c.Coins(ctx); err != nil {
		t.Fatal(err)
	}
	f.Inject("/mch/withdraw", udunfake.Fault{Delay: 5 * time.Second})
	err := c.SubmitWithdrawal(ctx, o)
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, wallet.ErrCustodyRefused) {
		t.Fatalf("timed-out submit: %v", err)
	}
	if f.Sent("77") != 1 {
		t.Fatal("the fake did not apply the order before the lost answer")
	}
	if err := c.SubmitWithdrawal(ctx, o); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if f.Sent("77") != 1 || f.Submissions("77") != 2 {
		t.Fatalf("sent %d in %d submissions, want 1 in 2", f.Sent("77"), f.Submissions("77"))
	}
}

func TestReplyCodes(t *testing.T) {
	t.Parallel()
	f := udunfake.New(t, testKey, testMerchant)
	c, _ := newClient(t, f)
	ctx := context.Background()
	if _, err := c.Coins(ctx); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		code    int
		want    error
		refused bool
	}{
		{-1, ErrAddressFailed, false},
		{4001, ErrMerchantUnknown, false},
		{4005, ErrBadParameters, true},
		{4162, ErrBadSignature, false},
		{4169, ErrMerchantDisabled, false},
		{4175, ErrBadWalletID, false},
		{4017, ErrNoWallet, false},
		{4176, ErrCoinNotSupported, true},
		{4165, ErrIllegalAddress, true},
		{4999, ErrUnknownCode, false},
	} {
		f.Inject("/mch/withdraw", udunfake.Fault{Code: tc.code})
		err := c.SubmitWithdrawal(ctx, wallet.WithdrawalOrder{BusinessID: "rc" + string(rune('a'+i)), Currency: usdtTRC20,
			Address: externalTron, Amount: 10_000_000})
		var e *Error
		if !errors.Is(err, tc.want) || !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("code %d: %v, want %v", tc.code, err, tc.want)
		}
		if errors.Is(err, wallet.ErrCustodyRefused) != tc.refused {
			t.Errorf("code %d: refused = %v, want %v", tc.code, !tc.refused, tc.refused)
		}
		if strings.Contains(err.Error(), testKey) {
			t.Errorf("code %d: the error shows the key: %v", tc.code, err)
		}
	}
	// 4288 on a first submission still means the provider holds the order.
	f.Inject("/mch/withdraw", udunfake.Fault{Code: 4288})
	if err := c.SubmitWithdrawal(ctx, wallet.WithdrawalOrder{BusinessID: "dup", Currency: usdtTRC20, Address: externalTron,
		Amount: 10_000_000}); err != nil {
		t.Errorf("4288: %v", err)
	}
	for status, want := range map[int]error{429: ErrRateLimited, 502: ErrUnavailable, 503: ErrUnavailable, 500: ErrUnavailable} {
		f.Inject("/mch/check/address", udunfake.Fault{HTTPStatus: status})
		_, err := c.CheckAddress(ctx, usdtTRC20, externalTron)
		if !errors.Is(err, want) || errors.Is(err, wallet.ErrCustodyRefused) {
			t.Errorf("HTTP %d: %v, want %v", status, err, want)
		}
	}
}

func TestCheckAddress(t *testing.T) {
	t.Parallel()
	f := udunfake.New(t, testKey, testMerchant)
	c, _ := newClient(t, f)
	ctx := context.Background()
	if ok, err := c.CheckAddress(ctx, usdtTRC20, externalTron); !ok || err != nil {
		t.Fatalf("valid address: %v %v", ok, err)
	}
	if ok, err := c.CheckAddress(ctx, usdtERC20, externalTron); ok || err != nil {
		t.Fatalf("tron address on ethereum: %v %v", ok, err)
	}
}

func TestBalances(t *testing.T) {
	t.Parallel()
	f := udunfake.New(t, testKey, testMerchant)
	c, _ := newClient(t, f)
	f.SetBalance(usdtTRC20.CoinType, "1234.5678919")
	f.SetBalance(usdtERC20.CoinType, "")
	got, err := c.Balances(context.Background(), []wallet.Currency{usdtTRC20, usdtERC20})
	if err != nil {
		t.Fatal(err)
	}
	if got[usdtTRC20.Name] != 1_234_567_891 {
		t.Errorf("TRC20 balance %d", got[usdtTRC20.Name])
	}
	if _, ok := got[usdtERC20.Name]; ok {
		t.Errorf("an empty balance was reported: %v", got)
	}
}

func TestAmounts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a           money.Amount
		scale, coin int
		want        string
		wantErr     bool
	}{
		{99_000_000, 6, 6, "99", false},
		{99_500_000, 6, 6, "99.5", false},
		{1, 6, 6, "0.000001", false},
		{1_000_000, 6, 18, "1", false},
		{1_230_000, 6, 2, "1.23", false},
		{1_234_567, 6, 2, "", true},
		{0, 6, 6, "", true},
		{-5, 6, 6, "", true},
		{123, 0, 0, "123", false},
	} {
		got, err := humanAmount(tc.a, tc.scale, tc.coin)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("humanAmount(%d, %d, %d) = %q, %v", tc.a, tc.scale, tc.coin, got, err)
		}
	}
	for s, want := range map[string]int64{"0": 0, "12.5": 12_500_000, ".5": 500_000, "1.0000009": 1_000_000, "7": 7_000_000} {
		if got, ok := parseHuman(s, 6); !ok || int64(got) != want {
			t.Errorf("parseHuman(%q) = %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "-1", "1e5", "1.2.3", "abc", "99999999999999999999"} {
		if _, ok := parseHuman(s, 6); ok {
			t.Errorf("parseHuman(%q) accepted", s)
		}
	}
}
