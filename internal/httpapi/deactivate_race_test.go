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
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
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

// TestDeactivationWaitsForPendingSwap: a swap parks the user's money in the
// platform's clearing account until the card leg settles or is undone, and
// then books it back to the user (the wallet, or the card). With every
// balance at zero meanwhile, the account must still not close, or the
// settlement would credit a closed account (API.md §2.2: a swap not final
// blocks).
func TestDeactivationWaitsForPendingSwap(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "swap-closer@example.com")
		sink := h.Register(t, "swap-sink@example.com")
		if left := balanceOf(t, h, acc, "USDT-TRC20"); left != "0" {
			h.SetTxPassword(t, acc)
			h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": sink.ID, "currency": "USDT-TRC20",
				"amount": left, "transaction_password": apptest.TxPassword}, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		}
		var held int64
		if err := h.App.DB.SQL.QueryRow(`SELECT COALESCE(SUM(ABS(balance)), 0) FROM ledger_accounts WHERE owner_id = $1`, acc.ID).
			Scan(&held); err != nil || held != 0 {
			t.Fatalf("the user still holds %d minor units (%v)", held, err)
		}
		// The hold of a card → wallet swap whose card leg has no answer yet
		// (its money is in swap clearing, not in any account of the user).
		if _, err := h.App.DB.SQL.Exec(`INSERT INTO swaps (user_id, card_id, direction, from_currency, to_currency, from_amount, to_amount,
			rate, fee_rate, fee_amount, net_amount, status, created_at) VALUES ($1, $2, 'withdraw', 'HKD', 'USDT-TRC20', 10000, 12000000,
			7800000, 0, 0, 12000000, 'pending', $3)`, acc.ID, c.ID, h.Clock.Now().UnixMicro()); err != nil {
			t.Fatal(err)
		}
		res := h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, apptest.Bearer(acc.Access))
		res.Expect(t, 400, "DEACTIVATION_BLOCKED")
	})
}
