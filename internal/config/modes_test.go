package config_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/config"
)

// strongSecret returns 48 random bytes in base64 (64 characters).
func strongSecret(t *testing.T) string {
	t.Helper()
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func strongDataKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// strongEnv is a mode with every secret explicit and strong.
func strongEnv(t *testing.T, mode string) map[string]string {
	t.Helper()
	return map[string]string{
		"COMECOMEPAY_MODE":                  mode,
		"COMECOMEPAY_JWT_SECRET":            strongSecret(t),
		"COMECOMEPAY_DATA_KEY":              strongDataKey(t),
		"COMECOMEPAY_CUSTODY_API_KEY":       strongSecret(t),
		"COMECOMEPAY_KYC_WEBHOOK_SECRET":    strongSecret(t),
		"COMECOMEPAY_ISSUER_WEBHOOK_SECRET": strongSecret(t),
		"COMECOMEPAY_3DS_WEBHOOK_SECRET":    strongSecret(t),
		"COMECOMEPAY_SMTP_HOST":             "smtp.example.com",
	}
}

// TestProductionRefusesSimulators: strong secrets and an SMTP host are not
// enough; production names every port still on a simulator in one error.
func TestProductionRefusesSimulators(t *testing.T) {
	t.Parallel()
	_, err := config.Load(env(strongEnv(t, "production")))
	if err == nil {
		t.Fatal("production started on the simulated custody, KYC and card issuer")
	}
	for _, want := range []string{"custody", "KYC", "card issuer", "COMECOMEPAY_CUSTODY_PROVIDER", "COMECOMEPAY_KYC_PROVIDER", "COMECOMEPAY_ISSUER_PROVIDER"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "e-mail") {
		t.Errorf("error %q names e-mail although SMTP is set", err)
	}
	// Implicit production (an SMTP host alone) is refused the same way, and
	// without SMTP the e-mail provider is named too, in the same error.
	e := strongEnv(t, "production")
	delete(e, "COMECOMEPAY_SMTP_HOST")
	_, err = config.Load(env(e))
	if err == nil || strings.Count(err.Error(), "\n") != 0 {
		t.Fatalf("want one error line, got %q", err)
	}
	for _, want := range []string{"custody", "KYC", "card issuer", "e-mail"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	// An adapter this build does not have is refused in every mode.
	e = strongEnv(t, "staging")
	e["COMECOMEPAY_CUSTODY_PROVIDER"] = "acme"
	if _, err := config.Load(env(e)); err == nil || !strings.Contains(err.Error(), "COMECOMEPAY_CUSTODY_PROVIDER") {
		t.Fatalf("unknown custody provider: %v", err)
	}
}

// TestStagingMode: explicit only, simulated money providers, real e-mail
// allowed, production's secret rules.
func TestStagingMode(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(strongEnv(t, "staging")))
	if err != nil || c.Mode != config.Staging || !c.ModeExplicit || !c.SMTP.Configured() {
		t.Fatalf("staging with SMTP: %v %v", c.Mode, err)
	}
	if !strings.Contains(c.String(), "staging") {
		t.Errorf("String() does not show the mode:\n%s", c)
	}
	for _, p := range []string{c.Providers.Custody, c.Providers.KYC, c.Providers.Issuer} {
		if p != config.SimulatorProvider {
			t.Errorf("staging provider %q, want the simulator", p)
		}
	}
	e := strongEnv(t, "staging")
	delete(e, "COMECOMEPAY_SMTP_HOST")
	if c, err := config.Load(env(e)); err != nil || c.Mode != config.Staging {
		t.Fatalf("staging without SMTP: %v %v", c.Mode, err)
	}
	for _, drop := range []string{"COMECOMEPAY_JWT_SECRET", "COMECOMEPAY_DATA_KEY", "COMECOMEPAY_CUSTODY_API_KEY",
		"COMECOMEPAY_KYC_WEBHOOK_SECRET", "COMECOMEPAY_ISSUER_WEBHOOK_SECRET", "COMECOMEPAY_3DS_WEBHOOK_SECRET"} {
		e := strongEnv(t, "staging")
		delete(e, drop)
		if _, err := config.Load(env(e)); err == nil || !strings.Contains(err.Error(), drop) {
			t.Errorf("staging without %s: %v", drop, err)
		}
	}
	e = strongEnv(t, "staging")
	e["COMECOMEPAY_PASSWORD_HASH"] = "fast"
	if _, err := config.Load(env(e)); err == nil || !strings.Contains(err.Error(), "COMECOMEPAY_PASSWORD_HASH") {
		t.Fatalf("staging with the fast hash: %v", err)
	}
}

// issuedKeys are the keys a provider issues, held to checkIssuedSecret.
var issuedKeys = map[string]bool{"COMECOMEPAY_CUSTODY_API_KEY": true, "COMECOMEPAY_CUSTODY_PREVIOUS_API_KEY": true,
	"COMECOMEPAY_KYC_WEBHOOK_SECRET": true, "COMECOMEPAY_KYC_WEBHOOK_PREVIOUS_SECRET": true}

// TestWeakSecretsRefused: every secret is held to the strength rule in
// production and staging; the error names the variable, never the value.
func TestWeakSecretsRefused(t *testing.T) {
	t.Parallel()
	names := []string{"COMECOMEPAY_JWT_SECRET", "COMECOMEPAY_JWT_PREVIOUS_SECRETS", "COMECOMEPAY_CUSTODY_API_KEY",
		"COMECOMEPAY_CUSTODY_PREVIOUS_API_KEY", "COMECOMEPAY_KYC_WEBHOOK_SECRET", "COMECOMEPAY_KYC_WEBHOOK_PREVIOUS_SECRET",
		"COMECOMEPAY_ISSUER_WEBHOOK_SECRET", "COMECOMEPAY_ISSUER_WEBHOOK_PREVIOUS_SECRET", "COMECOMEPAY_3DS_WEBHOOK_SECRET",
		"COMECOMEPAY_3DS_WEBHOOK_PREVIOUS_SECRET", "COMECOMEPAY_SANDBOX_TOKEN"}
	weak := map[string]string{
		"one character":         "Q",
		"32 identical":          strings.Repeat("Z", 32),
		"two characters cycled": strings.Repeat("Zq", 20),
		"8 characters cycled":   strings.Repeat("Zq3#Wx7!", 4),
		"digits only":           "73129846051938274610928374651029",
		// Long and mixed, so the character estimates pass; typed all the same.
		"a typed phrase":     "ComeComePay-Production-Secret-2025",
		"words run together": "comecomepayproductionjwtsecret01",
		"the alphabet":       "abcdefghijklmnopqrstuvwxyz012345",
	}
	for _, mode := range []string{"production", "staging"} {
		for _, name := range names {
			for label, value := range weak {
				if label == "digits only" && issuedKeys[name] {
					continue // 106 bits: a provider may well issue such a key
				}
				t.Run(mode+"/"+name+"/"+label, func(t *testing.T) {
					t.Parallel()
					e := strongEnv(t, mode)
					e[name] = value
					_, err := config.Load(env(e))
					if err == nil || !strings.Contains(err.Error(), name) {
						t.Fatalf("weak %s accepted or not named: %v", name, err)
					}
					if strings.Contains(err.Error(), value) {
						t.Fatalf("the error prints the secret: %v", err)
					}
				})
			}
		}
		t.Run(mode+"/data key of one byte", func(t *testing.T) {
			t.Parallel()
			e := strongEnv(t, mode)
			e["COMECOMEPAY_DATA_KEY"] = base64.StdEncoding.EncodeToString([]byte(strings.Repeat("D", 32)))
			if _, err := config.Load(env(e)); err == nil || !strings.Contains(err.Error(), "COMECOMEPAY_DATA_KEY") {
				t.Fatalf("a data key of one repeated byte: %v", err)
			}
		})
	}
	// Sandbox keeps accepting the short test values; generated secrets are strong.
	c, err := config.Load(env(map[string]string{"COMECOMEPAY_MODE": "sandbox", "COMECOMEPAY_KYC_WEBHOOK_SECRET": "test-kyc-webhook-secret"}))
	if err != nil || c.KYCWebhookSecret != "test-kyc-webhook-secret" {
		t.Fatalf("sandbox test secret: %v", err)
	}
}

// TestSecretStrengthAcceptsGeneratedSecrets: what `openssl rand` and the
// providers hand out passes, down to a 32-character hex key (128 bits).
func TestSecretStrengthAcceptsGeneratedSecrets(t *testing.T) {
	t.Parallel()
	for range 500 {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		for _, s := range []string{hex.EncodeToString(b[:16]), base64.StdEncoding.EncodeToString(b), strongSecret(t)} {
			if err := config.CheckSecret("X", []byte(s)); err != nil {
				t.Fatalf("%d-character generated secret refused: %v", len(s), err)
			}
		}
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		if err := config.CheckSecret("X", key); err != nil {
			t.Fatalf("random data key refused: %v", err)
		}
	}
}

// TestPreviousSecretsLoaded: one previous secret per provider is read for
// rotation and masked like the current one.
func TestPreviousSecretsLoaded(t *testing.T) {
	t.Parallel()
	e := strongEnv(t, "staging")
	prev := map[string]string{}
	for _, name := range []string{"COMECOMEPAY_CUSTODY_PREVIOUS_API_KEY", "COMECOMEPAY_KYC_WEBHOOK_PREVIOUS_SECRET",
		"COMECOMEPAY_ISSUER_WEBHOOK_PREVIOUS_SECRET", "COMECOMEPAY_3DS_WEBHOOK_PREVIOUS_SECRET"} {
		prev[name] = strongSecret(t)
		e[name] = prev[name]
	}
	c, err := config.Load(env(e))
	if err != nil {
		t.Fatal(err)
	}
	if c.CustodyPreviousAPIKey != prev["COMECOMEPAY_CUSTODY_PREVIOUS_API_KEY"] ||
		c.KYCWebhookPreviousSecret != prev["COMECOMEPAY_KYC_WEBHOOK_PREVIOUS_SECRET"] ||
		c.IssuerWebhookPreviousSecret != prev["COMECOMEPAY_ISSUER_WEBHOOK_PREVIOUS_SECRET"] ||
		c.ThreeDSWebhookPreviousSecret != prev["COMECOMEPAY_3DS_WEBHOOK_PREVIOUS_SECRET"] {
		t.Fatal("a previous secret was not loaded")
	}
	out := c.String()
	for name, v := range prev {
		if strings.Contains(out, v) || !strings.Contains(out, name) {
			t.Errorf("String() shows %s or lacks its line", name)
		}
	}
}
