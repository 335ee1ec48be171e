// Command authget drives authenticated GET /user/profile (one user per
// client, so each client has its own per-user limit) and GET /healthz (the
// HTTP ceiling) against running sandbox-mode servers, and prints
// throughput, p50/p99 and the share of 429 answers. With several -base URLs
// the clients are spread over them round-robin (replicas sharing one
// database). It only talks to loopback URLs; every run is bounded by
// -duration.
//
//	go run ./bench/authget -base http://127.0.0.1:18099 -clients 16 -duration 10s
//
// -limit-probe N instead sends N GETs as fast as possible as ONE user
// spread over every base URL and reports how many were admitted: the
// cross-replica accuracy of the per-user limit.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	bases := flag.String("base", "http://127.0.0.1:8080", "comma-separated server base URLs (loopback only)")
	clients := flag.String("clients", "16", "comma-separated concurrent client counts")
	duration := flag.Duration("duration", 10*time.Second, "measuring time per client count")
	healthz := flag.Bool("healthz", true, "also measure GET /healthz at the same client counts")
	probe := flag.Int("limit-probe", 0, "send this many GETs as one user over all base URLs and count the admitted")
	flag.Parse()
	if err := run(strings.Split(*bases, ","), *clients, *duration, *healthz, *probe); err != nil {
		fmt.Fprintln(os.Stderr, "authget:", err)
		os.Exit(1)
	}
}

func run(bases []string, clientList string, duration time.Duration, healthz bool, probe int) error {
	for i, b := range bases {
		b = strings.TrimRight(strings.TrimSpace(b), "/")
		if !strings.HasPrefix(b, "http://127.") && !strings.HasPrefix(b, "http://localhost") {
			return errors.New("refusing a non-loopback base URL")
		}
		bases[i] = b
	}
	var counts []int
	for _, s := range strings.Split(clientList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 256 {
			return fmt.Errorf("bad client count %q", s)
		}
		counts = append(counts, n)
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512}}
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	if probe > 0 {
		u, err := register(hc, bases[0], "probe-"+runID+"@bench.local")
		if err != nil {
			return err
		}
		return limitProbe(hc, bases, u, probe)
	}
	users := make([]string, slices.Max(counts))
	for i := range users {
		var err error
		if users[i], err = register(hc, bases[i%len(bases)], fmt.Sprintf("get-%d-%s@bench.local", i, runID)); err != nil {
			return err
		}
	}
	fmt.Printf("%-9s %8s %10s %10s %10s %10s %8s\n", "route", "clients", "requests", "req/s", "p50", "p99", "429s")
	for _, n := range counts {
		res := measure(hc, bases, users[:n], "/api/v1/user/profile", duration)
		res.print("profile", n, duration)
		if healthz {
			res = measure(hc, bases, make([]string, n), "/healthz", duration)
			res.print("healthz", n, duration)
		}
	}
	return nil
}

// register signs a user up through the sandbox OTP echo and returns its
// access token.
func register(hc *http.Client, base, email string) (string, error) {
	var otp struct {
		OTP string `json:"otp"`
	}
	if err := post(hc, base+"/api/v1/auth/signup", map[string]string{"email": email}, &otp); err != nil {
		return "", err
	}
	if otp.OTP == "" {
		return "", errors.New("the server does not echo OTPs: run it in sandbox mode")
	}
	if err := post(hc, base+"/api/v1/auth/verify", map[string]string{"email": email, "otp_code": otp.OTP}, nil); err != nil {
		return "", err
	}
	var reg struct {
		Access string `json:"access_token"`
	}
	err := post(hc, base+"/api/v1/auth/set-password", map[string]string{"email": email, "password": "Load!Test9Pass"}, &reg)
	return reg.Access, err
}

func post(hc *http.Client, url string, body, out any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %d %s", url, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// get sends one GET and returns its status.
func get(hc *http.Client, url, token string) (int, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode, nil
}

type result struct {
	count, limited, errors int
	latencies              []time.Duration
}

func (r result) percentile(p int) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	slices.Sort(r.latencies)
	return r.latencies[(len(r.latencies)-1)*p/100].Round(time.Microsecond)
}

func (r result) print(route string, clients int, d time.Duration) {
	fmt.Printf("%-9s %8d %10d %10.0f %10s %10s %8d", route, clients, r.count, float64(r.count)/d.Seconds(),
		r.percentile(50), r.percentile(99), r.limited)
	if r.errors > 0 {
		fmt.Printf("  (%d other errors)", r.errors)
	}
	fmt.Println()
}

// measure runs one client per token (empty: unauthenticated) in a loop
// until duration has passed; client i talks to base i mod len(bases).
func measure(hc *http.Client, bases, tokens []string, path string, duration time.Duration) result {
	deadline := time.Now().Add(duration)
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		all result
	)
	for i, token := range tokens {
		wg.Go(func() {
			var local result
			url := bases[i%len(bases)] + path
			for time.Now().Before(deadline) {
				start := time.Now()
				status, err := get(hc, url, token)
				switch {
				case err != nil || (status != http.StatusOK && status != http.StatusTooManyRequests):
					local.errors++
				case status == http.StatusTooManyRequests:
					local.limited++
				default:
					local.count++
					local.latencies = append(local.latencies, time.Since(start))
				}
			}
			mu.Lock()
			all.count += local.count
			all.limited += local.limited
			all.errors += local.errors
			all.latencies = append(all.latencies, local.latencies...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all
}

// limitProbe sends n GETs of one user from 8 goroutines per base URL and
// reports how many were admitted.
func limitProbe(hc *http.Client, bases []string, token string, n int) error {
	var sent, ok, limited, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for _, base := range bases {
		for range 8 {
			wg.Go(func() {
				for sent.Add(1) <= int64(n) {
					status, err := get(hc, base+"/api/v1/user/profile", token)
					switch {
					case err == nil && status == http.StatusOK:
						ok.Add(1)
					case err == nil && status == http.StatusTooManyRequests:
						limited.Add(1)
					default:
						failed.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	fmt.Printf("one user, %d GETs over %d replicas in %s: %d admitted, %d refused (429), %d failed\n",
		n, len(bases), time.Since(start).Round(time.Millisecond), ok.Load(), limited.Load(), failed.Load())
	return nil
}
