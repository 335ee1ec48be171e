package swap_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// TestRecoveryFinishesInterruptedSwaps: a process that dies between the
// hold and the settlement leaves a pending swap; the recovery job finishes
// it exactly once, whether or not the issuer had already applied the card
// leg, and undoes it when the issuer refuses.
func TestRecoveryFinishesInterruptedSwaps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// before runs at the issuer between the crash and the recovery.
		before     func(t *testing.T, h *apptest.Harness, token string, rec swap.Record)
		wantStatus swap.Status
		wantCard   money.Amount // HKD cents on the card afterwards
		wantWallet money.Amount // USDT micro-units left in the wallet
	}{
		{"issuer never called", nil, swap.StatusCompleted, 38142, 50_000_000},
		{"issuer applied before the crash", func(t *testing.T, h *apptest.Harness, token string, rec swap.Record) {
			if err := h.App.IssuerSim.Recharge(context.Background(), token, rec.NetAmount, "swap-"+itoa(rec.ID)); err != nil {
				t.Fatal(err)
			}
		}, swap.StatusCompleted, 38142, 50_000_000},
		{"issuer refuses", func(t *testing.T, h *apptest.Harness, token string, _ swap.Record) {
			if _, err := h.App.DB.SQL.Exec(`UPDATE sim_issuer_cards SET status = 'closed' WHERE public_token = $1`, token); err != nil {
				t.Fatal(err)
			}
		}, swap.StatusFailed, 0, 100_000_000},
	}
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				h := apptest.New(t, engine)
				ctx := context.Background()
				acc, c := h.CardHolder(t, "recover@example.com")
				h.Deposit(t, acc, "USDT-TRC20", "100")
				pair, err := h.App.Swaps.ParsePair("USDT-TRC20", "HKD")
				if err != nil {
					t.Fatal(err)
				}
				rec, err := h.App.Swaps.HoldOnly(ctx, swap.Input{UserID: acc.ID, Pair: pair, Amount: 50_000_000, CardID: c.ID})
				if err != nil {
					t.Fatal(err)
				}
				if tc.before != nil {
					tc.before(t, h, c.PublicToken, rec)
				}
				w := swap.NewResolveWorker(h.App.Swaps)
				job := &river.Job[swap.ResolveArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 20}, Args: swap.ResolveArgs{SwapID: rec.ID}}
				for range 2 { // a second run finds the swap finished and does nothing
					if err := w.Work(ctx, job); err != nil {
						t.Fatal(err)
					}
				}
				got, err := h.App.Swaps.Get(ctx, acc.ID, rec.ID)
				if err != nil || got.Status != tc.wantStatus {
					t.Fatalf("swap %+v, %v; want %s", got, err, tc.wantStatus)
				}
				cd, err := h.App.Cards.Get(ctx, acc.ID, c.ID, "")
				if err != nil {
					t.Fatal(err)
				}
				bal, _ := h.App.Cards.Balance(ctx, h.App.DB.SQL, cd)
				wallet, _ := h.App.Ledger.Balance(ctx, h.App.DB.SQL, ledger.UserAccount(acc.ID, ledger.Available, "USDT-TRC20"))
				var issuer int64
				if err := h.App.DB.SQL.QueryRow(`SELECT balance FROM sim_issuer_cards WHERE public_token = $1`, c.PublicToken).Scan(&issuer); err != nil {
					t.Fatal(err)
				}
				if bal != tc.wantCard || wallet != tc.wantWallet || money.Amount(issuer) != tc.wantCard {
					t.Fatalf("card %d (issuer %d), wallet %d; want card %d, wallet %d", bal, issuer, wallet, tc.wantCard, tc.wantWallet)
				}
				clearing, _ := h.App.Ledger.Balance(ctx, h.App.DB.SQL, ledger.HouseAccount(ledger.SwapClearing, "USDT-TRC20"))
				if clearing != 0 {
					t.Fatalf("swap clearing holds %d", clearing)
				}
				report, err := h.App.Ledger.VerifySnapshot(ctx)
				if err != nil || !report.OK() {
					t.Fatalf("ledger verify: %v\n%s", err, report)
				}
			})
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
