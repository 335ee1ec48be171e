package main

import (
	"bytes"
	"context"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestServeLeavesNoGoroutines serves requests that touch the database and
// queue jobs, shuts the server down gracefully and checks that every
// goroutine it started — HTTP, job workers, pools, the idempotency
// identity — has ended. Not parallel: the count is the whole process's.
func TestServeLeavesNoGoroutines(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) { serveAndCountGoroutines(t, engine) })
	}
}

func serveAndCountGoroutines(t *testing.T, engine store.Engine) {
	env := map[string]string{
		"COMECOMEPAY_DATA_DIR":          t.TempDir(),
		"COMECOMEPAY_PASSWORD_HASH":     "fast",
		"COMECOMEPAY_JOB_POLL_INTERVAL": "50ms",
		"COMECOMEPAY_LOG_LEVEL":         "error",
	}
	if engine == store.Postgres {
		env["COMECOMEPAY_DATABASE_URL"] = storetest.URL(t, engine) // before counting: the helper keeps a pool
	}
	addr := freeAddr(t)
	env["COMECOMEPAY_HTTP_ADDR"] = addr
	getenv := envOf(env)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	before := runtime.NumGoroutine()

	out := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"comecomepay", "serve"}, getenv, out) }()
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		if status, err := getStatus(client, base+"/healthz"); err == nil && status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no healthy /healthz within 20 s\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A signup writes rows and queues the e-mail job the workers then run.
	for _, email := range []string{"leak1@example.com", "leak2@example.com"} {
		res, err := client.Post(base+"/api/v1/auth/signup", "application/json", strings.NewReader(`{"email":"`+email+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("signup = %d", res.StatusCode)
		}
	}
	time.Sleep(300 * time.Millisecond) // let the workers pick the jobs up
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after cancel = %v\n%s", err, out)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("run did not return within 20 s of cancel\n%s", out)
	}

	// Goroutines end shortly after the calls that stop them return.
	deadline = time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			var stacks bytes.Buffer
			_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
			t.Fatalf("%d goroutines after shutdown, %d before:\n%s", runtime.NumGoroutine(), before, stacks.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
