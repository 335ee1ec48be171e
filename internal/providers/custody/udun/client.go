// Package udun is the custody adapter for UDUN (优盾), PROVIDERS.md §1: deposit
// addresses, withdrawals, address checks and balances over the merchant's
// gateway. Every request is a signed JSON envelope whose business payload
// travels as a JSON string; the callbacks the provider sends back are
// verified by the inbound webhook (package custody's Signer, the same
// scheme).
package udun

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/providers/custody"
)

// Config is the merchant's gateway settings.
type Config struct {
	// GatewayURL is the merchant's own gateway base (there is no public
	// sandbox), e.g. "https://sig10.udun.io".
	GatewayURL string
	MerchantID string
	// APIKey signs requests and callbacks; it never appears in errors or logs.
	APIKey string
	// CallbackURL is where the provider reports deposits and withdrawals:
	// our POST /api/v1/webhooks/custody.
	CallbackURL string
	// CoinTypeField names the chain number in /mch/address/create:
	// "coinType" (the default) or "mainCoinType" — the official SDKs
	// disagree; confirm with the provider.
	CoinTypeField string
	// Timeout bounds each call (default 10 s).
	Timeout time.Duration
}

// DefaultTimeout bounds a call when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// String shows the settings with the API key masked.
func (c Config) String() string {
	return fmt.Sprintf("udun.Config{GatewayURL: %q, MerchantID: %q, APIKey: %s, CallbackURL: %q, CoinTypeField: %q, Timeout: %s}",
		c.GatewayURL, c.MerchantID, maskKey(c.APIKey), c.CallbackURL, c.CoinTypeField, c.Timeout)
}

func maskKey(k string) string {
	if k == "" {
		return `""`
	}
	return "***"
}

func (c *Config) validate() error {
	var problems []string
	for name, raw := range map[string]string{"GatewayURL": c.GatewayURL, "CallbackURL": c.CallbackURL} {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, name+" must be an absolute http(s) URL")
		}
	}
	if strings.TrimSpace(c.MerchantID) == "" {
		problems = append(problems, "MerchantID is required")
	}
	if strings.TrimSpace(c.APIKey) == "" {
		problems = append(problems, "APIKey is required")
	}
	switch c.CoinTypeField {
	case "":
		c.CoinTypeField = "coinType"
	case "coinType", "mainCoinType":
	default:
		problems = append(problems, `CoinTypeField must be "coinType" or "mainCoinType"`)
	}
	switch {
	case c.Timeout == 0:
		c.Timeout = DefaultTimeout
	case c.Timeout < 0:
		problems = append(problems, "Timeout must not be negative")
	}
	if len(problems) > 0 {
		return fmt.Errorf("udun: config: %s", strings.Join(problems, "; "))
	}
	c.GatewayURL = strings.TrimRight(c.GatewayURL, "/")
	return nil
}

// Client is the UDUN adapter. It implements wallet.Custody,
// wallet.CustodyWithdrawals, wallet.AddressChecker and
// wallet.CustodyBalances.
type Client struct {
	cfg    Config
	http   *http.Client
	now    func() time.Time
	signer *custody.Signer
	coins  *coinCache
}

// New returns a Client after checking cfg.
func New(cfg Config, client *http.Client, now func() time.Time) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if client == nil || now == nil {
		return nil, errors.New("udun: New needs an *http.Client and a clock")
	}
	c := &Client{cfg: cfg, http: client, now: now, signer: custody.NewSigner(cfg.APIKey)}
	c.coins = newCoinCache(c.fetchCoins, now)
	return c, nil
}

// Sign is the provider's scheme: lower-case hex MD5(body + apiKey + nonce +
// timestamp), over the exact body text sent.
func Sign(body, apiKey, nonce, timestamp string) string {
	return custody.NewSigner(apiKey).Sign(body, nonce, timestamp)
}

// envelope is the request body of every call. The timestamp (seconds) is a
// JSON number, the nonce six digits as a string.
type envelope struct {
	Timestamp json.Number `json:"timestamp"`
	Nonce     string      `json:"nonce"`
	Sign      string      `json:"sign"`
	Body      string      `json:"body"`
}

// reply is every answer: code 200 or an error code.
type reply struct {
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

const maxReply = 4 << 20

// call posts payload to path and decodes the reply's data into out (when
// not nil). Errors name the path and never the key or the request.
func (c *Client) call(ctx context.Context, path string, payload, out any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("udun %s: encode: %w", path, err)
	}
	nonce, err := newNonce()
	if err != nil {
		return fmt.Errorf("udun %s: nonce: %w", path, err)
	}
	ts := strconv.FormatInt(c.now().Unix(), 10)
	env, err := json.Marshal(envelope{Timestamp: json.Number(ts), Nonce: nonce, Sign: c.signer.Sign(string(body), nonce, ts), Body: string(body)})
	if err != nil {
		return fmt.Errorf("udun %s: encode: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.GatewayURL+path, bytes.NewReader(env))
	if err != nil {
		return fmt.Errorf("udun %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("udun %s: %w: %w", path, ErrUnavailable, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxReply))
	if err != nil {
		return fmt.Errorf("udun %s: %w: read reply: %w", path, ErrUnavailable, err)
	}
	if res.StatusCode != http.StatusOK {
		return &HTTPError{Path: path, Status: res.StatusCode}
	}
	var r reply
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("udun %s: %w: reply is not JSON", path, ErrUnavailable)
	}
	code, err := strconv.Atoi(strings.Trim(string(r.Code), `"`))
	if err != nil {
		return fmt.Errorf("udun %s: %w: reply code %q", path, ErrUnavailable, truncate(string(r.Code), 20))
	}
	if code != CodeOK {
		return &Error{Path: path, Code: code, Message: truncate(r.Message, 200)}
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return fmt.Errorf("udun %s: unexpected data: %w", path, err)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// newNonce is six random digits (the official SDKs send six characters).
func newNonce() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
