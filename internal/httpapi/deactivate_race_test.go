package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// TestDeactivationRacingIncomingTransfers closes an empty account while
// transfers to it are in flight, several times over. Either the closing is
// refused because money arrived first (the account stays open and keeps
// it), or it succeeds and every transfer that did not land before it is
// refused as to an unknown recipient: money never reaches a closed account,
// where nobody could ever take it out. On PostgreSQL a transfer used to
// read the recipient's status early, let the deactivation commit while it
// checked the sender's transaction password, and credit the closed account.
func TestDeactivationRacingIncomingTransfers(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		payer := h.Register(t, "race-payer@example.com")
		h.SetTxPassword(t, payer)
		h.Deposit(t, payer, "USDT-TRC20", "500")
		const rounds, transfers = 6, 8
		closed, refused := 0, 0
		for round := range rounds {
			payee := h.Register(t, fmt.Sprintf("race-payee-%d@example.com", round))
			otp := h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, apptest.Bearer(payee.Access)).Expect(t, 200, "").Str(t, "otp")
			var (
				wg       sync.WaitGroup
				start    = make(chan struct{})
				mu       sync.Mutex
				landed   int
				failures []string
				closing  *apptest.Response
			)
			for range transfers {
				wg.Go(func() {
					<-start
					res := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": payee.ID,
						"currency": "USDT-TRC20", "amount": "1", "transaction_password": apptest.TxPassword}, apptest.Bearer(payer.Access))
					mu.Lock()
					defer mu.Unlock()
					switch {
					case res.Status == 200:
						landed++
					case res.Status == 404 && res.Code() == "RECIPIENT_NOT_FOUND":
					default:
						failures = append(failures, fmt.Sprintf("transfer: %d %s", res.Status, res.Body))
					}
				})
			}
			wg.Go(func() {
				<-start
				closing = h.Do(http.MethodPost, "/api/v1/user/deactivate", map[string]string{"otp_code": otp}, apptest.Bearer(payee.Access))
			})
			close(start)
			wg.Wait()
			if len(failures) > 0 {
				t.Fatalf("round %d: %d unexpected answers; first: %s", round, len(failures), failures[0])
			}
			var status string
			var held int64
			if err := h.App.DB.SQL.QueryRowContext(ctx, `SELECT status FROM users WHERE id = $1`, payee.ID).Scan(&status); err != nil {
				t.Fatal(err)
			}
			if err := h.App.DB.SQL.QueryRowContext(ctx, `SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE owner_id = $1`,
				payee.ID).Scan(&held); err != nil {
				t.Fatal(err)
			}
			switch {
			case closing.Status == 200:
				closed++
				if status != "deactivated" || held != 0 || landed != 0 {
					t.Fatalf("round %d: the account was closed (status %s) yet holds %d minor units from %d accepted transfers",
						round, status, held, landed)
				}
			case closing.Status == 400 && closing.Code() == "DEACTIVATION_BLOCKED":
				refused++
				if status != "active" || held != int64(landed)*1_000_000 {
					t.Fatalf("round %d: closing refused, status %s, holds %d minor units after %d accepted transfers", round, status, held, landed)
				}
			default:
				t.Fatalf("round %d: deactivation answered %d %s", round, closing.Status, closing.Body)
			}
		}
		t.Logf("%d rounds closed the account first, %d saw money arrive first", closed, refused)
		verifyLedger(t, h)
	})
}
