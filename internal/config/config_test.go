package config_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/config"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var (
	dataKey    = strings.Repeat("D", 32)
	dataKeyB64 = base64.StdEncoding.EncodeToString([]byte(dataKey))
	jwtSecret  = "jwt-secret-" + strings.Repeat("j", 32)

	// Strong fixed secrets for production and staging (the strength rule
	// refuses the sandbox test values above).
	prodJWTSecret  = "pJ7wQ2xK9mV4rT8yB3nH6sL1dF5gZ0cA-jwt"
	prodDataKey    = sha256.Sum256([]byte("config test data key"))
	prodDataKeyB64 = base64.StdEncoding.EncodeToString(prodDataKey[:])
	prodCustodyKey = "cU5tK3yQ8wE1rT6yP2oL9kJ4hG7fD0sA-custody"
)

// production is a complete production environment but for the real
// providers, which this build does not have yet: production() loads only
// with the mode changed to staging.
func production() map[string]string {
	return map[string]string{
		"COMECOMEPAY_MODE":                  "production",
		"COMECOMEPAY_JWT_SECRET":            prodJWTSecret,
		"COMECOMEPAY_DATA_KEY":              prodDataKeyB64,
		"COMECOMEPAY_CUSTODY_API_KEY":       prodCustodyKey,
		"COMECOMEPAY_KYC_WEBHOOK_SECRET":    "kY7cW3eB9hK2sE5cR8eT1vA4lU6eX0qZ-kyc",
		"COMECOMEPAY_ISSUER_WEBHOOK_SECRET": "iS3sU8eR1wE6bH4oO9kS2eC7rE5tV0aL-issuer",
		"COMECOMEPAY_3DS_WEBHOOK_SECRET":    "tH4rE8eD2sW6eB1hO5oK9sE3cR7eT0vQ-3ds",
		"COMECOMEPAY_SMTP_HOST":             "smtp.example.com",
		"COMECOMEPAY_SMTP_PASSWORD":         "smtp-pass-XYZ",
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	checks := []struct {
		name     string
		got, exp any
	}{
		{"mode", c.Mode, config.Sandbox}, {"explicit", c.ModeExplicit, false}, {"addr", c.HTTPAddr, ":8080"},
		{"dir", c.DataDir, "./data"}, {"db", c.DatabaseURL, filepath.Join("data", "comecomepay.db")},
		{"log", c.LogLevel, "info"}, {"jwt", c.JWTSecret, ""}, {"previous", len(c.JWTPreviousSecrets), 0},
		{"key", len(c.DataKey), 0}, {"custody", c.CustodyAPIKey, ""},
		{"access", c.AccessTokenTTL, 24 * time.Hour}, {"refresh", c.RefreshTokenTTL, 7 * 24 * time.Hour},
		{"smtp", c.SMTP, config.SMTP{Port: 587, From: "no-reply@comecomepay.local", TLS: config.SMTPStartTLS}},
		{"log format", c.LogFormat, config.LogAuto},
		{"smtp configured", c.SMTP.Configured(), false}, {"cors", len(c.CORSOrigins), 0},
		{"proxy", c.TrustProxyHeaders, false}, {"shutdown", c.ShutdownTimeout, 20 * time.Second},
		{"poll", c.JobPollInterval, time.Second}, {"hash", c.PasswordHashProfile, "default"},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.exp) {
			t.Errorf("default %s = %#v, want %#v", ch.name, ch.got, ch.exp)
		}
	}
	if len(config.Settings) == 0 {
		t.Fatal("no documented settings")
	}
	for _, s := range config.Settings {
		if !strings.HasPrefix(s.Name, "COMECOMEPAY_") || s.Default == "" || s.Meaning == "" {
			t.Errorf("setting %+v is not fully documented", s)
		}
		if !strings.Contains(c.String(), s.Name) {
			t.Errorf("String() does not show %s", s.Name)
		}
	}
}

func TestEnvParsing(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(map[string]string{
		"COMECOMEPAY_MODE":                 " Sandbox ",
		"COMECOMEPAY_HTTP_ADDR":            "127.0.0.1:9000",
		"COMECOMEPAY_DATA_DIR":             "/var/lib/ccp",
		"COMECOMEPAY_LOG_LEVEL":            "DEBUG",
		"COMECOMEPAY_LOG_FORMAT":           "JSON",
		"COMECOMEPAY_JWT_SECRET":           jwtSecret,
		"COMECOMEPAY_JWT_PREVIOUS_SECRETS": " " + strings.Repeat("a", 32) + " ,, " + strings.Repeat("b", 40) + ",",
		"COMECOMEPAY_DATA_KEY":             dataKeyB64,
		"COMECOMEPAY_ACCESS_TOKEN_TTL":     "15m",
		"COMECOMEPAY_REFRESH_TOKEN_TTL":    "720h",
		"COMECOMEPAY_SMTP_PORT":            "2525",
		"COMECOMEPAY_SMTP_STARTTLS":        "false",
		"COMECOMEPAY_CORS_ORIGINS":         "https://a.example, https://b.example",
		"COMECOMEPAY_TRUST_PROXY_HEADERS":  "1",
		"COMECOMEPAY_SHUTDOWN_TIMEOUT":     "3s",
		"COMECOMEPAY_JOB_POLL_INTERVAL":    "250ms",
		"COMECOMEPAY_PASSWORD_HASH":        "fast",
	}))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	checks := []struct {
		name     string
		got, exp any
	}{
		{"mode", c.Mode, config.Sandbox}, {"explicit", c.ModeExplicit, true},
		{"addr", c.HTTPAddr, "127.0.0.1:9000"}, {"db", c.DatabaseURL, "/var/lib/ccp/comecomepay.db"},
		{"log", c.LogLevel, "debug"}, {"log format", c.LogFormat, config.LogJSON}, {"jwt", c.JWTSecret, jwtSecret},
		{"previous", c.JWTPreviousSecrets, []string{strings.Repeat("a", 32), strings.Repeat("b", 40)}},
		{"key", string(c.DataKey), dataKey}, {"access", c.AccessTokenTTL, 15 * time.Minute},
		{"refresh", c.RefreshTokenTTL, 720 * time.Hour}, {"port", c.SMTP.Port, 2525},
		{"smtp tls", c.SMTP.TLS, config.SMTPNoTLS}, {"cors", c.CORSOrigins, []string{"https://a.example", "https://b.example"}},
		{"proxy", c.TrustProxyHeaders, true}, {"shutdown", c.ShutdownTimeout, 3 * time.Second},
		{"poll", c.JobPollInterval, 250 * time.Millisecond}, {"hash", c.PasswordHashProfile, "fast"},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.exp) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.exp)
		}
	}
	// An explicit database URL wins over the data dir.
	c, err = config.Load(env(map[string]string{"COMECOMEPAY_DATABASE_URL": "postgres://u@db/ccp", "COMECOMEPAY_DATA_DIR": "/x"}))
	if err != nil || c.DatabaseURL != "postgres://u@db/ccp" {
		t.Fatalf("database url = %q, %v", c.DatabaseURL, err)
	}
}

func TestInvalidValuesRejected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, value, mention string }{
		{"COMECOMEPAY_ACCESS_TOKEN_TTL", "soon", "COMECOMEPAY_ACCESS_TOKEN_TTL"},
		{"COMECOMEPAY_ACCESS_TOKEN_TTL", "0s", "COMECOMEPAY_ACCESS_TOKEN_TTL"},
		{"COMECOMEPAY_REFRESH_TOKEN_TTL", "-1h", "COMECOMEPAY_REFRESH_TOKEN_TTL"},
		{"COMECOMEPAY_SHUTDOWN_TIMEOUT", "20", "COMECOMEPAY_SHUTDOWN_TIMEOUT"},
		{"COMECOMEPAY_JOB_POLL_INTERVAL", "x", "COMECOMEPAY_JOB_POLL_INTERVAL"},
		{"COMECOMEPAY_TRUST_PROXY_HEADERS", "maybe", "COMECOMEPAY_TRUST_PROXY_HEADERS"},
		{"COMECOMEPAY_SMTP_STARTTLS", "yes", "COMECOMEPAY_SMTP_STARTTLS"},
		{"COMECOMEPAY_SMTP_PORT", "smtp", "COMECOMEPAY_SMTP_PORT"},
		{"COMECOMEPAY_SMTP_PORT", "0", "COMECOMEPAY_SMTP_PORT"},
		{"COMECOMEPAY_SMTP_PORT", "65536", "COMECOMEPAY_SMTP_PORT"},
		{"COMECOMEPAY_MODE", "demo", "COMECOMEPAY_MODE"},
		{"COMECOMEPAY_DATA_KEY", "not base64!", "COMECOMEPAY_DATA_KEY"},
		{"COMECOMEPAY_DATA_KEY", base64.StdEncoding.EncodeToString([]byte("short")), "COMECOMEPAY_DATA_KEY"},
		{"COMECOMEPAY_DATA_KEY", base64.StdEncoding.EncodeToString(make([]byte, 33)), "COMECOMEPAY_DATA_KEY"},
		{"COMECOMEPAY_JWT_SECRET", "too-short", "COMECOMEPAY_JWT_SECRET"},
		{"COMECOMEPAY_JWT_PREVIOUS_SECRETS", strings.Repeat("a", 32) + ",short", "COMECOMEPAY_JWT_PREVIOUS_SECRETS"},
		{"COMECOMEPAY_LOG_LEVEL", "verbose", "COMECOMEPAY_LOG_LEVEL"},
		{"COMECOMEPAY_LOG_FORMAT", "pretty", "COMECOMEPAY_LOG_FORMAT"},
		{"COMECOMEPAY_SMTP_TLS", "ssl", "COMECOMEPAY_SMTP_TLS"},
		{"COMECOMEPAY_PASSWORD_HASH", "slow", "COMECOMEPAY_PASSWORD_HASH"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load(env(map[string]string{tc.name: tc.value}))
			if err == nil || !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("Load(%s=%q) error = %v, want one naming %s", tc.name, tc.value, err, tc.mention)
			}
		})
	}
	// Several bad values are all reported at once.
	_, err := config.Load(env(map[string]string{"COMECOMEPAY_SMTP_PORT": "x", "COMECOMEPAY_MODE": "y"}))
	if err == nil || !strings.Contains(err.Error(), "COMECOMEPAY_SMTP_PORT") || !strings.Contains(err.Error(), "COMECOMEPAY_MODE") {
		t.Fatalf("joined error = %v", err)
	}
}

func TestProductionRequirements(t *testing.T) {
	t.Parallel()
	// Everything production needs but the real providers: the one error
	// left is the refusal of the simulators.
	c, err := config.Load(env(production()))
	if err == nil || c.Mode != config.Production || !c.ModeExplicit ||
		!strings.HasPrefix(err.Error(), "production mode refuses simulated providers") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("complete production config but the providers: %v, %v", c.Mode, err)
	}
	// An SMTP host alone selects production mode implicitly.
	_, err = config.Load(env(map[string]string{"COMECOMEPAY_SMTP_HOST": "smtp.example.com"}))
	if err == nil {
		t.Fatal("implicit production without secrets was accepted")
	}
	for _, tc := range []struct{ drop, mention string }{
		{"COMECOMEPAY_JWT_SECRET", "COMECOMEPAY_JWT_SECRET"},
		{"COMECOMEPAY_DATA_KEY", "COMECOMEPAY_DATA_KEY"},
		{"COMECOMEPAY_CUSTODY_API_KEY", "COMECOMEPAY_CUSTODY_API_KEY"},
		{"COMECOMEPAY_SMTP_HOST", "COMECOMEPAY_SMTP_HOST"},
	} {
		t.Run("without "+tc.drop, func(t *testing.T) {
			t.Parallel()
			e := production()
			delete(e, tc.drop)
			if _, err := config.Load(env(e)); err == nil || !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("error = %v, want one naming %s", err, tc.mention)
			}
		})
	}
	e := production()
	e["COMECOMEPAY_PASSWORD_HASH"] = "fast"
	if _, err := config.Load(env(e)); err == nil || !strings.Contains(err.Error(), "COMECOMEPAY_PASSWORD_HASH") {
		t.Fatalf("production with the fast hash profile: %v", err)
	}
	// Sandbox secrets are never generated for production.
	c.DataDir = t.TempDir()
	c.JWTSecret = ""
	if got, _ := config.EnsureSandboxSecrets(c); got.JWTSecret != "" {
		t.Fatal("a secret was generated for production")
	}
	if _, err := os.Stat(filepath.Join(c.DataDir, "sandbox-secrets.json")); !os.IsNotExist(err) {
		t.Fatalf("sandbox secrets file written for production: %v", err)
	}
}

func TestStringMasksSecrets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, url, secret string }{
		{"userinfo", "postgres://ccp:pgPass-0815@db.internal:5432/ccp?sslmode=require", "pgPass-0815"},
		{"at sign in password", "postgresql://ccp:pg@Pass-0815@db.internal/ccp", "pg@Pass-0815"},
		{"password only", "postgres://:pgPass-0815@db.internal/ccp", "pgPass-0815"},
		{"query parameter", "postgres://ccp@db.internal/ccp?password=pgPass-0815", "pgPass-0815"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := production()
			e["COMECOMEPAY_MODE"] = "staging"
			e["COMECOMEPAY_DATABASE_URL"] = tc.url
			c, err := config.Load(env(e))
			if err != nil {
				t.Fatal(err)
			}
			out := c.String()
			for _, s := range []string{prodJWTSecret, string(prodDataKey[:]), prodDataKeyB64, "smtp-pass-XYZ", prodCustodyKey, tc.secret} {
				if strings.Contains(out, s) {
					t.Errorf("String() shows secret %q:\n%s", s, out)
				}
			}
			if !strings.Contains(out, "db.internal") || !strings.Contains(out, "******") {
				t.Errorf("String() lost the database host or the mask:\n%s", out)
			}
			if strings.Contains(config.MaskURL(tc.url), tc.secret) {
				t.Errorf("MaskURL(%q) = %q", tc.url, config.MaskURL(tc.url))
			}
		})
	}
	if got := config.MaskURL("postgres://ccp:pgPass-0815@[::1/ccp"); strings.Contains(got, "pgPass-0815") {
		t.Errorf("MaskURL of an unparseable URL = %q", got)
	}
	if got := config.MaskURL("/data/comecomepay.db"); got != "/data/comecomepay.db" {
		t.Errorf("MaskURL of a path = %q", got)
	}
	if got := config.MaskURL("postgres://ccp@db/ccp"); got != "postgres://ccp@db/ccp" {
		t.Errorf("MaskURL without a password = %q", got)
	}
	var unset config.Config
	if !strings.Contains(unset.String(), "(unset)") {
		t.Error("unset secrets are not shown as unset")
	}
}

func TestEnsureSandboxSecrets(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	c, err := config.Load(env(map[string]string{"COMECOMEPAY_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	first, err := config.EnsureSandboxSecrets(c)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	if len(first.JWTSecret) < 32 || len(first.DataKey) != 32 || first.CustodyAPIKey == "" {
		t.Fatalf("generated secrets incomplete: jwt %d bytes, key %d bytes, custody %q",
			len(first.JWTSecret), len(first.DataKey), first.CustodyAPIKey)
	}
	path := filepath.Join(dir, "sandbox-secrets.json")
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v, %v", info, err)
	}
	raw, _ := os.ReadFile(path)
	var saved map[string]string
	if err := json.Unmarshal(raw, &saved); err != nil || saved["jwt_secret"] != first.JWTSecret {
		t.Fatalf("secrets file content %s: %v", raw, err)
	}
	second, err := config.EnsureSandboxSecrets(c)
	if err != nil {
		t.Fatal(err)
	}
	if second.JWTSecret != first.JWTSecret || string(second.DataKey) != string(first.DataKey) || second.CustodyAPIKey != first.CustodyAPIKey {
		t.Fatal("the second start did not reuse the generated secrets")
	}
	if again, _ := os.ReadFile(path); string(again) != string(raw) {
		t.Fatal("the secrets file was rewritten")
	}
	// Explicit secrets win over the file.
	c.JWTSecret = jwtSecret
	third, err := config.EnsureSandboxSecrets(c)
	if err != nil || third.JWTSecret != jwtSecret || string(third.DataKey) != string(first.DataKey) {
		t.Fatalf("explicit secret: %v", err)
	}
}

func TestEnsureSandboxSecretsOldAndBrokenFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sandbox-secrets.json")
	old := `{"jwt_secret":"` + jwtSecret + `","data_key":"` + dataKeyB64 + `"}`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	c := config.Config{Mode: config.Sandbox, DataDir: dir, HTTPAddr: ":8080", LogLevel: "info", PasswordHashProfile: "default"}
	got, err := config.EnsureSandboxSecrets(c)
	if err != nil || got.JWTSecret != jwtSecret || string(got.DataKey) != dataKey || got.CustodyAPIKey == "" {
		t.Fatalf("old file: %+v, %v", got, err)
	}
	again, err := config.EnsureSandboxSecrets(c)
	if err != nil || again.CustodyAPIKey != got.CustodyAPIKey {
		t.Fatal("the custody key added to an old file was not kept")
	}
	for name, content := range map[string]string{
		"not json": "{",
		"bad key":  `{"jwt_secret":"` + jwtSecret + `","data_key":"short","custody_api_key":"x"}`,
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := config.EnsureSandboxSecrets(c); err == nil {
			t.Errorf("%s: a broken secrets file was accepted", name)
		}
	}
}

func TestSandboxWithdrawalsCanWaitForAnOperator(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(nil))
	if err != nil || c.SandboxWithdrawalsWaitForOperator {
		t.Fatalf("default: wait=%v err=%v, want the sandbox to approve", c.SandboxWithdrawalsWaitForOperator, err)
	}
	c, err = config.Load(env(map[string]string{"COMECOMEPAY_SANDBOX_AUTO_APPROVE_WITHDRAWALS": "false"}))
	if err != nil || !c.SandboxWithdrawalsWaitForOperator {
		t.Fatalf("auto-approve off: wait=%v err=%v", c.SandboxWithdrawalsWaitForOperator, err)
	}
}

// TestSMTPTLSSetting: COMECOMEPAY_SMTP_TLS picks the transport; the
// deprecated COMECOMEPAY_SMTP_STARTTLS=false still means none when the new
// setting is unset, and never overrides it.
func TestSMTPTLSSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tls, startTLS, want string
	}{
		{"", "", config.SMTPStartTLS},
		{"", "true", config.SMTPStartTLS},
		{"", "false", config.SMTPNoTLS},
		{"Implicit", "", config.SMTPImplicitTLS},
		{"implicit", "false", config.SMTPImplicitTLS},
		{"starttls", "false", config.SMTPStartTLS},
		{"none", "true", config.SMTPNoTLS},
	} {
		c, err := config.Load(env(map[string]string{"COMECOMEPAY_SMTP_TLS": tc.tls, "COMECOMEPAY_SMTP_STARTTLS": tc.startTLS}))
		if err != nil || c.SMTP.TLS != tc.want {
			t.Errorf("SMTP_TLS=%q SMTP_STARTTLS=%q: %q, %v; want %q", tc.tls, tc.startTLS, c.SMTP.TLS, err, tc.want)
		}
	}
}
