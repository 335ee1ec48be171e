package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/comecomepay/comecomepay/bench/seed"
)

// transferOp moves 0.01 USDT from u to a random recipient other than u
// with the real transaction-password check.
func transferOp(s *server, recipients []*benchUser) op {
	return func(ctx context.Context, u *benchUser) (int, string) {
		to := recipients[rand.IntN(len(recipients))]
		for to == u {
			to = recipients[rand.IntN(len(recipients))]
		}
		body, _ := json.Marshal(map[string]any{"recipient_uid": to.id, "currency": seed.Currency, "amount": "0.01",
			"transaction_password": txPassword})
		status, raw, err := call(ctx, "POST", s.base+"/api/v1/wallet/transfer-by-uid", u.token, body, nil)
		if err != nil {
			return status, err.Error()
		}
		return status, string(raw)
	}
}

// getOp is an authenticated GET of path.
func getOp(s *server, path string) op {
	return func(ctx context.Context, u *benchUser) (int, string) {
		status, raw, err := call(ctx, "GET", s.base+path, u.token, nil, nil)
		if err != nil {
			return status, err.Error()
		}
		return status, string(raw)
	}
}

// anonymous is a source for unauthenticated requests (the /healthz ceiling).
type anonymous struct{}

func (anonymous) get(ctx context.Context) (*benchUser, bool) { return &benchUser{}, ctx.Err() == nil }

// startSeeded creates a database, seeds n users, starts a server on it with
// env and enables their transaction password.
func startSeeded(ctx context.Context, o options, dbURL string, n int, env map[string]string) (*server, seed.Report, error) {
	rep, err := seed.Run(ctx, dbURL, usersPlan(n))
	if err != nil {
		return nil, rep, err
	}
	s, err := startServer(ctx, o.bin, dbURL, env)
	if err != nil {
		return nil, rep, err
	}
	if err := enableTxPassword(ctx, s, dbURL, rep); err != nil {
		s.stop()
		return nil, rep, err
	}
	return s, rep, nil
}

// pgTransfers: transfer-by-uid vs pgbench -N at 4 and 16 clients, tail
// latency at 75 % of the peak, card-fee payments, memory and goroutines at 64.
func pgTransfers(ctx context.Context, o options) error {
	if err := pgbenchInit(ctx, o); err != nil {
		return err
	}
	dbURL, err := freshDB(ctx, o, "ccp_bench_transfer")
	if err != nil {
		return err
	}
	s, rep, err := startSeeded(ctx, o, dbURL, 60_000, limitsOn)
	if err != nil {
		return err
	}
	defer s.stop()
	all, err := newPool(rep.FirstUserID, rep.LastUserID)
	if err != nil {
		return err
	}
	senders := &pool{users: all.users[:10_000]}
	recipients := all.users[10_000:12_000]
	payers := &once{users: all.users[12_000:]}
	transfer := transferOp(s, recipients)
	if err := checkpoint(ctx, o); err != nil {
		return err
	}
	closedLoop(ctx, 4, 2*time.Second, senders, transfer) // warm-up: connections, caches
	peak := 0.0
	for _, c := range []int{4, 16} {
		r := closedLoop(ctx, c, o.secs, senders, transfer)
		tps, err := pgbench(ctx, o, "-N", c)
		if err != nil {
			return err
		}
		peak = max(peak, r.rate())
		report(row{name: fmt.Sprintf("PG transfer-by-uid, %d clients", c), unit: "req/s", figure: r.rate(), refName: "pgbench -N tps",
			ref: tps, target: "≥ 0.60", met: atLeast(0.60), note: joinNotes(fmt.Sprintf("p50 %s p99 %s", r.percentile(50), r.percentile(99)), describe(r))})
	}
	rate := 0.75 * peak
	if err := checkpoint(ctx, o); err != nil {
		return err
	}
	r := openLoop(ctx, rate, o.secs, senders, transfer)
	p50, p99 := r.percentile(50), r.percentile(99)
	report(row{name: fmt.Sprintf("PG transfer p99 at 75%% of peak (%.0f/s)", rate), unit: "ms p99", figure: ms(p99), refName: "ms p50",
		ref: ms(p50), target: "≤ 10.0", met: atMost(10), note: describe(r)})

	pairs := closedLoop(ctx, 16, o.secs, payers, cardFeeOp(s))
	report(row{name: "PG card-fee order + payment (2 requests), 16 clients", unit: "pairs/s", figure: pairs.rate(), refName: "transfers/s",
		ref: peak, target: "—", note: joinNotes(fmt.Sprintf("%d payers used", payers.next.Load()), describe(pairs))})
	// Orders for about twice what the payments could reach in the time.
	orders := int(2*peak*o.secs.Seconds()) + 100
	payers16, refs16, err := openPayments(ctx, s, payers.take(orders))
	if err != nil {
		return err
	}
	fee16 := closedLoop(ctx, 16, o.secs, payers16, completeOp(s, refs16))
	report(row{name: "PG card-fee payment (CompletePayment), 16 clients", unit: "pay/s", figure: fee16.rate(), refName: "transfers/s",
		ref: peak, target: "≥ 0.80", met: atLeast(0.80), note: joinNotes(fmt.Sprintf("%d orders opened beforehand", len(refs16)), describe(fee16))})
	payers64, refs64, err := openPayments(ctx, s, payers.take(orders))
	if err != nil {
		return err
	}

	httpClient.CloseIdleConnections()
	time.Sleep(time.Second)
	baseline, err := s.goroutines()
	if err != nil {
		return err
	}
	var peakRSS atomic.Int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		for {
			if rss, _, err := s.memory(); err == nil && rss > peakRSS.Load() {
				peakRSS.Store(rss)
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	fee64 := closedLoop(ctx, 64, o.secs, payers64, completeOp(s, refs64))
	t64 := closedLoop(ctx, 64, o.secs, senders, transfer)
	close(stop)
	sampler.Wait()
	_, hwm, _ := s.memory()
	report(row{name: "PG card-fee payment, 64 clients (no collapse)", unit: "pay/s", figure: fee64.rate(), refName: "pay/s at 16",
		ref: fee16.rate(), target: "≥ 0.80", met: atLeast(0.80), note: describe(fee64)})
	report(row{name: "PG transfer-by-uid, 64 clients", unit: "req/s", figure: t64.rate(), note: describe(t64)})
	report(row{name: "RSS of the replica under 64-client load (peak)", unit: "MiB", figure: float64(peakRSS.Load()) / 1024,
		target: "< 256 MiB", met: func(_, f float64) bool { return f < 256 }, note: fmt.Sprintf("VmHWM over the whole run %.0f MiB", float64(hwm)/1024)})
	httpClient.CloseIdleConnections()
	time.Sleep(3 * time.Second)
	after, err := s.goroutines()
	if err != nil {
		return err
	}
	report(row{name: "goroutines 3 s after the load (vs before it)", unit: "goroutines", figure: float64(after), refName: "before",
		ref: float64(baseline), target: "≤ before + 2", met: func(_, f float64) bool { return f <= float64(baseline+2) }})
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pgGets: GET /user/profile at 16 clients vs pgbench -S, limits on and off.
func pgGets(ctx context.Context, o options) error {
	if err := pgbenchInit(ctx, o); err != nil {
		return err
	}
	dbURL, err := freshDB(ctx, o, "ccp_bench_get")
	if err != nil {
		return err
	}
	rep, err := seed.Run(ctx, dbURL, usersPlan(20_000))
	if err != nil {
		return err
	}
	readers, err := newPool(rep.FirstUserID, rep.LastUserID)
	if err != nil {
		return err
	}
	measure := func(env map[string]string) (result, error) {
		s, err := startServer(ctx, o.bin, dbURL, env)
		if err != nil {
			return result{}, err
		}
		defer s.stop()
		profile := getOp(s, "/api/v1/user/profile")
		closedLoop(ctx, 16, 2*time.Second, readers, profile)
		return closedLoop(ctx, 16, o.secs, readers, profile), nil
	}
	// On and off alternate, twice each, and the better run of each counts:
	// one pair measured back to back moved by ±20 % between runs on a VM
	// with neighbours, more than the limits cost.
	var on, off result
	for range 2 {
		for _, m := range []struct {
			env  map[string]string
			best *result
		}{{limitsOn, &on}, {limitsOff, &off}} {
			r, err := measure(m.env)
			if err != nil {
				return err
			}
			if r.rate() > m.best.rate() || m.best.took == 0 {
				*m.best = r
			}
		}
	}
	tps, err := pgbench(ctx, o, "-S", 16)
	if err != nil {
		return err
	}
	report(row{name: "PG GET /user/profile, 16 clients, limits on", unit: "req/s", figure: on.rate(), refName: "pgbench -S tps", ref: tps,
		target: "≥ 0.40", met: atLeast(0.40), note: joinNotes(fmt.Sprintf("p50 %s p99 %s", on.percentile(50), on.percentile(99)), describe(on))})
	report(row{name: "PG GET /user/profile, limits on vs off", unit: "req/s", figure: on.rate(), refName: "req/s limits off", ref: off.rate(),
		target: "≥ 0.90", met: atLeast(0.90), note: describe(off)})
	return nil
}

// replicas: three servers on one database share the per-user limit. Users
// send as fast as they can, each request to the next replica, until every
// one of them has been refused (at most 40 s, less than one window); each
// must have been admitted the configured 120 and no more.
func replicas(ctx context.Context, o options) error {
	dbURL, err := freshDB(ctx, o, "ccp_bench_replicas")
	if err != nil {
		return err
	}
	const users, perUser = 10, 120
	rep, err := seed.Run(ctx, dbURL, usersPlan(users))
	if err != nil {
		return err
	}
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	for range 3 {
		s, err := startServer(ctx, o.bin, dbURL, limitsOn)
		if err != nil {
			return err
		}
		servers = append(servers, s)
	}
	p, err := newPool(rep.FirstUserID, rep.LastUserID)
	if err != nil {
		return err
	}
	var next atomic.Uint64
	admitted := make([]atomic.Int64, users)
	spin := &spinning{users: p.users}
	const d = 40 * time.Second
	start := time.Now()
	refused := make([]atomic.Bool, users)
	var refusedUsers atomic.Int64
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := closedLoop(ctx, 16, d, spin, func(ctx context.Context, u *benchUser) (int, string) {
		s := servers[next.Add(1)%3]
		status, raw, err := call(ctx, "GET", s.base+"/api/v1/user/profile", u.token, nil, nil)
		if err != nil {
			return status, err.Error()
		}
		switch i := u.id - rep.FirstUserID; status {
		case 200:
			admitted[i].Add(1)
		case 429:
			if !refused[i].Swap(true) && refusedUsers.Add(1) == users {
				cancel()
			}
		}
		return status, string(raw)
	})
	total := int64(0)
	for i := range admitted {
		total += admitted[i].Load()
	}
	mean := float64(total) / users
	report(row{name: "per-user limit across 3 replicas (admitted/user/window)", unit: "req", figure: mean, refName: "configured", ref: perUser,
		target: "0.90–1.10", met: func(ratio, _ float64) bool { return ratio >= 0.9 && ratio <= 1.1 },
		note: joinNotes(fmt.Sprintf("%d users, %s until each was refused, %d answered 429", users, time.Since(start).Round(time.Second), r.limited), describe(result{failed: r.failed, firstError: r.firstError}))})
	return nil
}

// spinning hands out users round-robin with no budget: it is meant to pass the limit.
type spinning struct {
	users []*benchUser
	next  atomic.Uint64
}

func (s *spinning) get(ctx context.Context) (*benchUser, bool) {
	return s.users[s.next.Add(1)%uint64(len(s.users))], ctx.Err() == nil
}

// sqliteBench: the embedded default. Authenticated GETs vs the /healthz
// ceiling, and transfers over HTTP vs the same statements run directly.
func sqliteBench(ctx context.Context, o options) error {
	dir, err := tempDir()
	if err != nil {
		return err
	}
	dbURL := filepath.Join(dir, "comecomepay.db")
	s, rep, err := startSeeded(ctx, o, dbURL, 12_000, limitsOn)
	if err != nil {
		return err
	}
	defer s.stop()
	all, err := newPool(rep.FirstUserID, rep.LastUserID)
	if err != nil {
		return err
	}
	health := func(ctx context.Context, _ *benchUser) (int, string) {
		status, raw, err := call(ctx, "GET", s.base+"/healthz", "", nil, nil)
		if err != nil {
			return status, err.Error()
		}
		return status, string(raw)
	}
	closedLoop(ctx, 16, 2*time.Second, anonymous{}, health)
	ceiling := closedLoop(ctx, 16, o.secs, anonymous{}, health)
	readers := &pool{users: all.users[6_000:]}
	get := closedLoop(ctx, 16, o.secs, readers, getOp(s, "/api/v1/user/profile"))
	report(row{name: "SQLite GET /user/profile, 16 clients, limits on", unit: "req/s", figure: get.rate(), refName: "/healthz req/s",
		ref: ceiling.rate(), target: "≥ 0.50", met: atLeast(0.50), note: describe(get)})
	senders := &pool{users: all.users[:5_000]}
	transfer := transferOp(s, all.users[5_000:6_000])
	t := closedLoop(ctx, 4, o.secs, senders, transfer)
	s.stop()
	direct, err := directTransfers(ctx, dbURL, rep, o.secs)
	if err != nil {
		return err
	}
	report(row{name: "SQLite transfer-by-uid, 4 clients", unit: "req/s", figure: t.rate(), refName: "direct tx/s", ref: direct.rate,
		target: "≥ 0.60", met: atLeast(0.60), note: joinNotes(direct.note, describe(t))})
	return nil
}
