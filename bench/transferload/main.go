// Command transferload drives POST /wallet/transfer-by-uid against a running
// sandbox-mode server at several client counts and prints throughput and
// p50/p99 latency. It prepares its own users through the API (sign-up with
// the sandbox OTP echo, transaction password, sandbox deposits). It only
// talks to the base URL it is given; every run is bounded by -duration.
//
//	go run ./bench/transferload -base http://127.0.0.1:8080 -clients 1,8,32 -duration 10s
package main

import (
	"bytes"
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
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server base URL (loopback only)")
	clients := flag.String("clients", "1,8,32", "comma-separated concurrent client counts")
	duration := flag.Duration("duration", 10*time.Second, "measuring time per client count")
	flag.Parse()
	if err := run(*base, *clients, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "transferload:", err)
		os.Exit(1)
	}
}

func run(base, clientList string, duration time.Duration) error {
	if !strings.HasPrefix(base, "http://127.") && !strings.HasPrefix(base, "http://localhost") && !strings.HasPrefix(base, "http://[::1]") {
		return errors.New("refusing a non-loopback base URL")
	}
	var counts []int
	for _, s := range strings.Split(clientList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 256 {
			return fmt.Errorf("bad client count %q", s)
		}
		counts = append(counts, n)
	}
	c := &client{base: strings.TrimRight(base, "/") + "/api/v1", http: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 512}}}
	maxClients := slices.Max(counts)
	fmt.Printf("preparing %d senders and %d recipients…\n", maxClients, maxClients)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	senders, recipients := make([]user, maxClients), make([]user, maxClients)
	for i := range maxClients {
		var err error
		if senders[i], err = c.register(fmt.Sprintf("load-s%d-%s@bench.local", i, run)); err != nil {
			return err
		}
		if recipients[i], err = c.register(fmt.Sprintf("load-r%d-%s@bench.local", i, run)); err != nil {
			return err
		}
		if err := c.prepareSender(senders[i]); err != nil {
			return err
		}
	}
	fmt.Printf("%8s %10s %10s %10s %10s %8s\n", "clients", "requests", "req/s", "p50", "p99", "errors")
	for _, n := range counts {
		res := c.measure(senders[:n], recipients[:n], duration)
		fmt.Printf("%8d %10d %10.1f %10s %10s %8d\n", n, res.count, float64(res.count)/duration.Seconds(),
			res.percentile(50), res.percentile(99), res.errors)
	}
	return nil
}

type user struct {
	id    int64
	token string
}

type client struct {
	base string
	http *http.Client
}

func (c *client) call(method, path, token string, body any, out any) (int, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		return res.StatusCode, json.Unmarshal(raw, out)
	}
	return res.StatusCode, nil
}

const password, txPassword = "Load!Test9Pass", "246810"

func (c *client) register(email string) (user, error) {
	var otp struct {
		OTP string `json:"otp"`
	}
	if _, err := c.call("POST", "/auth/signup", "", map[string]string{"email": email}, &otp); err != nil {
		return user{}, err
	}
	if otp.OTP == "" {
		return user{}, errors.New("the server does not echo OTPs: run it in sandbox mode")
	}
	if _, err := c.call("POST", "/auth/verify", "", map[string]string{"email": email, "otp_code": otp.OTP}, nil); err != nil {
		return user{}, err
	}
	var reg struct {
		Access string `json:"access_token"`
		User   struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	if _, err := c.call("POST", "/auth/set-password", "", map[string]string{"email": email, "password": password}, &reg); err != nil {
		return user{}, err
	}
	return user{id: reg.User.ID, token: reg.Access}, nil
}

func (c *client) prepareSender(u user) error {
	var req struct {
		OTP      string `json:"otp"`
		TempHash string `json:"temp_hash"`
	}
	if _, err := c.call("POST", "/user/transaction-password/request", u.token,
		map[string]string{"transaction_password": txPassword, "confirm_transaction_password": txPassword}, &req); err != nil {
		return err
	}
	if _, err := c.call("POST", "/user/transaction-password/complete", u.token,
		map[string]string{"otp_code": req.OTP, "temp_hash": req.TempHash}, nil); err != nil {
		return err
	}
	_, err := c.call("POST", "/sandbox/deposits", "", map[string]any{"currency": "USDT-TRC20", "amount": "1000000", "user_id": u.id}, nil)
	return err
}

type result struct {
	count, errors int
	latencies     []time.Duration
}

func (r result) percentile(p int) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	slices.Sort(r.latencies)
	return r.latencies[(len(r.latencies)-1)*p/100].Round(10 * time.Microsecond)
}

// measure runs n clients, each moving 0.01 from its sender to its recipient
// in a loop, until duration has passed.
func (c *client) measure(senders, recipients []user, duration time.Duration) result {
	deadline := time.Now().Add(duration)
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		all result
	)
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local result
			for time.Now().Before(deadline) {
				start := time.Now()
				_, err := c.call("POST", "/wallet/transfer-by-uid", senders[i].token, map[string]any{
					"recipient_uid": recipients[i].id, "currency": "USDT-TRC20", "amount": "0.01", "transaction_password": txPassword}, nil)
				if err != nil {
					local.errors++
					continue
				}
				local.count++
				local.latencies = append(local.latencies, time.Since(start))
			}
			mu.Lock()
			all.count += local.count
			all.errors += local.errors
			all.latencies = append(all.latencies, local.latencies...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all
}
