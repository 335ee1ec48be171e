package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/comecomepay/comecomepay/bench/seed"
)

// userBudget is how many requests one user may send in any 61 seconds:
// under the default limit of 120 a minute, whatever the server's window.
const userBudget = 110

// benchUser is a seeded user with a token the suite signed for its session.
type benchUser struct {
	id    int64
	token string
	mu    sync.Mutex
	sent  [userBudget]time.Time // ring of send times
	pos   int
}

// take reserves one request for u if its budget allows one now.
func (u *benchUser) take(now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.sent[u.pos].IsZero() && now.Sub(u.sent[u.pos]) < 61*time.Second {
		return false
	}
	u.sent[u.pos] = now
	u.pos = (u.pos + 1) % userBudget
	return true
}

// signToken makes the access token the server would have issued at login
// for the seeded session (API.md §1.3 claims, HS256, kid of the secret).
func signToken(userID int64) (string, error) {
	now := time.Now()
	claims := jwt.MapClaims{"user_id": userID, "email": seed.Email(userID), "typ": "access", "sid": seed.SessionID(userID),
		"jti": fmt.Sprintf("bench-%d.a", userID), "iat": now.Unix(), "exp": now.Add(12 * time.Hour).Unix()}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	sum := sha256.Sum256([]byte("kid:" + jwtSecret))
	t.Header["kid"] = hex.EncodeToString(sum[:4])
	return t.SignedString([]byte(jwtSecret))
}

// pool hands out users round-robin, skipping those whose budget is spent.
type pool struct {
	users   []*benchUser
	next    atomic.Uint64
	starved atomic.Int64 // times a client found no user with budget left
}

func newPool(first, last int64) (*pool, error) {
	p := &pool{}
	for id := first; id <= last; id++ {
		tok, err := signToken(id)
		if err != nil {
			return nil, err
		}
		p.users = append(p.users, &benchUser{id: id, token: tok})
	}
	return p, nil
}

// get returns a user with budget, waiting when every user's is spent.
func (p *pool) get(ctx context.Context) (*benchUser, bool) {
	for ctx.Err() == nil {
		for range len(p.users) {
			u := p.users[p.next.Add(1)%uint64(len(p.users))]
			if u.take(time.Now()) {
				return u, true
			}
		}
		p.starved.Add(1)
		time.Sleep(20 * time.Millisecond)
	}
	return nil, false
}

// once hands each user out at most once (card-fee payers pay once).
type once struct {
	users []*benchUser
	next  atomic.Int64
}

func (o *once) get(context.Context) (*benchUser, bool) {
	i := o.next.Add(1) - 1
	if i >= int64(len(o.users)) {
		return nil, false
	}
	return o.users[i], true
}

var httpClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxIdleConns: 1024}}

// call sends one request and reports its status; bodies are read and dropped.
func call(ctx context.Context, method, url, token string, body []byte, extra map[string]string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, raw, err
}

// result is what one measurement saw.
type result struct {
	ok, failed, limited int
	took                time.Duration
	latencies           []time.Duration
	firstError          string
}

func (r *result) rate() float64 { return float64(r.ok) / r.took.Seconds() }

func (r *result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	slices.Sort(r.latencies)
	return r.latencies[int(float64(len(r.latencies)-1)*p/100)]
}

func (r *result) add(o result) {
	r.ok += o.ok
	r.failed += o.failed
	r.limited += o.limited
	r.latencies = append(r.latencies, o.latencies...)
	if r.firstError == "" {
		r.firstError = o.firstError
	}
}

// op is one unit of work for a user: it returns the HTTP status of its last
// request and the body when that was not 200.
type op func(ctx context.Context, u *benchUser) (int, string)

type source interface {
	get(ctx context.Context) (*benchUser, bool)
}

// closedLoop runs clients that each start the next operation when the last
// one answered, for d. Requests still running at the end finish and count:
// cancelling them would hide slow requests, and the rate is divided by the
// time until the last one answered.
func closedLoop(ctx context.Context, clients int, d time.Duration, users source, do op) result {
	defer profileSystem(clients, d)()
	deadline := time.Now().Add(d)
	var (
		mu  sync.Mutex
		all result
		wg  sync.WaitGroup
	)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			var local result
			for time.Now().Before(deadline) && ctx.Err() == nil {
				u, ok := users.get(ctx)
				if !ok {
					break
				}
				t := time.Now()
				status, body := do(ctx, u)
				if ctx.Err() != nil && status == 0 {
					break
				}
				local.record(status, body, time.Since(t))
			}
			mu.Lock()
			all.add(local)
			mu.Unlock()
		})
	}
	wg.Wait()
	all.took = time.Since(start)
	return all
}

func (r *result) record(status int, body string, took time.Duration) {
	switch {
	case status == http.StatusOK:
		r.ok++
		r.latencies = append(r.latencies, took)
	case status == http.StatusTooManyRequests:
		r.limited++
	default:
		r.failed++
		if r.firstError == "" {
			r.firstError = fmt.Sprintf("%d %.200s", status, body)
		}
	}
}

// openLoop starts operations at a fixed rate for d whatever the answers,
// and measures each from its scheduled start, so a stall shows in the tail
// instead of slowing the load down (no coordinated omission).
func openLoop(ctx context.Context, rate float64, d time.Duration, users source, do op) result {
	interval := time.Duration(float64(time.Second) / rate)
	var (
		mu  sync.Mutex
		all result
		wg  sync.WaitGroup
	)
	start := time.Now()
	sem := make(chan struct{}, 512)
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= d {
			break
		}
		time.Sleep(time.Until(due))
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			u, ok := users.get(ctx)
			if !ok {
				return
			}
			status, body := do(ctx, u)
			mu.Lock()
			all.record(status, body, time.Since(due))
			mu.Unlock()
		})
	}
	wg.Wait()
	all.took = time.Since(start)
	return all
}
