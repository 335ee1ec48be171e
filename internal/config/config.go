// Package config is the one place settings are read: defaults, COMECOMEPAY_*
// environment variables, validation, and a String() that masks secrets.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
)

// Mode selects simulated (sandbox) or real (production) providers; staging
// is production's rules on simulated money providers.
type Mode string

const (
	Sandbox Mode = "sandbox"
	// Staging runs the simulated custody, KYC and card issuer with real
	// e-mail allowed, no OTP echo and production's secret rules. It is
	// never chosen implicitly and must never hold real money.
	Staging    Mode = "staging"
	Production Mode = "production"
)

// ProductionLike reports whether the mode holds real users' data: no OTP
// echo, no generated secrets, the secret strength rule.
func (m Mode) ProductionLike() bool { return m == Production || m == Staging }

// Config is every setting of the service.
type Config struct {
	Mode         Mode
	ModeExplicit bool
	HTTPAddr     string
	DataDir      string
	DatabaseURL  string
	LogLevel     string
	// LogFormat is LogAuto (text on a terminal, JSON otherwise), LogJSON or LogText.
	LogFormat string

	// JWTSecret signs access and refresh tokens; JWTPreviousSecrets still
	// verify tokens signed before a rotation.
	JWTSecret          string
	JWTPreviousSecrets []string
	// DataKey (32 bytes) keys the AEAD box and the hashes of codes at rest.
	DataKey []byte
	// CustodyAPIKey signs the custody provider's callbacks.
	CustodyAPIKey string
	// KYCWebhookSecret signs the KYC provider's decision webhooks.
	KYCWebhookSecret string
	// IssuerWebhookSecret signs the card issuer's card events (/webhooks/issuer).
	IssuerWebhookSecret string
	// ThreeDSWebhookSecret signs the issuer's 3DS challenges (/webhooks/3ds-callback).
	ThreeDSWebhookSecret string
	// The previous key of each provider, still accepted on inbound
	// webhooks while a rotation is under way (empty: none).
	CustodyPreviousAPIKey        string
	KYCWebhookPreviousSecret     string
	IssuerWebhookPreviousSecret  string
	ThreeDSWebhookPreviousSecret string
	// Providers selects the adapter of each provider port.
	Providers Providers
	// Tracing is OpenTelemetry's set-up (OTEL_* variables).
	Tracing Tracing
	// UDUN, Didit and ThreeDSAuth are the real adapters' settings.
	UDUN        UDUN
	Didit       Didit
	ThreeDSAuth ThreeDSAuth
	// FCMCredentialsFile is a Google service-account key file; when set,
	// pushes go to Firebase Cloud Messaging.
	FCMCredentialsFile string
	// PublicBaseURL is where clients reach this service (sandbox KYC pages).
	PublicBaseURL string

	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration

	SMTP SMTP

	CORSOrigins         []string
	TrustProxyHeaders   bool
	ShutdownTimeout     time.Duration
	JobPollInterval     time.Duration
	PasswordHashProfile string
	// SandboxSettleDelay is how long the sandbox custody takes to complete a
	// submitted withdrawal.
	SandboxSettleDelay time.Duration
	// SandboxAutoSettle lets the sandbox custody complete submitted
	// withdrawals by itself; off, they wait for /sandbox/withdrawals/{id}/settle.
	SandboxAutoSettle bool
	// SandboxWithdrawalsWaitForOperator turns off the sandbox's approval of
	// every withdrawal, so they wait for an operator as in production (the
	// zero value keeps the sandbox's default).
	SandboxWithdrawalsWaitForOperator bool
	// MaxCards is the default number of cards an account may hold.
	MaxCards int
	// RequestsPerIP and RequestsPerUser are the per-minute request limits of
	// API.md §1.14 (0 turns a limit off).
	RequestsPerIP   int
	RequestsPerUser int
	// SandboxIssueDelay is how long the sandbox issuer takes to issue a card.
	SandboxIssueDelay time.Duration
	// SandboxIssueFailureRate is the share of sandbox issuance calls that fail.
	SandboxIssueFailureRate float64
	// SandboxCardBIN is the test BIN of sandbox PANs (never a production BIN).
	SandboxCardBIN string
	// SandboxToken, when set, must be sent as X-Sandbox-Token to /sandbox/*.
	SandboxToken string
	// WithdrawalNeedsTxPassword makes the transaction password mandatory on
	// withdrawals (the shipped mobile client does not send it).
	WithdrawalNeedsTxPassword bool
	// WalletCurrencies is the enabled currency list (names of the currency
	// table, in display order).
	WalletCurrencies []string
	// FXRate is the USD-stablecoin → HKD mid rate of the sandbox rate source;
	// FXSpread is the fraction taken off it on each side.
	FXRate   money.Rate
	FXSpread money.Rate
	// IssuerTimeout bounds each card issuer call; IssuerBreakerFailures
	// outages in a row open the issuer's circuit breaker for
	// IssuerBreakerCooldown (zero values take the guard's defaults).
	IssuerTimeout         time.Duration
	IssuerBreakerFailures int
	IssuerBreakerCooldown time.Duration
}

// SMTP configures the real e-mail provider.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// TLS is SMTPStartTLS, SMTPImplicitTLS or SMTPNoTLS.
	TLS string
}

// Configured reports whether an SMTP provider has been set up.
func (s SMTP) Configured() bool { return s.Host != "" }

// Settings documents every variable: the README table is written from it.
var Settings = append(coreSettings, providerSettings...)

var coreSettings = []struct{ Name, Default, Meaning string }{
	{"COMECOMEPAY_MODE", "sandbox if no SMTP host, else production", "`sandbox` (simulated providers, OTP echo), `staging` (simulated money providers, real e-mail allowed, production's secret rules; explicit only) or `production` (real providers only)"},
	{"COMECOMEPAY_HTTP_ADDR", ":8080", "listen address of the API"},
	{"COMECOMEPAY_DATA_DIR", "./data", "directory for the SQLite file and generated sandbox secrets"},
	{"COMECOMEPAY_DATABASE_URL", "SQLite file `<data dir>/comecomepay.db`", "`postgres://…` selects PostgreSQL; a path or `sqlite://path` selects SQLite"},
	{"COMECOMEPAY_LOG_LEVEL", "info", "debug, info, warn, error"},
	{"COMECOMEPAY_LOG_FORMAT", "auto", "`auto` (human-readable text when the output is a terminal, JSON otherwise), `json` or `text`"},
	{"COMECOMEPAY_JWT_SECRET", "generated in sandbox; required in production", "HS256 key for tokens, at least 32 bytes"},
	{"COMECOMEPAY_JWT_PREVIOUS_SECRETS", "empty", "comma-separated old JWT keys still accepted for verification"},
	{"COMECOMEPAY_DATA_KEY", "generated in sandbox; required in production", "base64 of 32 random bytes: encryption and keyed hashes of data at rest"},
	{"COMECOMEPAY_CUSTODY_API_KEY", "generated in sandbox; required in production", "custody provider API key: signs requests to it and its callbacks (secret; issued by UDUN in production)"},
	{"COMECOMEPAY_KYC_WEBHOOK_SECRET", "generated in sandbox; required in production", "HMAC key of the KYC provider's decision webhooks (secret; Didit's webhook secret in production)"},
	{"COMECOMEPAY_ISSUER_WEBHOOK_SECRET", "generated in sandbox; required in production", "HMAC key of the card issuer's card events (secret)"},
	{"COMECOMEPAY_3DS_WEBHOOK_SECRET", "generated in sandbox; required in production", "HMAC key of the card issuer's 3DS challenge webhooks (secret)"},
	{"COMECOMEPAY_CUSTODY_PREVIOUS_API_KEY", "empty", "previous custody API key, still accepted on callbacks during a rotation (secret)"},
	{"COMECOMEPAY_KYC_WEBHOOK_PREVIOUS_SECRET", "empty", "previous KYC webhook key, still accepted during a rotation (secret)"},
	{"COMECOMEPAY_ISSUER_WEBHOOK_PREVIOUS_SECRET", "empty", "previous issuer webhook key, still accepted during a rotation (secret)"},
	{"COMECOMEPAY_3DS_WEBHOOK_PREVIOUS_SECRET", "empty", "previous 3DS webhook key, still accepted during a rotation (secret)"},
	{"COMECOMEPAY_CUSTODY_PROVIDER", "sandbox", "custody adapter: `sandbox` (the simulator; production refuses it) or `udun`"},
	{"COMECOMEPAY_KYC_PROVIDER", "sandbox", "KYC adapter: `sandbox` (the simulator; production refuses it) or `didit`"},
	{"COMECOMEPAY_ISSUER_PROVIDER", "sandbox", "card issuer adapter: `sandbox` (the simulator) is the only one until the PokePay adapter lands (docs/providers-issuer.md), so production cannot start yet"},
	{"COMECOMEPAY_FCM_CREDENTIALS_FILE", "empty (sandbox: pushes recorded; production: pushes off)", "Google service-account JSON key file for Firebase Cloud Messaging (HTTP v1)"},
	{"COMECOMEPAY_PUBLIC_BASE_URL", "http://localhost:8080", "public base URL of this service (links to the sandbox KYC page)"},
	{"COMECOMEPAY_ACCESS_TOKEN_TTL", "24h", "access token lifetime"},
	{"COMECOMEPAY_REFRESH_TOKEN_TTL", "168h", "refresh token lifetime"},
	{"COMECOMEPAY_SMTP_HOST", "empty (sandbox e-mail)", "SMTP server host; setting it selects real e-mail"},
	{"COMECOMEPAY_SMTP_PORT", "587", "SMTP port"},
	{"COMECOMEPAY_SMTP_USERNAME", "empty", "SMTP user"},
	{"COMECOMEPAY_SMTP_PASSWORD", "empty", "SMTP password (secret)"},
	{"COMECOMEPAY_SMTP_FROM", "no-reply@comecomepay.local", "sender address"},
	{"COMECOMEPAY_SMTP_TLS", "starttls", "`starttls` (required upgrade, port 587), `implicit` (TLS from the first byte, SMTPS port 465) or `none` (in clear: a local relay only; passwords then only through CRAM-MD5/SCRAM)"},
	{"COMECOMEPAY_SMTP_STARTTLS", "true", "deprecated: `false` means COMECOMEPAY_SMTP_TLS=none when that is unset"},
	{"COMECOMEPAY_CORS_ORIGINS", "empty (no CORS)", "comma-separated allowed origins, or `*`"},
	{"COMECOMEPAY_TRUST_PROXY_HEADERS", "false", "take the client IP from the last X-Forwarded-For hop (only behind one trusted proxy)"},
	{"COMECOMEPAY_SHUTDOWN_TIMEOUT", "20s", "grace period for in-flight requests and jobs on SIGTERM"},
	{"COMECOMEPAY_JOB_POLL_INTERVAL", "1s", "how often job workers poll for new jobs"},
	{"COMECOMEPAY_SANDBOX_SETTLE_DELAY", "2s", "sandbox custody: delay before a submitted withdrawal completes (0 = at once)"},
	{"COMECOMEPAY_MAX_CARDS", "5", "default of the max_cards platform setting (an operator's stored value wins)"},
	{"COMECOMEPAY_RATE_LIMIT_PER_IP", "300", "API requests per minute per client IP (webhooks exempt; 0 = off)"},
	{"COMECOMEPAY_RATE_LIMIT_PER_USER", "120", "API requests per minute per signed-in user (0 = off)"},
	{"COMECOMEPAY_SANDBOX_ISSUE_DELAY", "2s", "sandbox issuer: time to issue a card (0 = at once)"},
	{"COMECOMEPAY_SANDBOX_ISSUE_FAILURE_RATE", "0", "sandbox issuer: share of issuance calls that fail (0–1; failures are retried)"},
	{"COMECOMEPAY_SANDBOX_CARD_BIN", "424242", "sandbox issuer: 6-digit test BIN of issued PANs"},
	{"COMECOMEPAY_SANDBOX_AUTO_SETTLE", "true", "sandbox custody completes submitted withdrawals by itself"},
	{"COMECOMEPAY_SANDBOX_AUTO_APPROVE_WITHDRAWALS", "true", "sandbox mode approves every withdrawal; false makes them wait for an operator"},
	{"COMECOMEPAY_SANDBOX_TOKEN", "empty (sandbox helpers open)", "when set, /sandbox/* requires header X-Sandbox-Token with this value; staging mounts /sandbox/* only when it is set (secret)"},
	{"COMECOMEPAY_WITHDRAWAL_REQUIRES_TX_PASSWORD", "false", "withdrawals must carry the transaction password"},
	{"COMECOMEPAY_WALLET_CURRENCIES", "USDT-TRC20,USDT-ERC20,USDC-TRC20,USDC-ERC20,HKD", "enabled wallet currencies, in display order"},
	{"COMECOMEPAY_FX_USDT_HKD", "7.80", "sandbox FX: USD-stablecoin → HKD mid rate until `POST /sandbox/fx` stores another"},
	{"COMECOMEPAY_FX_SPREAD", "0", "fraction taken off the mid rate on each side (e.g. 0.005)"},
	{"COMECOMEPAY_ISSUER_TIMEOUT", "15s", "longest wait for one card issuer call; the operation then goes to its recovery path"},
	{"COMECOMEPAY_ISSUER_BREAKER_FAILURES", "5", "card issuer time-outs, broken connections or 5xx in a row that open its circuit breaker (calls then fail fast with 503)"},
	{"COMECOMEPAY_ISSUER_BREAKER_COOLDOWN", "30s", "how long the card issuer's circuit breaker stays open before one probe call"},
	{"COMECOMEPAY_PASSWORD_HASH", "default", "argon2id cost profile: `default` (OWASP: 19 MiB, t=2) or `fast` (tests only, refused in production)"},
}

// Load reads the configuration from getenv and validates it.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	dur := func(name string, def time.Duration) time.Duration {
		v := get(name, "")
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a positive duration", name, v))
			return def
		}
		return d
	}
	durZero := func(name string, def time.Duration) time.Duration {
		v := get(name, "")
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a duration ≥ 0", name, v))
			return def
		}
		return d
	}
	boolean := func(name string, def bool) bool {
		v := get(name, "")
		if v == "" {
			return def
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a boolean", name, v))
			return def
		}
		return b
	}
	list := func(name string) []string {
		var out []string
		for _, s := range strings.Split(get(name, ""), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}

	c := Config{
		HTTPAddr:                     get("COMECOMEPAY_HTTP_ADDR", ":8080"),
		DataDir:                      get("COMECOMEPAY_DATA_DIR", "./data"),
		LogLevel:                     strings.ToLower(get("COMECOMEPAY_LOG_LEVEL", "info")),
		LogFormat:                    strings.ToLower(get("COMECOMEPAY_LOG_FORMAT", LogAuto)),
		JWTSecret:                    get("COMECOMEPAY_JWT_SECRET", ""),
		JWTPreviousSecrets:           list("COMECOMEPAY_JWT_PREVIOUS_SECRETS"),
		CustodyAPIKey:                get("COMECOMEPAY_CUSTODY_API_KEY", ""),
		KYCWebhookSecret:             get("COMECOMEPAY_KYC_WEBHOOK_SECRET", ""),
		IssuerWebhookSecret:          get("COMECOMEPAY_ISSUER_WEBHOOK_SECRET", ""),
		ThreeDSWebhookSecret:         get("COMECOMEPAY_3DS_WEBHOOK_SECRET", ""),
		CustodyPreviousAPIKey:        get("COMECOMEPAY_CUSTODY_PREVIOUS_API_KEY", ""),
		KYCWebhookPreviousSecret:     get("COMECOMEPAY_KYC_WEBHOOK_PREVIOUS_SECRET", ""),
		IssuerWebhookPreviousSecret:  get("COMECOMEPAY_ISSUER_WEBHOOK_PREVIOUS_SECRET", ""),
		ThreeDSWebhookPreviousSecret: get("COMECOMEPAY_3DS_WEBHOOK_PREVIOUS_SECRET", ""),
		Providers: Providers{
			Custody: strings.ToLower(get("COMECOMEPAY_CUSTODY_PROVIDER", SimulatorProvider)),
			KYC:     strings.ToLower(get("COMECOMEPAY_KYC_PROVIDER", SimulatorProvider)),
			Issuer:  strings.ToLower(get("COMECOMEPAY_ISSUER_PROVIDER", SimulatorProvider)),
		},
		FCMCredentialsFile:                get("COMECOMEPAY_FCM_CREDENTIALS_FILE", ""),
		PublicBaseURL:                     strings.TrimRight(get("COMECOMEPAY_PUBLIC_BASE_URL", "http://localhost:8080"), "/"),
		AccessTokenTTL:                    dur("COMECOMEPAY_ACCESS_TOKEN_TTL", 24*time.Hour),
		RefreshTokenTTL:                   dur("COMECOMEPAY_REFRESH_TOKEN_TTL", 7*24*time.Hour),
		CORSOrigins:                       list("COMECOMEPAY_CORS_ORIGINS"),
		TrustProxyHeaders:                 boolean("COMECOMEPAY_TRUST_PROXY_HEADERS", false),
		ShutdownTimeout:                   dur("COMECOMEPAY_SHUTDOWN_TIMEOUT", 20*time.Second),
		JobPollInterval:                   dur("COMECOMEPAY_JOB_POLL_INTERVAL", time.Second),
		PasswordHashProfile:               get("COMECOMEPAY_PASSWORD_HASH", "default"),
		SandboxSettleDelay:                durZero("COMECOMEPAY_SANDBOX_SETTLE_DELAY", 2*time.Second),
		SandboxAutoSettle:                 boolean("COMECOMEPAY_SANDBOX_AUTO_SETTLE", true),
		SandboxWithdrawalsWaitForOperator: !boolean("COMECOMEPAY_SANDBOX_AUTO_APPROVE_WITHDRAWALS", true),
		SandboxIssueDelay:                 durZero("COMECOMEPAY_SANDBOX_ISSUE_DELAY", 2*time.Second),
		WalletCurrencies:                  list("COMECOMEPAY_WALLET_CURRENCIES"),
		SandboxToken:                      get("COMECOMEPAY_SANDBOX_TOKEN", ""),
		WithdrawalNeedsTxPassword:         boolean("COMECOMEPAY_WITHDRAWAL_REQUIRES_TX_PASSWORD", false),
		IssuerTimeout:                     dur("COMECOMEPAY_ISSUER_TIMEOUT", 15*time.Second),
		IssuerBreakerCooldown:             dur("COMECOMEPAY_ISSUER_BREAKER_COOLDOWN", 30*time.Second),
		SMTP: SMTP{
			Host:     get("COMECOMEPAY_SMTP_HOST", ""),
			Username: get("COMECOMEPAY_SMTP_USERNAME", ""),
			Password: getenv("COMECOMEPAY_SMTP_PASSWORD"),
			From:     get("COMECOMEPAY_SMTP_FROM", "no-reply@comecomepay.local"),
			TLS:      smtpTLS(get, boolean),
		},
	}
	c.DatabaseURL = get("COMECOMEPAY_DATABASE_URL", filepath.Join(c.DataDir, "comecomepay.db"))
	loadProviderSettings(&c, get, dur, list, &errs)
	c.Tracing = loadTracing(getenv, &errs)
	if len(c.WalletCurrencies) == 0 {
		c.WalletCurrencies = []string{"USDT-TRC20", "USDT-ERC20", "USDC-TRC20", "USDC-ERC20", "HKD"}
	}
	var err error
	if c.FXRate, err = money.ParseRate(get("COMECOMEPAY_FX_USDT_HKD", "7.80")); err != nil {
		errs = append(errs, fmt.Errorf("COMECOMEPAY_FX_USDT_HKD: %w", err))
	}
	if spread := get("COMECOMEPAY_FX_SPREAD", "0"); spread != "0" {
		if c.FXSpread, err = money.ParseRate(spread); err != nil || c.FXSpread >= money.RateScale/2 {
			errs = append(errs, errors.New("COMECOMEPAY_FX_SPREAD: must be a fraction below 0.5"))
		}
	}
	if c.SandboxIssueFailureRate, err = strconv.ParseFloat(get("COMECOMEPAY_SANDBOX_ISSUE_FAILURE_RATE", "0"), 64); err != nil ||
		c.SandboxIssueFailureRate < 0 || c.SandboxIssueFailureRate > 1 {
		errs = append(errs, errors.New("COMECOMEPAY_SANDBOX_ISSUE_FAILURE_RATE: must be a number from 0 to 1"))
	}
	if c.SandboxCardBIN = get("COMECOMEPAY_SANDBOX_CARD_BIN", "424242"); len(c.SandboxCardBIN) != 6 || strings.Trim(c.SandboxCardBIN, "0123456789") != "" {
		errs = append(errs, errors.New("COMECOMEPAY_SANDBOX_CARD_BIN: must be 6 digits"))
	}
	if c.MaxCards, err = strconv.Atoi(get("COMECOMEPAY_MAX_CARDS", "5")); err != nil || c.MaxCards < 1 || c.MaxCards > 100 {
		errs = append(errs, errors.New("COMECOMEPAY_MAX_CARDS: must be a number from 1 to 100"))
	}
	if c.RequestsPerIP, err = strconv.Atoi(get("COMECOMEPAY_RATE_LIMIT_PER_IP", "300")); err != nil || c.RequestsPerIP < 0 {
		errs = append(errs, errors.New("COMECOMEPAY_RATE_LIMIT_PER_IP: must be a number ≥ 0 (0 = off)"))
	}
	if c.RequestsPerUser, err = strconv.Atoi(get("COMECOMEPAY_RATE_LIMIT_PER_USER", "120")); err != nil || c.RequestsPerUser < 0 {
		errs = append(errs, errors.New("COMECOMEPAY_RATE_LIMIT_PER_USER: must be a number ≥ 0 (0 = off)"))
	}
	if c.IssuerBreakerFailures, err = strconv.Atoi(get("COMECOMEPAY_ISSUER_BREAKER_FAILURES", "5")); err != nil ||
		c.IssuerBreakerFailures < 1 || c.IssuerBreakerFailures > 1000 {
		errs = append(errs, errors.New("COMECOMEPAY_ISSUER_BREAKER_FAILURES: must be a number from 1 to 1000"))
	}
	port, err := strconv.Atoi(get("COMECOMEPAY_SMTP_PORT", "587"))
	if err != nil || port <= 0 || port > 65535 {
		errs = append(errs, errors.New("COMECOMEPAY_SMTP_PORT: not a port number"))
	}
	c.SMTP.Port = port

	switch m := Mode(strings.ToLower(get("COMECOMEPAY_MODE", ""))); m {
	case "":
		c.Mode = Sandbox
		if c.SMTP.Configured() {
			c.Mode = Production
		}
	case Sandbox, Staging, Production:
		c.Mode, c.ModeExplicit = m, true
	default:
		errs = append(errs, fmt.Errorf("COMECOMEPAY_MODE: %q is not sandbox, staging or production", m))
	}
	if k := get("COMECOMEPAY_DATA_KEY", ""); k != "" {
		key, err := decodeKey(k)
		if err != nil {
			errs = append(errs, fmt.Errorf("COMECOMEPAY_DATA_KEY: %w", err))
		}
		c.DataKey = key
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	return c, c.Validate()
}

// Validate checks the settings that depend on each other. Secrets missing in
// sandbox mode are generated later (see EnsureSandboxSecrets).
func (c Config) Validate() error {
	var errs []error
	if c.Mode.ProductionLike() {
		errs = append(errs, c.validateSecrets()...)
		if c.PasswordHashProfile != "default" {
			errs = append(errs, fmt.Errorf("%s mode needs COMECOMEPAY_PASSWORD_HASH=default", c.Mode))
		}
	}
	errs = append(errs, c.CheckProviders())
	errs = append(errs, c.validateProviderSettings()...)
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		errs = append(errs, errors.New("COMECOMEPAY_JWT_SECRET must be at least 32 bytes"))
	}
	for _, s := range c.JWTPreviousSecrets {
		if len(s) < 32 {
			errs = append(errs, errors.New("every COMECOMEPAY_JWT_PREVIOUS_SECRETS entry must be at least 32 bytes"))
			break
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("COMECOMEPAY_LOG_LEVEL: %q is not one of debug, info, warn, error", c.LogLevel))
	}
	errs = append(errs, c.validateLogAndMail()...)
	switch c.PasswordHashProfile {
	case "default", "fast":
	default:
		errs = append(errs, fmt.Errorf("COMECOMEPAY_PASSWORD_HASH: %q is not default or fast", c.PasswordHashProfile))
	}
	if c.HTTPAddr == "" {
		errs = append(errs, errors.New("COMECOMEPAY_HTTP_ADDR is empty"))
	}
	return errors.Join(errs...)
}

// String prints the configuration with every secret masked.
func (c Config) String() string {
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "%-42s %s\n", k, v) }
	line("COMECOMEPAY_MODE", string(c.Mode))
	line("COMECOMEPAY_HTTP_ADDR", c.HTTPAddr)
	line("COMECOMEPAY_DATA_DIR", c.DataDir)
	line("COMECOMEPAY_DATABASE_URL", MaskURL(c.DatabaseURL))
	line("COMECOMEPAY_LOG_LEVEL", c.LogLevel)
	line("COMECOMEPAY_LOG_FORMAT", c.LogFormat)
	line("COMECOMEPAY_JWT_SECRET", mask(c.JWTSecret))
	line("COMECOMEPAY_JWT_PREVIOUS_SECRETS", fmt.Sprintf("%d key(s)", len(c.JWTPreviousSecrets)))
	line("COMECOMEPAY_DATA_KEY", mask(string(c.DataKey)))
	line("COMECOMEPAY_CUSTODY_API_KEY", mask(c.CustodyAPIKey))
	line("COMECOMEPAY_KYC_WEBHOOK_SECRET", mask(c.KYCWebhookSecret))
	line("COMECOMEPAY_ISSUER_WEBHOOK_SECRET", mask(c.IssuerWebhookSecret))
	line("COMECOMEPAY_3DS_WEBHOOK_SECRET", mask(c.ThreeDSWebhookSecret))
	line("COMECOMEPAY_CUSTODY_PREVIOUS_API_KEY", mask(c.CustodyPreviousAPIKey))
	line("COMECOMEPAY_KYC_WEBHOOK_PREVIOUS_SECRET", mask(c.KYCWebhookPreviousSecret))
	line("COMECOMEPAY_ISSUER_WEBHOOK_PREVIOUS_SECRET", mask(c.IssuerWebhookPreviousSecret))
	line("COMECOMEPAY_3DS_WEBHOOK_PREVIOUS_SECRET", mask(c.ThreeDSWebhookPreviousSecret))
	line("COMECOMEPAY_CUSTODY_PROVIDER", c.Providers.Custody)
	line("COMECOMEPAY_KYC_PROVIDER", c.Providers.KYC)
	line("COMECOMEPAY_ISSUER_PROVIDER", c.Providers.Issuer)
	c.providerLines(line)
	line("COMECOMEPAY_FCM_CREDENTIALS_FILE", c.FCMCredentialsFile)
	line("COMECOMEPAY_PUBLIC_BASE_URL", c.PublicBaseURL)
	line("COMECOMEPAY_ACCESS_TOKEN_TTL", c.AccessTokenTTL.String())
	line("COMECOMEPAY_REFRESH_TOKEN_TTL", c.RefreshTokenTTL.String())
	line("COMECOMEPAY_SMTP_HOST", c.SMTP.Host)
	line("COMECOMEPAY_SMTP_PORT", strconv.Itoa(c.SMTP.Port))
	line("COMECOMEPAY_SMTP_USERNAME", c.SMTP.Username)
	line("COMECOMEPAY_SMTP_PASSWORD", mask(c.SMTP.Password))
	line("COMECOMEPAY_SMTP_FROM", c.SMTP.From)
	line("COMECOMEPAY_SMTP_TLS", c.SMTP.TLS)
	line("COMECOMEPAY_SMTP_STARTTLS", "(deprecated: see COMECOMEPAY_SMTP_TLS)")
	line("COMECOMEPAY_CORS_ORIGINS", strings.Join(c.CORSOrigins, ","))
	line("COMECOMEPAY_TRUST_PROXY_HEADERS", strconv.FormatBool(c.TrustProxyHeaders))
	line("COMECOMEPAY_SHUTDOWN_TIMEOUT", c.ShutdownTimeout.String())
	line("COMECOMEPAY_JOB_POLL_INTERVAL", c.JobPollInterval.String())
	line("COMECOMEPAY_SANDBOX_SETTLE_DELAY", c.SandboxSettleDelay.String())
	line("COMECOMEPAY_MAX_CARDS", strconv.Itoa(c.MaxCards))
	line("COMECOMEPAY_RATE_LIMIT_PER_IP", strconv.Itoa(c.RequestsPerIP))
	line("COMECOMEPAY_RATE_LIMIT_PER_USER", strconv.Itoa(c.RequestsPerUser))
	line("COMECOMEPAY_SANDBOX_ISSUE_DELAY", c.SandboxIssueDelay.String())
	line("COMECOMEPAY_SANDBOX_ISSUE_FAILURE_RATE", strconv.FormatFloat(c.SandboxIssueFailureRate, 'f', -1, 64))
	line("COMECOMEPAY_SANDBOX_CARD_BIN", c.SandboxCardBIN)
	line("COMECOMEPAY_SANDBOX_AUTO_SETTLE", strconv.FormatBool(c.SandboxAutoSettle))
	line("COMECOMEPAY_SANDBOX_AUTO_APPROVE_WITHDRAWALS", strconv.FormatBool(!c.SandboxWithdrawalsWaitForOperator))
	line("COMECOMEPAY_SANDBOX_TOKEN", mask(c.SandboxToken))
	line("COMECOMEPAY_WITHDRAWAL_REQUIRES_TX_PASSWORD", strconv.FormatBool(c.WithdrawalNeedsTxPassword))
	line("COMECOMEPAY_WALLET_CURRENCIES", strings.Join(c.WalletCurrencies, ","))
	line("COMECOMEPAY_FX_USDT_HKD", c.FXRate.String())
	line("COMECOMEPAY_FX_SPREAD", c.FXSpread.String())
	line("COMECOMEPAY_ISSUER_TIMEOUT", c.IssuerTimeout.String())
	line("COMECOMEPAY_ISSUER_BREAKER_FAILURES", strconv.Itoa(c.IssuerBreakerFailures))
	line("COMECOMEPAY_ISSUER_BREAKER_COOLDOWN", c.IssuerBreakerCooldown.String())
	line("COMECOMEPAY_PASSWORD_HASH", c.PasswordHashProfile)
	line("OTEL traces exported (OTLP)", fmt.Sprintf("%t (service %s)", c.Tracing.Export, c.Tracing.ServiceName))
	return b.String()
}

func mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "****** (set)"
}

// MaskURL hides the passwords of a database URL: in the user info and in
// password query parameters. A URL that cannot be parsed is hidden whole.
func MaskURL(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw // a file path
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable url hidden)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "******")
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "******")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
