package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects the output of run, written from many goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func getStatus(client *http.Client, url string) (int, error) {
	res, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return res.StatusCode, fmt.Errorf("body: %w", err)
	}
	if body["status"] != "ok" {
		return res.StatusCode, fmt.Errorf("body status %v", body["status"])
	}
	return res.StatusCode, nil
}

// TestRunServeSmoke starts the whole program, waits for /healthz and shuts
// it down gracefully.
func TestRunServeSmoke(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	addr := freeAddr(t)
	getenv := envOf(map[string]string{
		"COMECOMEPAY_DATA_DIR":      dataDir,
		"COMECOMEPAY_HTTP_ADDR":     addr,
		"COMECOMEPAY_PASSWORD_HASH": "fast",
		"COMECOMEPAY_LOG_LEVEL":     "info",
	})
	out := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"comecomepay", "serve"}, getenv, out) }()

	client := &http.Client{Timeout: 2 * time.Second}
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, err := getStatus(client, base+"/healthz")
		if err == nil && status == http.StatusOK {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run returned before serving: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no healthy /healthz within 20 s (last %d, %v)\n%s", status, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status, err := getStatus(client, base+"/readyz"); err != nil || status != http.StatusOK {
		t.Fatalf("/readyz = %d, %v", status, err)
	}
	res, err := client.Get(base + "/api/v1/nope")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown route = %d, want 404", res.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after cancel = %v, want nil (graceful shutdown)\n%s", err, out)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("run did not return within 20 s of cancel\n%s", out)
	}
	if _, err := client.Get(base + "/healthz"); err == nil {
		t.Fatal("the server still answers after shutdown")
	}
	logs := out.String()
	for _, want := range []string{`"msg":"listening"`, `"addr":"` + addr + `"`, "SANDBOX MODE", `"msg":"shutting down"`,
		// The banner names the address listened on, not the configured default.
		`"msg":"ready"`, `"docs":"http://` + addr + `/docs"`, `"console":"http://` + addr + `/console/"`,
		`"sandbox_helpers":"http://` + addr + `/api/v1/sandbox/"`, `"first_operator":"comecomepay admin create`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	for _, f := range []string{"comecomepay.db", "sandbox-secrets.json"} {
		if _, err := os.Stat(filepath.Join(dataDir, f)); err != nil {
			t.Errorf("data dir: %v", err)
		}
	}
}

func TestRunServeFailsFast(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = taken.Close() }) // not defer: the subtests run after this function returns
	for name, tc := range map[string]struct {
		args    []string
		env     map[string]string
		mention string
	}{
		"bad config": {[]string{"comecomepay", "serve"}, map[string]string{"COMECOMEPAY_LOG_LEVEL": "loud"}, "COMECOMEPAY_LOG_LEVEL"},
		"bad flag":   {[]string{"comecomepay", "serve", "-bogus"}, nil, "bogus"},
		"port taken": {[]string{"comecomepay", "serve", "-addr", taken.Addr().String()}, nil, "listen"},
		// Production refuses the simulators before anything starts.
		"production on simulators": {[]string{"comecomepay", "serve"}, map[string]string{"COMECOMEPAY_MODE": "production",
			"COMECOMEPAY_JWT_SECRET": "rUn7tEsT-jWt-5eCrEt-9QxW2mZr7TbY4nHs8LdP1cFg", "COMECOMEPAY_DATA_KEY": "q8Xv0mC3n1bA7yT5rE2wQ9uI4oP6sD8fG0hJ2kL4zX0=",
			"COMECOMEPAY_CUSTODY_API_KEY":       "cUsToDy-9QxW2mZr7TbY4nHs8LdP1cFg6VaE0uRo5iNy",
			"COMECOMEPAY_KYC_WEBHOOK_SECRET":    "kYc-9QxW2mZr7TbY4nHs8LdP1cFg6VaE0uRo5iNy3",
			"COMECOMEPAY_ISSUER_WEBHOOK_SECRET": "iSsUeR-9QxW2mZr7TbY4nHs8LdP1cFg6VaE0uRo5iNy",
			"COMECOMEPAY_3DS_WEBHOOK_SECRET":    "tHrEeDs-9QxW2mZr7TbY4nHs8LdP1cFg6VaE0uRo5iN",
			"COMECOMEPAY_SMTP_HOST":             "smtp.example.com", "COMECOMEPAY_PASSWORD_HASH": "default"}, "card issuer"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"COMECOMEPAY_DATA_DIR": t.TempDir(), "COMECOMEPAY_PASSWORD_HASH": "fast"}
			for k, v := range tc.env {
				env[k] = v
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := run(ctx, tc.args, envOf(env), &lockedBuffer{})
			if err == nil || !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("run = %v, want an error mentioning %q", err, tc.mention)
			}
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				t.Fatal("run hung instead of failing")
			}
		})
	}
}

func TestRunVersion(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"comecomepay", "version"}, envOf(nil), &out); err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(out.String())
	if len(fields) != 2 || fields[0] != "comecomepay" || fields[1] == "" || !strings.HasSuffix(out.String(), "\n") {
		t.Fatalf("version output %q", out.String())
	}
}

func TestRunConfigMasksSecrets(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	env := map[string]string{
		"COMECOMEPAY_DATA_DIR":      dataDir,
		"COMECOMEPAY_DATABASE_URL":  "postgres://ccp:Db-Pa55word@db.internal:5432/ccp",
		"COMECOMEPAY_SMTP_PASSWORD": "Smtp-Pa55word",
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"comecomepay", "config"}, envOf(env), &out); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dataDir, "sandbox-secrets.json"))
	if err != nil {
		t.Fatalf("config did not create the sandbox secrets: %v", err)
	}
	var gen map[string]string
	if err := json.Unmarshal(raw, &gen); err != nil || gen["jwt_secret"] == "" || gen["data_key"] == "" {
		t.Fatalf("sandbox secrets %s: %v", raw, err)
	}
	text := out.String()
	for _, s := range []string{gen["jwt_secret"], gen["data_key"], gen["custody_api_key"], "Db-Pa55word", "Smtp-Pa55word"} {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("config output shows secret %q:\n%s", s, text)
		}
	}
	for _, want := range []string{"COMECOMEPAY_JWT_SECRET", "****** (set)", "db.internal:5432", "sandbox"} {
		if !strings.Contains(text, want) {
			t.Errorf("config output lacks %q:\n%s", want, text)
		}
	}
	// A second run reuses the generated secrets instead of replacing them.
	if err := run(context.Background(), []string{"comecomepay", "config"}, envOf(env), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(filepath.Join(dataDir, "sandbox-secrets.json")); !bytes.Equal(again, raw) {
		t.Fatal("the sandbox secrets changed between runs")
	}
}

func TestRunRejectsUnknownCommands(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args    []string
		mention string
	}{
		{[]string{"comecomepay", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"comecomepay", "ledger"}, "usage: comecomepay ledger verify"},
		{[]string{"comecomepay", "ledger", "fix"}, "usage: comecomepay ledger verify"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), tc.args, envOf(map[string]string{"COMECOMEPAY_DATA_DIR": t.TempDir()}), &out)
		if err == nil || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("run(%v) = %v, want an error mentioning %q", tc.args, err, tc.mention)
		}
	}
}
