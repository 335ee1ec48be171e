package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The real adapters' own settings. The keys that sign webhooks both ways
// (COMECOMEPAY_CUSTODY_API_KEY, COMECOMEPAY_KYC_WEBHOOK_SECRET) stay where
// they were: UDUN signs requests and callbacks with one API key, and the
// simulators sign with the same keys so the sandbox takes the real path.

// UDUN configures the UDUN custody adapter (COMECOMEPAY_CUSTODY_PROVIDER=udun).
type UDUN struct {
	// GatewayURL is the merchant's own gateway (UDUN has one per merchant).
	GatewayURL string
	MerchantID string
	// CallbackURL is where UDUN posts trade callbacks; empty means the
	// public base URL's /api/v1/webhooks/custody.
	CallbackURL string
	// ChainField names the address-create field that carries the chain
	// number: the official SDKs disagree ("coinType" or "mainCoinType").
	ChainField string
	Timeout    time.Duration
}

// Didit configures the Didit KYC adapter (COMECOMEPAY_KYC_PROVIDER=didit).
type Didit struct {
	BaseURL    string
	APIKey     string
	WorkflowID string
	// CallbackURL is where Didit sends the user after the hosted session.
	CallbackURL string
	Timeout     time.Duration
}

// ThreeDSAuth selects how /webhooks/3ds-callback authenticates the issuer.
type ThreeDSAuth struct {
	// Scheme is "hmac" (X-Signature, COMECOMEPAY_3DS_WEBHOOK_SECRET),
	// "thredd-rsa" (X-Thredd-Signature with the processor's public keys) or
	// "bearer" (a token plus a source-IP allow-list).
	Scheme string
	// RSAKeyFiles maps a Thredd key id to its PEM public key file.
	RSAKeyFiles map[string]string
	BearerToken string
	// AllowedNets are the CIDRs the bearer scheme accepts deliveries from.
	AllowedNets []string
}

// ThreeDS authentication schemes.
const (
	ThreeDSHMAC      = "hmac"
	ThreeDSThreddRSA = "thredd-rsa"
	ThreeDSBearer    = "bearer"
)

var providerSettings = []struct{ Name, Default, Meaning string }{
	{"COMECOMEPAY_UDUN_GATEWAY_URL", "empty", "UDUN custody: the merchant's gateway base URL (required with COMECOMEPAY_CUSTODY_PROVIDER=udun); the API key is COMECOMEPAY_CUSTODY_API_KEY"},
	{"COMECOMEPAY_UDUN_MERCHANT_ID", "empty", "UDUN custody: merchant id (required with udun)"},
	{"COMECOMEPAY_UDUN_CALLBACK_URL", "<public base URL>/api/v1/webhooks/custody", "UDUN custody: callUrl sent with addresses and withdrawals"},
	{"COMECOMEPAY_UDUN_CHAIN_FIELD", "coinType", "UDUN custody: address-create field carrying the chain number (`coinType` or `mainCoinType`; confirm with UDUN)"},
	{"COMECOMEPAY_UDUN_TIMEOUT", "10s", "UDUN custody: longest wait for one gateway call"},
	{"COMECOMEPAY_DIDIT_BASE_URL", "https://verification.didit.me", "Didit KYC: API base URL"},
	{"COMECOMEPAY_DIDIT_API_KEY", "empty", "Didit KYC: x-api-key (secret; required with COMECOMEPAY_KYC_PROVIDER=didit); webhooks are verified with COMECOMEPAY_KYC_WEBHOOK_SECRET"},
	{"COMECOMEPAY_DIDIT_WORKFLOW_ID", "empty", "Didit KYC: workflow UUID of the verification (required with didit)"},
	{"COMECOMEPAY_DIDIT_CALLBACK_URL", "<public base URL>", "Didit KYC: where the hosted session sends the user when done"},
	{"COMECOMEPAY_DIDIT_TIMEOUT", "10s", "Didit KYC: longest wait for one API call"},
	{"COMECOMEPAY_3DS_AUTH", "hmac", "3DS webhook authentication: `hmac` (X-Signature with COMECOMEPAY_3DS_WEBHOOK_SECRET), `thredd-rsa` (X-Thredd-Signature) or `bearer` (token + IP allow-list)"},
	{"COMECOMEPAY_3DS_THREDD_KEYS", "empty", "thredd-rsa: comma-separated `keyid=/path/public.pem` entries"},
	{"COMECOMEPAY_3DS_BEARER_TOKEN", "empty", "bearer: the token the issuer sends as `Authorization: Bearer …` (secret)"},
	{"COMECOMEPAY_3DS_ALLOWED_IPS", "empty", "bearer: comma-separated CIDRs the 3DS webhook is accepted from (required with bearer)"},
}

// loadProviderSettings reads the real adapters' settings; a value that
// cannot be parsed is an error in errs.
func loadProviderSettings(c *Config, get func(name, def string) string, dur func(string, time.Duration) time.Duration,
	list func(string) []string, errs *[]error) {
	c.UDUN = UDUN{
		GatewayURL:  strings.TrimRight(get("COMECOMEPAY_UDUN_GATEWAY_URL", ""), "/"),
		MerchantID:  get("COMECOMEPAY_UDUN_MERCHANT_ID", ""),
		CallbackURL: get("COMECOMEPAY_UDUN_CALLBACK_URL", c.PublicBaseURL+"/api/v1/webhooks/custody"),
		ChainField:  get("COMECOMEPAY_UDUN_CHAIN_FIELD", "coinType"),
		Timeout:     dur("COMECOMEPAY_UDUN_TIMEOUT", 10*time.Second),
	}
	c.Didit = Didit{
		BaseURL:     strings.TrimRight(get("COMECOMEPAY_DIDIT_BASE_URL", "https://verification.didit.me"), "/"),
		APIKey:      get("COMECOMEPAY_DIDIT_API_KEY", ""),
		WorkflowID:  get("COMECOMEPAY_DIDIT_WORKFLOW_ID", ""),
		CallbackURL: get("COMECOMEPAY_DIDIT_CALLBACK_URL", c.PublicBaseURL),
		Timeout:     dur("COMECOMEPAY_DIDIT_TIMEOUT", 10*time.Second),
	}
	c.ThreeDSAuth = ThreeDSAuth{
		Scheme:      strings.ToLower(get("COMECOMEPAY_3DS_AUTH", ThreeDSHMAC)),
		BearerToken: get("COMECOMEPAY_3DS_BEARER_TOKEN", ""),
		AllowedNets: list("COMECOMEPAY_3DS_ALLOWED_IPS"),
	}
	for _, entry := range list("COMECOMEPAY_3DS_THREDD_KEYS") {
		id, path, ok := strings.Cut(entry, "=")
		if !ok || strings.TrimSpace(id) == "" || strings.TrimSpace(path) == "" {
			*errs = append(*errs, fmt.Errorf("COMECOMEPAY_3DS_THREDD_KEYS: %q is not keyid=/path/to/key.pem", entry))
			continue
		}
		if c.ThreeDSAuth.RSAKeyFiles == nil {
			c.ThreeDSAuth.RSAKeyFiles = map[string]string{}
		}
		c.ThreeDSAuth.RSAKeyFiles[strings.TrimSpace(id)] = strings.TrimSpace(path)
	}
}

// validateProviderSettings checks that each selected real adapter has what
// it needs to talk to its provider, whatever the mode: a half-configured
// adapter fails at start, not at the first user's request.
func (c Config) validateProviderSettings() []error {
	var errs []error
	if c.Providers.Custody == "udun" {
		errs = append(errs, requireURL("COMECOMEPAY_UDUN_GATEWAY_URL", c.UDUN.GatewayURL)...)
		errs = append(errs, requireURL("COMECOMEPAY_UDUN_CALLBACK_URL", c.UDUN.CallbackURL)...)
		if c.UDUN.MerchantID == "" {
			errs = append(errs, errors.New("COMECOMEPAY_CUSTODY_PROVIDER=udun needs COMECOMEPAY_UDUN_MERCHANT_ID"))
		}
		if c.CustodyAPIKey == "" {
			errs = append(errs, errors.New("COMECOMEPAY_CUSTODY_PROVIDER=udun needs COMECOMEPAY_CUSTODY_API_KEY"))
		}
		if c.UDUN.ChainField != "coinType" && c.UDUN.ChainField != "mainCoinType" {
			errs = append(errs, fmt.Errorf("COMECOMEPAY_UDUN_CHAIN_FIELD: %q is not coinType or mainCoinType", c.UDUN.ChainField))
		}
	}
	if c.Providers.KYC == "didit" {
		errs = append(errs, requireURL("COMECOMEPAY_DIDIT_BASE_URL", c.Didit.BaseURL)...)
		if c.Didit.APIKey == "" {
			errs = append(errs, errors.New("COMECOMEPAY_KYC_PROVIDER=didit needs COMECOMEPAY_DIDIT_API_KEY"))
		}
		if c.Didit.WorkflowID == "" {
			errs = append(errs, errors.New("COMECOMEPAY_KYC_PROVIDER=didit needs COMECOMEPAY_DIDIT_WORKFLOW_ID"))
		}
		if c.KYCWebhookSecret == "" {
			errs = append(errs, errors.New("COMECOMEPAY_KYC_PROVIDER=didit needs COMECOMEPAY_KYC_WEBHOOK_SECRET (Didit's webhook secret)"))
		}
	}
	switch c.ThreeDSAuth.Scheme {
	case "", ThreeDSHMAC: // the zero value is today's scheme
	case ThreeDSThreddRSA:
		if len(c.ThreeDSAuth.RSAKeyFiles) == 0 {
			errs = append(errs, errors.New("COMECOMEPAY_3DS_AUTH=thredd-rsa needs COMECOMEPAY_3DS_THREDD_KEYS"))
		}
	case ThreeDSBearer:
		if len(c.ThreeDSAuth.BearerToken) < 16 {
			errs = append(errs, errors.New("COMECOMEPAY_3DS_AUTH=bearer needs COMECOMEPAY_3DS_BEARER_TOKEN (at least 16 characters)"))
		}
		if len(c.ThreeDSAuth.AllowedNets) == 0 {
			errs = append(errs, errors.New("COMECOMEPAY_3DS_AUTH=bearer needs COMECOMEPAY_3DS_ALLOWED_IPS: a token alone is not enough"))
		}
		for _, n := range c.ThreeDSAuth.AllowedNets {
			if _, _, err := net.ParseCIDR(n); err != nil && net.ParseIP(n) == nil {
				errs = append(errs, fmt.Errorf("COMECOMEPAY_3DS_ALLOWED_IPS: %q is not an IP address or CIDR", n))
			}
		}
	default:
		errs = append(errs, fmt.Errorf("COMECOMEPAY_3DS_AUTH: %q is not hmac, thredd-rsa or bearer", c.ThreeDSAuth.Scheme))
	}
	return errs
}

// requireURL refuses an empty or non-http(s) URL; production wants https.
func requireURL(name, raw string) []error {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return []error{fmt.Errorf("%s: %q is not an http(s) URL", name, raw)}
	}
	return nil
}

// providerLines prints the adapters' settings for Config.String, secrets masked.
func (c Config) providerLines(line func(k, v string)) {
	line("COMECOMEPAY_UDUN_GATEWAY_URL", c.UDUN.GatewayURL)
	line("COMECOMEPAY_UDUN_MERCHANT_ID", c.UDUN.MerchantID)
	line("COMECOMEPAY_UDUN_CALLBACK_URL", c.UDUN.CallbackURL)
	line("COMECOMEPAY_UDUN_CHAIN_FIELD", c.UDUN.ChainField)
	line("COMECOMEPAY_UDUN_TIMEOUT", c.UDUN.Timeout.String())
	line("COMECOMEPAY_DIDIT_BASE_URL", c.Didit.BaseURL)
	line("COMECOMEPAY_DIDIT_API_KEY", mask(c.Didit.APIKey))
	line("COMECOMEPAY_DIDIT_WORKFLOW_ID", c.Didit.WorkflowID)
	line("COMECOMEPAY_DIDIT_CALLBACK_URL", c.Didit.CallbackURL)
	line("COMECOMEPAY_DIDIT_TIMEOUT", c.Didit.Timeout.String())
	line("COMECOMEPAY_3DS_AUTH", c.ThreeDSAuth.Scheme)
	keys := make([]string, 0, len(c.ThreeDSAuth.RSAKeyFiles))
	for id, path := range c.ThreeDSAuth.RSAKeyFiles {
		keys = append(keys, id+"="+path)
	}
	slices.Sort(keys)
	line("COMECOMEPAY_3DS_THREDD_KEYS", strings.Join(keys, ","))
	line("COMECOMEPAY_3DS_BEARER_TOKEN", mask(c.ThreeDSAuth.BearerToken))
	line("COMECOMEPAY_3DS_ALLOWED_IPS", strings.Join(c.ThreeDSAuth.AllowedNets, ","))
}
