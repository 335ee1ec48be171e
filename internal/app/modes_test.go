package app_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/app"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

func randomSecret(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// strongConfig is a configuration of mode with strong explicit secrets, as a
// deployment would pass it, bypassing config.Load (the composition root must
// refuse simulators on its own).
func strongConfig(t *testing.T, dbURL string, mode config.Mode) config.Config {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return config.Config{
		Mode: mode, ModeExplicit: true, HTTPAddr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: dbURL, LogLevel: "info",
		JWTSecret: randomSecret(t, 48), DataKey: key, CustodyAPIKey: randomSecret(t, 48),
		KYCWebhookSecret: randomSecret(t, 48), IssuerWebhookSecret: randomSecret(t, 48), ThreeDSWebhookSecret: randomSecret(t, 48),
		PublicBaseURL: "https://api.example.com", AccessTokenTTL: time.Hour, RefreshTokenTTL: 24 * time.Hour,
		ShutdownTimeout: time.Second, JobPollInterval: time.Second, MaxCards: 5, SandboxCardBIN: "424242",
		WalletCurrencies: []string{"USDT-TRC20", "HKD"}, FXRate: 780_000_000, PasswordHashProfile: "default",
		SMTP: config.SMTP{Host: "smtp.example.com", Port: 587, From: "no-reply@example.com", TLS: config.SMTPStartTLS},
	}
}

// TestAppRefusesSimulatorsInProduction: even a configuration that skipped
// config.Validate cannot wire a simulator in production; one error names
// every port left on one.
func TestAppRefusesSimulatorsInProduction(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		cfg := strongConfig(t, storetest.URL(t, engine), config.Production)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		a, err := app.New(context.Background(), cfg, log, app.Options{})
		if err == nil {
			_ = a.Close(context.Background())
			t.Fatal("production was wired on the simulated custody, KYC and card issuer")
		}
		for _, want := range []string{"custody", "KYC", "card issuer"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
		}
		cfg.SMTP = config.SMTP{}
		if _, err := app.New(context.Background(), cfg, log, app.Options{}); err == nil || !strings.Contains(err.Error(), "e-mail") {
			t.Errorf("production without e-mail provider: %v", err)
		}
	})
}

// TestAppStagingMode: staging wires the simulators with a WARN line at every
// start, and mounts /sandbox/* only behind a sandbox token.
func TestAppStagingMode(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		for _, token := range []string{"", randomSecret(t, 48)} {
			cfg := strongConfig(t, storetest.URL(t, engine), config.Staging)
			cfg.SandboxToken = token
			var logBuf strings.Builder
			a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logBuf, nil)), app.Options{})
			if err != nil {
				t.Fatalf("staging: %v", err)
			}
			t.Cleanup(func() { _ = a.Close(context.Background()) })
			if !strings.Contains(logBuf.String(), `"level":"WARN","msg":"STAGING MODE`) ||
				!strings.Contains(logBuf.String(), "must never hold real money") {
				t.Errorf("no staging warning in the log: %s", logBuf.String())
			}
			get := func(headers ...string) int {
				req := httptest.NewRequest(http.MethodGet, "/api/v1/sandbox/outbox", nil)
				if len(headers) == 2 {
					req.Header.Set(headers[0], headers[1])
				}
				rec := httptest.NewRecorder()
				a.Handler.ServeHTTP(rec, req)
				return rec.Code
			}
			if token == "" {
				if got := get(); got != http.StatusNotFound {
					t.Errorf("staging without a sandbox token: /sandbox/outbox answers %d, want 404", got)
				}
				continue
			}
			if got := get(); got != http.StatusUnauthorized {
				t.Errorf("staging, no X-Sandbox-Token: %d, want 401", got)
			}
			if got := get("X-Sandbox-Token", token); got != http.StatusOK {
				t.Errorf("staging, right X-Sandbox-Token: %d, want 200", got)
			}
		}
	})
}
