package replicatest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

const (
	password   = "Replica!Test1"
	txPassword = "135790"
	currency   = "USDT-TRC20"
	startFunds = 1000 // whole USDT deposited to each transfer user
)

// user is a registered account.
type user struct {
	ID    int64
	Token string
}

// op is one request of the race; a duplicate shares its key and body, as a
// client that sends the same request twice does.
type op struct {
	req      request
	transfer bool
	from, to int // indexes into the transfer users
	amount   int64
	dupOf    int // index of the op this one duplicates, or -1
}

// TestReplicasStayCorrectWhileOneDiesAndOneRestarts starts three replicas
// on one database and races transfers and card applications across them —
// each with an Idempotency-Key, retried on another replica until a definite
// answer — while one replica is killed (SIGKILL) and another restarted
// (SIGTERM) midway. Every request must get one definite answer, replayed
// the same afterwards; balances must be what the accepted requests imply;
// the ledger must verify; and every effect (transfer, notification, card)
// must happen once.
func TestReplicasStayCorrectWhileOneDiesAndOneRestarts(t *testing.T) {
	if os.Getenv(storetest.PostgresURLEnv) == "" {
		t.Skipf("%s is not set: replicas need a shared PostgreSQL", storetest.PostgresURLEnv)
	}
	if testing.Short() {
		t.Skip("starts three processes")
	}
	dbURL := storetest.URL(t, store.Postgres)
	c := newCluster(t, buildBinary(t), dbURL, 3)
	ctx := context.Background()

	payers := make([]user, 6)
	for i := range payers {
		payers[i] = c.register(ctx, fmt.Sprintf("payer%d@replica.test", i))
		c.setTxPassword(ctx, payers[i])
		c.deposit(ctx, payers[i], strconv.Itoa(startFunds))
	}
	holders := make([]user, 6)
	for i := range holders {
		holders[i] = c.register(ctx, fmt.Sprintf("holder%d@replica.test", i))
		c.readyForCard(ctx, holders[i])
	}

	ops := raceOps(payers, holders)
	began := time.Now()
	answers := c.race(ctx, ops)
	raced := time.Since(began).Round(time.Millisecond)

	// Every request got a definite answer; a duplicate got the same one.
	var slowest time.Duration
	met := map[string]int{}
	for i, o := range ops {
		a := answers[i]
		slowest = max(slowest, a.Took)
		for _, f := range a.Failures {
			met[failureKind(f)]++
		}
		if a.Status != http.StatusOK {
			t.Errorf("%s %s (key %s) = %d %s, want 200", o.req.Method, o.req.Path, o.req.Key, a.Status, a.Body)
		}
		if o.dupOf >= 0 && !bytes.Equal(a.Body, answers[o.dupOf].Body) {
			t.Errorf("key %s answered twice differently:\n%s\n%s", o.req.Key, answers[o.dupOf].Body, a.Body)
		}
	}
	t.Logf("%d requests in %s; attempts that were not definite: %v; slowest definite answer %s", len(ops), raced, met, slowest)
	// A claim left by the killed replica is taken over, not waited out
	// (its take-over by staleness alone would take two minutes).
	if slowest > 30*time.Second {
		t.Errorf("slowest definite answer took %s", slowest)
	}

	// Afterwards every key replays its one answer, on whichever replica.
	for i, o := range ops {
		if o.dupOf >= 0 {
			continue
		}
		a, err := c.do(ctx, o.req)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Replayed || a.Status != answers[i].Status || !bytes.Equal(a.Body, answers[i].Body) {
			t.Errorf("key %s replayed %d %s (replayed=%v), first answer %d %s", o.req.Key, a.Status, a.Body, a.Replayed,
				answers[i].Status, answers[i].Body)
		}
	}

	c.checkBalances(ctx, payers, ops, answers)
	c.checkEffectsOnce(ctx, dbURL, ops, answers)
	if out, err := c.run("ledger", "verify"); err != nil {
		t.Errorf("ledger verify: %v\n%s", err, out)
	}
}

// raceOps are transfers between the payers and one card application per
// holder; every fifth request is sent twice with its key.
func raceOps(payers, holders []user) []op {
	rng := rand.New(rand.NewPCG(15, 3))
	var ops []op
	add := func(o op) {
		o.dupOf = -1
		ops = append(ops, o)
		if (len(ops))%5 == 0 {
			dup := o
			dup.dupOf = len(ops) - 1
			ops = append(ops, dup)
		}
	}
	for i := range 300 {
		from := rng.IntN(len(payers))
		to := (from + 1 + rng.IntN(len(payers)-1)) % len(payers)
		amount := int64(1 + rng.IntN(5))
		add(op{transfer: true, from: from, to: to, amount: amount, req: request{Method: http.MethodPost, Path: "/api/v1/wallet/transfer-by-uid",
			Token: payers[from].Token, Key: fmt.Sprintf("replica-transfer-%04d", i),
			Body: map[string]any{"recipient_uid": payers[to].ID, "currency": currency, "amount": strconv.FormatInt(amount, 10),
				"transaction_password": txPassword}}})
		if i%50 == 25 {
			h := i / 50
			add(op{req: request{Method: http.MethodPost, Path: "/api/v1/card/apply", Token: holders[h].Token,
				Key: fmt.Sprintf("replica-apply-%02d", h), Body: map[string]any{"physical": false}}})
		}
	}
	return ops
}

// race sends ops from eight clients; a third of the way in replica 1 is
// killed, two thirds of the way in replica 2 is restarted.
func (c *cluster) race(ctx context.Context, ops []op) []answer {
	answers := make([]answer, len(ops))
	work := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				a, err := c.do(ctx, ops[i].req)
				if err != nil {
					c.t.Error(err)
				}
				answers[i] = a
			}
		}()
	}
	var disrupt sync.WaitGroup
	for i := range ops {
		switch i {
		case len(ops) / 3:
			disrupt.Add(1)
			go func() { defer disrupt.Done(); c.kill(1) }()
		case 2 * len(ops) / 3:
			disrupt.Add(1)
			go func() { defer disrupt.Done(); c.restart(2) }()
		}
		work <- i
	}
	close(work)
	wg.Wait()
	disrupt.Wait()
	return answers
}

// checkBalances compares each payer's balance with the accepted transfers.
func (c *cluster) checkBalances(ctx context.Context, payers []user, ops []op, answers []answer) {
	want := make([]int64, len(payers))
	for i := range want {
		want[i] = startFunds * 1_000_000
	}
	for i, o := range ops {
		if o.transfer && o.dupOf < 0 && answers[i].Status == http.StatusOK {
			want[o.from] -= o.amount * 1_000_000
			want[o.to] += o.amount * 1_000_000
		}
	}
	for i, p := range payers {
		var w struct {
			Wallet struct {
				Balances map[string]json.Number `json:"balances_by_currency"`
			} `json:"wallet"`
		}
		c.must(ctx, request{Method: http.MethodGet, Path: "/api/v1/wallet", Token: p.Token}, &w)
		if got := micros(c.t, w.Wallet.Balances[currency].String()); got != want[i] {
			c.t.Errorf("payer %d balance %d µUSDT, accepted transfers imply %d", i, got, want[i])
		}
	}
}

// checkEffectsOnce counts the effects in the database: one transfer and one
// notification (with one push job) per accepted transfer, one card task per
// accepted application, and at most one card at the issuer per task.
func (c *cluster) checkEffectsOnce(ctx context.Context, dbURL string, ops []op, answers []answer) {
	t := c.t
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	transfers, applies := 0, 0
	for i, o := range ops {
		if o.dupOf >= 0 || answers[i].Status != http.StatusOK {
			continue
		}
		if o.transfer {
			transfers++
		} else {
			applies++
		}
	}
	count := func(query string) int {
		t.Helper()
		var n int
		if err := db.SQL.QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	for query, want := range map[string]int{
		`SELECT COUNT(*) FROM transfers`:                                      transfers,
		`SELECT COUNT(*) FROM notifications WHERE type = 'transfer_received'`: transfers,
		`SELECT COUNT(DISTINCT args->>'notification_id') FROM river_job WHERE kind = 'notification.push'
			AND (args->>'notification_id')::bigint IN (SELECT id FROM notifications WHERE type = 'transfer_received')`: transfers,
		`SELECT COUNT(*) FROM card_tasks`: applies,
		`SELECT COUNT(*) FROM (SELECT args->>'notification_id' FROM river_job WHERE kind = 'notification.push'
			GROUP BY 1 HAVING COUNT(*) > 1) dup`: 0,
	} {
		if got := count(query); got != want {
			t.Errorf("%s = %d, want %d", strings.Join(strings.Fields(query), " "), got, want)
		}
	}

	// Cards are issued by jobs. A job the killed replica was working stays
	// "running" until River's rescuer frees it (minutes); every other task
	// completes, and no task ever gets two cards.
	deadline := time.Now().Add(20 * time.Second)
	for {
		done := count(`SELECT COUNT(*) FROM card_tasks WHERE status = 'completed'`)
		stuck := count(`SELECT COUNT(*) FROM card_tasks t WHERE t.status <> 'completed' AND EXISTS (SELECT 1 FROM river_job j
			WHERE j.kind = 'card.issue' AND j.state = 'running' AND (j.args->>'task_id')::bigint = t.id)`)
		if done == applies || (done+stuck == applies && time.Now().After(deadline)) {
			if stuck > 0 {
				t.Logf("%d card issuance job(s) held by the killed replica await River's rescue", stuck)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("%d of %d card tasks completed after 20 s (%d held by the killed replica)", done, applies, stuck)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if cards, issued, done := count(`SELECT COUNT(*) FROM cards`), count(`SELECT COUNT(*) FROM sim_issuer_cards`),
		count(`SELECT COUNT(*) FROM card_tasks WHERE status = 'completed'`); cards != done || issued != done {
		t.Errorf("%d cards and %d issuer cards for %d completed tasks", cards, issued, done)
	}
}

// failureKind sorts what an attempt met, for the log.
func failureKind(f string) string {
	switch {
	case strings.Contains(f, "connection refused"):
		return "refused"
	case strings.Contains(f, "IDEMPOTENCY_IN_PROGRESS"):
		return "in progress"
	case strings.HasPrefix(f, "network"):
		return "cut" // the replica died or stopped with the request in flight
	}
	return f[:3]
}

// micros parses a decimal amount into millionths.
func micros(t *testing.T, s string) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(s, ".")
	frac = (frac + "000000")[:6]
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("amount %q", s)
	}
	return w*1_000_000 + f
}
