package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
)

// deadlocksSoFar is PostgreSQL's count of deadlocks detected in the test's
// database (0 on SQLite, whose single connection cannot deadlock). A
// deadlock that InTx retried away is invisible in the answers but still
// costs the loser a second of waiting, so tests of lock order count them.
func deadlocksSoFar(t *testing.T, h *apptest.Harness) int64 {
	t.Helper()
	if h.Engine != store.Postgres {
		return 0
	}
	// A backend reports its statistics when it exits (an idle one may wait
	// ten seconds): close the idle connections and let them go.
	db := h.App.DB.SQL
	db.SetMaxIdleConns(0)
	db.SetMaxIdleConns(25) // as store.Open
	time.Sleep(300 * time.Millisecond)
	var n int64
	if err := db.QueryRow(`SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCommissionsBesideTransfersNeverDeadlock pays referral commissions to
// two levels of referrers (one ledger transaction per level, in level
// order) while the two referrers pay each other: the commission job must
// not lock their accounts in the opposite order to a transfer.
func TestCommissionsBesideTransfersNeverDeadlock(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		grand := h.Register(t, "lock-grand@example.com")
		ref := h.RegisterWithReferral(t, "lock-ref@example.com", referralCodeOf(t, h, grand))
		referee := h.RegisterWithReferral(t, "lock-referee@example.com", referralCodeOf(t, h, ref))
		for _, acc := range []apptest.Account{grand, ref} {
			h.SetTxPassword(t, acc)
			h.Deposit(t, acc, "USDT-TRC20", "100")
		}
		before := deadlocksSoFar(t, h)
		const events = 150
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				for i := w; i < events; i += 8 {
					if err := h.App.Referrals.Pay(context.Background(), cardOpening(referee.ID, int64(100_000+i))); err != nil {
						t.Errorf("commission %d: %v", i, err)
					}
				}
			})
			wg.Go(func() {
				for i := w; i < events; i += 8 {
					from, to := grand, ref
					if i%2 == 1 {
						from, to = ref, grand
					}
					res := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": to.ID,
						"currency": "USDT-TRC20", "amount": "1", "transaction_password": apptest.TxPassword}, apptest.Bearer(from.Access))
					if res.Status != 200 && res.Code() != "INSUFFICIENT_BALANCE" {
						t.Errorf("transfer %d: %d %s", i, res.Status, res.Body)
					}
				}
			})
		}
		wg.Wait()
		if n := deadlocksSoFar(t, h) - before; n != 0 {
			t.Errorf("%d deadlocks detected (retried away, but each cost a second)", n)
		}
		// 150 card openings: 1 USDT at level 1 and 0.25 at level 2 each.
		total := 0.0
		for _, acc := range []apptest.Account{grand, ref} {
			var v float64
			fmt.Sscan(balanceOf(t, h, acc, "USDT-TRC20"), &v)
			total += v
		}
		if want := 200 + events*1.25; total != want {
			t.Errorf("the referrers hold %v USDT-TRC20 together, want %v", total, want)
		}
		verifyLedger(t, h)
	})
}
