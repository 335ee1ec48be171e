package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// restartAttempt is one transfer request of TestAcknowledgedTransfersSurvivePostgresRestart.
type restartAttempt struct {
	key      string
	from, to apptest.Account
	amount   int64 // whole USDT
	outage   bool  // sent while the server was down
	status   int
	code     string
	took     time.Duration
	txID     int64 // the sender's unified transaction id of a 200
	replayed bool  // the answer was the stored one of an earlier execution
}

func (a *restartAttempt) send(h *apptest.Harness) {
	start := time.Now()
	res := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": a.to.ID,
		"currency": "USDT-TRC20", "amount": fmt.Sprint(a.amount), "transaction_password": apptest.TxPassword},
		apptest.Bearer(a.from.Access), apptest.Header{Name: "Idempotency-Key", Value: a.key})
	a.took, a.status, a.code = time.Since(start), res.Status, res.Code()
	a.replayed = res.Header.Get("Idempotent-Replayed") == "true"
	if res.Status == http.StatusOK {
		// Not apptest.Decode: this runs off the test goroutine, without t.
		var b struct {
			TransactionID int64 `json:"transaction_id"`
		}
		_ = json.Unmarshal(res.Body, &b)
		a.txID = b.TransactionID
	}
}

// TestAcknowledgedTransfersSurvivePostgresRestart crashes a private
// PostgreSQL server (immediate shutdown, then crash recovery) under crossing
// transfer load. Every transfer answered 200 is in the database afterwards;
// requests while the server is down get a prompt 503 SERVICE_UNAVAILABLE
// (never a 500, never a hang); retrying an unanswered request with its
// Idempotency-Key books it exactly once; the ledger verifies.
func TestAcknowledgedTransfersSurvivePostgresRestart(t *testing.T) {
	t.Parallel()
	cluster := storetest.NewCluster(t)
	h := apptest.New(t, store.Postgres, apptest.Database(cluster.URL()))
	alice, bob := h.Register(t, "restart-a@example.com"), h.Register(t, "restart-b@example.com")
	for _, acc := range []apptest.Account{alice, bob} {
		h.SetTxPassword(t, acc)
		h.Deposit(t, acc, "USDT-TRC20", "1000")
	}

	var (
		mu       sync.Mutex
		attempts []*restartAttempt
		acked    atomic.Int64
		down     atomic.Bool
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	for c := range 8 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				a := &restartAttempt{key: fmt.Sprintf("restart-%d-%05d", c, n), from: alice, to: bob, amount: int64(1 + n%7)}
				if c%2 == 1 {
					a.from, a.to = bob, alice
				}
				wasDown := down.Load()
				a.send(h)
				a.outage = wasDown && down.Load()
				if a.status == http.StatusOK {
					acked.Add(1)
				}
				mu.Lock()
				attempts = append(attempts, a)
				mu.Unlock()
				if a.status == http.StatusServiceUnavailable {
					time.Sleep(200 * time.Millisecond) // as a client honouring Retry-After would, if less patiently
				}
			}
		})
	}
	waitAcked := func(n int64) {
		deadline := time.Now().Add(20 * time.Second)
		for acked.Load() < n && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if acked.Load() < n {
			close(stop)
			wg.Wait()
			t.Fatalf("only %d transfers acknowledged, want %d", acked.Load(), n)
		}
	}
	waitAcked(60)
	cluster.Crash()
	down.Store(true)
	time.Sleep(700 * time.Millisecond)
	// The outage ends when the restart begins: a request still in flight
	// then may legitimately reach the server once it accepts connections
	// again, before Start returns.
	down.Store(false)
	cluster.Start()
	waitAcked(acked.Load() + 60)
	close(stop)
	wg.Wait()

	var outage, unanswered []*restartAttempt
	for _, a := range attempts {
		switch {
		case a.status == http.StatusOK, a.status == http.StatusBadRequest && a.code == "INSUFFICIENT_BALANCE":
		case a.status == http.StatusServiceUnavailable && a.code == "SERVICE_UNAVAILABLE":
			unanswered = append(unanswered, a)
		default:
			t.Errorf("transfer %s: %d %s, want 200, 400 INSUFFICIENT_BALANCE or 503 SERVICE_UNAVAILABLE", a.key, a.status, a.code)
		}
		if a.outage {
			outage = append(outage, a)
			if a.status != http.StatusServiceUnavailable || a.took > 5*time.Second {
				t.Errorf("transfer %s sent while the server was down: %d %s after %s, want a prompt 503", a.key, a.status, a.code, a.took)
			}
		}
	}
	if len(outage) == 0 {
		t.Fatal("no request reached the service while the server was down")
	}

	// Claims whose release failed while the server was down go stale after
	// two minutes of the service's clock; then every unanswered request is
	// sent again with its key and gets its one final answer.
	h.Clock.Advance(3 * time.Minute)
	var replayed atomic.Int64
	retries := make(chan *restartAttempt)
	for range 8 {
		wg.Go(func() {
			for a := range retries {
				a.send(h)
				if a.status != http.StatusOK && a.code != "INSUFFICIENT_BALANCE" {
					t.Errorf("retry of %s after a 503: %d %s", a.key, a.status, a.code)
				}
				if a.status == http.StatusOK && a.txID == 0 {
					t.Errorf("retry of %s has no transaction id", a.key)
				}
				if a.replayed {
					replayed.Add(1)
				}
			}
		})
	}
	for _, a := range unanswered {
		retries <- a
	}
	close(retries)
	wg.Wait()

	ctx := context.Background()
	db := h.App.DB.SQL
	booked := map[int64]int64{}
	okCount := 0
	for _, a := range attempts {
		if a.status != http.StatusOK {
			continue
		}
		okCount++
		booked[a.to.ID] += a.amount
		booked[a.from.ID] -= a.amount
		var user int64
		if err := db.QueryRowContext(ctx, `SELECT user_id FROM unified_transactions WHERE id = $1 AND type = 'transfer'`, a.txID).
			Scan(&user); err != nil || user != a.from.ID {
			t.Errorf("acknowledged transfer %s (transaction %d) is missing after the restart: %v", a.key, a.txID, err)
		}
	}
	var rows int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM transfers`).Scan(&rows); err != nil || rows != okCount {
		t.Errorf("%d transfers in the database, %d answered 200 (err %v): a request was booked twice or lost", rows, okCount, err)
	}
	for _, acc := range []apptest.Account{alice, bob} {
		if got, want := balanceOf(t, h, acc, "USDT-TRC20"), fmt.Sprint(1000+booked[acc.ID]); got != want {
			t.Errorf("%s has %s USDT-TRC20, want %s", acc.Email, got, want)
		}
	}
	verifyLedger(t, h)
	t.Logf("%d requests: %d booked, %d sent during the outage, %d unanswered then retried (%d replayed a committed answer)",
		len(attempts), okCount, len(outage), len(unanswered), replayed.Load())
}
