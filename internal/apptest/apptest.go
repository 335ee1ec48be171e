// Package apptest runs the whole service in-process for HTTP tests: a fresh
// database per test on the chosen engine, sandbox providers, a controllable
// clock, and every response checked against api/openapi.yaml.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/app"
	"github.com/comecomepay/comecomepay/internal/config"
	emailsandbox "github.com/comecomepay/comecomepay/internal/providers/email/sandbox"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

// Clock is the settable clock shared by the app under test.
type Clock = testclock.Clock

// Harness is one running service.
type Harness struct {
	t      testing.TB
	App    *app.App
	Engine store.Engine
	Clock  *Clock
	// Log holds everything the service logged, for leak checks.
	Log *SyncBuffer
}

// Option adjusts the configuration of a Harness.
type Option func(*config.Config)

// Staging runs the service in staging mode: production's behaviour (no OTP
// echo, withdrawals wait for an operator, no /sandbox/* without a sandbox
// token) on the simulated providers and the in-memory outbox. Production
// itself refuses the simulators, so this is how tests see its behaviour.
func Staging() Option { return func(c *config.Config) { c.Mode = config.Staging } }

// Database runs the service on the database at url (of the engine passed
// to New) instead of a fresh test database, e.g. on a private PostgreSQL
// cluster a test restarts.
func Database(url string) Option { return func(c *config.Config) { c.DatabaseURL = url } }

// New starts a service on a fresh database of engine.
func New(t testing.TB, engine store.Engine, opts ...Option) *Harness {
	t.Helper()
	return build(t, engine, true, opts, app.Options{})
}

// NewWithOptions starts a service built with the app's test seams (a
// tracer provider, a supplied issuer adapter); the clock stays the harness's.
func NewWithOptions(t testing.TB, engine store.Engine, appOpts app.Options, opts ...Option) *Harness {
	t.Helper()
	return build(t, engine, true, opts, appOpts)
}

// NewStopped builds the service without starting its job workers, as if the
// process died right after answering; StartJobs brings them up.
func NewStopped(t testing.TB, engine store.Engine, opts ...Option) *Harness {
	t.Helper()
	return build(t, engine, false, opts, app.Options{})
}

// StartJobs starts the job workers.
func (h *Harness) StartJobs() {
	h.t.Helper()
	if err := h.App.StartJobs(context.Background()); err != nil {
		h.t.Fatalf("start jobs: %v", err)
	}
}

func build(t testing.TB, engine store.Engine, start bool, opts []Option, appOpts app.Options) *Harness {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cfg := config.Config{
		Mode:                 config.Sandbox,
		HTTPAddr:             "127.0.0.1:0",
		DataDir:              t.TempDir(),
		LogLevel:             "debug",
		JWTSecret:            "test-secret-" + strings.Repeat("x", 32),
		DataKey:              key,
		CustodyAPIKey:        "test-custody-api-key",
		KYCWebhookSecret:     "test-kyc-webhook-secret",
		IssuerWebhookSecret:  "test-issuer-webhook-secret",
		ThreeDSWebhookSecret: "test-3ds-webhook-secret",
		PublicBaseURL:        "http://localhost:8080",
		AccessTokenTTL:       24 * time.Hour,
		RefreshTokenTTL:      7 * 24 * time.Hour,
		ShutdownTimeout:      5 * time.Second,
		JobPollInterval:      20 * time.Millisecond,
		SandboxSettleDelay:   0,
		SandboxAutoSettle:    true,
		SandboxIssueDelay:    0,
		MaxCards:             5,
		SandboxCardBIN:       "424242",
		WalletCurrencies:     []string{"USDT-TRC20", "USDT-ERC20", "USDC-TRC20", "USDC-ERC20", "HKD"},
		FXRate:               780_000_000,
		PasswordHashProfile:  "fast",
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = storetest.URL(t, engine)
	}
	clock := testclock.New(testclock.Start)
	logBuf := &SyncBuffer{}
	log := slog.New(slog.NewJSONHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	appOpts.Now = clock.Now
	a, err := app.New(ctx, cfg, log, appOpts)
	if err != nil {
		t.Fatalf("start app: %v", err)
	}
	h := &Harness{t: t, App: a, Engine: engine, Clock: clock, Log: logBuf}
	if start {
		h.StartJobs()
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Close(stopCtx)
	})
	return h
}

// Response is a recorded HTTP response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// Header is one request header.
type Header struct{ Name, Value string }

// Bearer is an Authorization header for token.
func Bearer(token string) Header { return Header{"Authorization", "Bearer " + token} }

// Do sends a request. body may be nil, a string or []byte (sent as is) or
// any value (JSON-encoded). The response is checked against the contract.
func (h *Harness) Do(method, path string, body any, headers ...Header) *Response {
	h.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			h.t.Fatalf("encode body: %v", err)
		}
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, hd := range headers {
		req.Header.Set(hd.Name, hd.Value)
	}
	rec := httptest.NewRecorder()
	h.App.Handler.ServeHTTP(rec, req)
	res := &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(res.Body, &res.JSON); err != nil {
			h.t.Errorf("%s %s: response is not a JSON object: %v: %s", method, path, err, res.Body)
		}
	}
	checkContract(h.t, req, raw, res)
	return res
}

// Str returns a top-level string field, failing the test if it is not one.
func (r *Response) Str(t testing.TB, key string) string {
	t.Helper()
	v, ok := r.JSON[key].(string)
	if !ok {
		t.Fatalf("field %q is %T (%v), want string; body %s", key, r.JSON[key], r.JSON[key], r.Body)
	}
	return v
}

// Code returns the error code of an error response.
func (r *Response) Code() string {
	c, _ := r.JSON["code"].(string)
	return c
}

// Expect fails the test unless the response has the status (and, for
// errors, the code).
func (r *Response) Expect(t testing.TB, status int, code string) *Response {
	t.Helper()
	if r.Status != status || (code != "" && r.Code() != code) {
		t.Fatalf("got %d %s, want %d %s; body %s", r.Status, r.Code(), status, code, r.Body)
	}
	return r
}

// Outbox returns the sandbox e-mails sent to addr, newest first, waiting
// until at least n have been delivered by the job queue.
func (h *Harness) Outbox(addr string, n int) []emailsandbox.Sent {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := h.App.Outbox.To(addr)
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) < n {
				h.t.Fatalf("want %d mails to %s, got %d", n, addr, len(got))
			}
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// SyncBuffer is a goroutine-safe log sink.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var _ io.Writer = (*SyncBuffer)(nil)

// EachEngine runs fn as a parallel subtest per engine of the run, each on
// its own service built with opts.
func EachEngine(t *testing.T, fn func(t *testing.T, h *Harness), opts ...Option) {
	t.Helper()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		fn(t, New(t, engine, opts...))
	})
}
