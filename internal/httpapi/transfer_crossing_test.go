package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// TestCrossingTransfersNeverFail sends 400 transfers between two users in
// both directions from 16 clients at once. Two users paying each other is
// ordinary traffic: every answer is a success or INSUFFICIENT_BALANCE, never
// a 5xx (on PostgreSQL the transaction-password lock on the sender and the
// transfers' foreign-key lock on the recipient used to cross and deadlock),
// and the money is conserved.
func TestCrossingTransfersNeverFail(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "cross-a@example.com"), h.Register(t, "cross-b@example.com")
		for _, acc := range []apptest.Account{alice, bob} {
			h.SetTxPassword(t, acc)
			h.Deposit(t, acc, "USDT-TRC20", "50")
		}
		before := deadlocksSoFar(t, h)
		const transfers, clients = 400, 16
		var (
			mu       sync.Mutex
			moved    = map[int64]int64{} // whole USDT each user received in accepted transfers
			ok, nsf  int
			failures []string
			work     = make(chan int)
			wg       sync.WaitGroup
		)
		for range clients {
			wg.Go(func() {
				for i := range work {
					from, to := alice, bob
					if i%2 == 1 {
						from, to = bob, alice
					}
					amount := int64(1 + i%13)
					res := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": to.ID,
						"currency": "USDT-TRC20", "amount": fmt.Sprint(amount), "transaction_password": apptest.TxPassword},
						apptest.Bearer(from.Access))
					mu.Lock()
					switch {
					case res.Status == 200:
						ok++
						moved[to.ID] += amount
						moved[from.ID] -= amount
					case res.Status == 400 && res.Code() == "INSUFFICIENT_BALANCE":
						nsf++
					default:
						failures = append(failures, fmt.Sprintf("transfer %d: %d %s", i, res.Status, res.Body))
					}
					mu.Unlock()
				}
			})
		}
		for i := range transfers {
			work <- i
		}
		close(work)
		wg.Wait()
		if len(failures) > 0 {
			t.Fatalf("%d of %d crossing transfers failed (%d ok, %d refused for balance); first: %s",
				len(failures), transfers, ok, nsf, failures[0])
		}
		t.Logf("%d transfers done, %d refused for balance", ok, nsf)
		if n := deadlocksSoFar(t, h) - before; n != 0 {
			t.Errorf("%d deadlocks detected (retried away, but each cost a second)", n)
		}
		for _, acc := range []apptest.Account{alice, bob} {
			if got, want := balanceOf(t, h, acc, "USDT-TRC20"), fmt.Sprint(50+moved[acc.ID]); got != want {
				t.Errorf("%s has %s USDT-TRC20, want %s", acc.Email, got, want)
			}
		}
		verifyLedger(t, h)
	})
}
