package config

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// sandboxSecretsFile keeps generated development secrets in the data dir so
// that tokens and sealed data survive restarts of a sandbox instance.
const sandboxSecretsFile = "sandbox-secrets.json"

type sandboxSecrets struct {
	JWTSecret     string `json:"jwt_secret"`
	DataKey       string `json:"data_key"`
	CustodyAPIKey string `json:"custody_api_key"`
	KYCSecret     string `json:"kyc_webhook_secret"`
	IssuerSecret  string `json:"issuer_webhook_secret"`
	ThreeDSSecret string `json:"3ds_webhook_secret"`
}

// EnsureSandboxSecrets fills missing secrets of a sandbox configuration from
// (or into) <data dir>/sandbox-secrets.json. Production configurations are
// returned unchanged: they must carry explicit secrets.
func EnsureSandboxSecrets(c Config) (Config, error) {
	if c.Mode != Sandbox || (c.JWTSecret != "" && len(c.DataKey) > 0 && c.CustodyAPIKey != "" && c.KYCWebhookSecret != "" &&
		c.IssuerWebhookSecret != "" && c.ThreeDSWebhookSecret != "") {
		return c, nil
	}
	path := filepath.Join(c.DataDir, sandboxSecretsFile)
	var s sandboxSecrets
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &s); err != nil {
			return c, fmt.Errorf("read %s: %w", path, err)
		}
	case errors.Is(err, os.ErrNotExist):
		s = sandboxSecrets{JWTSecret: randomBase64(48), DataKey: randomBase64(32), CustodyAPIKey: randomBase64(24), KYCSecret: randomBase64(32),
			IssuerSecret: randomBase64(32), ThreeDSSecret: randomBase64(32)}
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return c, fmt.Errorf("config: sandbox secrets: %w", err)
		}
		b, _ := json.Marshal(s)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return c, fmt.Errorf("write %s: %w", path, err)
		}
	default:
		return c, fmt.Errorf("config: sandbox secrets: %w", err)
	}
	if c.JWTSecret == "" {
		c.JWTSecret = s.JWTSecret
	}
	// A secrets file from an older version lacks the newer keys: add them.
	if s.CustodyAPIKey == "" || s.KYCSecret == "" || s.IssuerSecret == "" || s.ThreeDSSecret == "" {
		for _, k := range []*string{&s.CustodyAPIKey, &s.KYCSecret, &s.IssuerSecret, &s.ThreeDSSecret} {
			if *k == "" {
				*k = randomBase64(32)
			}
		}
		b, _ := json.Marshal(s)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return c, fmt.Errorf("write %s: %w", path, err)
		}
	}
	if c.CustodyAPIKey == "" {
		c.CustodyAPIKey = s.CustodyAPIKey
	}
	if c.KYCWebhookSecret == "" {
		c.KYCWebhookSecret = s.KYCSecret
	}
	if c.IssuerWebhookSecret == "" {
		c.IssuerWebhookSecret = s.IssuerSecret
	}
	if c.ThreeDSWebhookSecret == "" {
		c.ThreeDSWebhookSecret = s.ThreeDSSecret
	}
	if len(c.DataKey) == 0 {
		key, err := decodeKey(s.DataKey)
		if err != nil {
			return c, fmt.Errorf("%s: %w", path, err)
		}
		c.DataKey = key
	}
	return c, c.Validate()
}

func randomBase64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func decodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(key) != 32 {
		return nil, errors.New("must be base64 of exactly 32 bytes")
	}
	return key, nil
}
