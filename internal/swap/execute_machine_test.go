package swap_test

import (
	"context"
	"errors"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// TestSwapStateMachine drives swap.Service.Execute (hold → issuer →
// settle or undo) and the recovery job with a fake issuer through each
// transition, lost answers included: a swap ends completed with the card leg
// applied once, or failed with the held side back where it came from, and
// the books always agree with the issuer.
func TestSwapStateMachine(t *testing.T) {
	t.Parallel()
	type fault struct {
		op    string
		fault apptest.Fault
	}
	const (
		spend   = money.Amount(50_000_000) // 50 USDT onto the card
		takeOff = money.Amount(10_000)     // 100 HKD off the card
	)
	cases := []struct {
		name      string
		direction swap.Direction
		faults    []fault
		wantErr   string // Execute's error code
		// recover runs the recovery job: first with stuck faults (it must
		// fail and leave the swap pending; a snooze when stuckSnoozes), then
		// with final faults, which decide the outcome.
		recover      bool
		stuck, final []fault
		stuckSnoozes bool
		want         swap.Status
	}{
		{name: "recharge accepted", direction: swap.Recharge, want: swap.StatusCompleted},
		{name: "recharge declined", direction: swap.Recharge, faults: []fault{{apptest.OpRecharge, apptest.Refuse}},
			wantErr: "CARD_RECHARGE_FAILED", want: swap.StatusFailed},
		{name: "recharge while the breaker is open", direction: swap.Recharge, faults: []fault{{apptest.OpRecharge, apptest.Down}},
			wantErr: "CARD_RECHARGE_FAILED", want: swap.StatusFailed},
		{name: "recharge applied, answer lost", direction: swap.Recharge, faults: []fault{{apptest.OpRecharge, apptest.LoseAfter}},
			want: swap.StatusCompleted},
		{name: "recharge lost before applying", direction: swap.Recharge, faults: []fault{{apptest.OpRecharge, apptest.LoseBefore}},
			wantErr: "CARD_RECHARGE_FAILED", want: swap.StatusFailed},
		{name: "recharge and void unanswered, recovered", direction: swap.Recharge,
			faults:  []fault{{apptest.OpRecharge, apptest.LoseAfter}, {apptest.OpVoid, apptest.LoseBefore}},
			wantErr: "SWAP_PENDING", recover: true, stuck: []fault{{apptest.OpRecharge, apptest.Down}, {apptest.OpVoid, apptest.Down}},
			stuckSnoozes: true, want: swap.StatusCompleted},
		{name: "recharge not applied and void unanswered, recovery undoes", direction: swap.Recharge,
			faults:  []fault{{apptest.OpRecharge, apptest.LoseBefore}, {apptest.OpVoid, apptest.LoseBefore}},
			wantErr: "SWAP_PENDING", recover: true, final: []fault{{apptest.OpRecharge, apptest.Refuse}}, want: swap.StatusFailed},
		{name: "withdraw accepted", direction: swap.Withdraw, want: swap.StatusCompleted},
		{name: "withdraw declined", direction: swap.Withdraw, faults: []fault{{apptest.OpWithdraw, apptest.Refuse}},
			wantErr: "CARD_WITHDRAW_FAILED", want: swap.StatusFailed},
		{name: "withdraw applied, answer lost", direction: swap.Withdraw, faults: []fault{{apptest.OpWithdraw, apptest.LoseAfter}},
			want: swap.StatusCompleted},
		{name: "withdraw and void unanswered, recovered", direction: swap.Withdraw,
			faults:  []fault{{apptest.OpWithdraw, apptest.LoseBefore}, {apptest.OpVoid, apptest.LoseBefore}},
			wantErr: "SWAP_PENDING", recover: true, stuck: []fault{{apptest.OpWithdraw, apptest.LoseBefore}, {apptest.OpVoid, apptest.LoseBefore}},
			want: swap.StatusCompleted},
	}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		issuer := apptest.NewFakeIssuer()
		d := h.App.Swaps.Deps
		cd := h.App.Cards.Deps
		cd.Balances = issuer
		d.Issuer, d.Cards = issuer, card.NewService(cd)
		swaps := swap.NewService(d)
		execute := func(acc apptest.Account, c apptest.Card, from, to string, amount money.Amount) (swap.Result, error) {
			t.Helper()
			pair, err := swaps.ParsePair(from, to)
			if err != nil {
				t.Fatal(err)
			}
			return swaps.Execute(ctx, swap.Input{UserID: acc.ID, Pair: pair, Amount: amount, CardID: c.ID})
		}
		balances := func(acc apptest.Account, c apptest.Card) (wallet, cardBal money.Amount) {
			t.Helper()
			cd, err := h.App.Cards.Get(ctx, acc.ID, c.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if cardBal, err = h.App.Cards.Balance(ctx, h.App.DB.SQL, cd); err != nil {
				t.Fatal(err)
			}
			wallet, err = h.App.Ledger.Balance(ctx, h.App.DB.SQL, ledger.UserAccount(acc.ID, ledger.Available, "USDT-TRC20"))
			if err != nil {
				t.Fatal(err)
			}
			return wallet, cardBal
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				acc, c := h.CardHolder(t, "swap-"+string(rune('a'+i))+"@example.com")
				h.Deposit(t, acc, "USDT-TRC20", "100")
				issuer.ClearFaults()
				from, to, amount := "USDT-TRC20", "HKD", spend
				if tc.direction == swap.Withdraw {
					if _, err := execute(acc, c, "USDT-TRC20", "HKD", spend); err != nil {
						t.Fatalf("top up: %v", err)
					}
					from, to, amount = "HKD", "USDT-TRC20", takeOff
				}
				walletBefore, cardBefore := balances(acc, c)
				for _, f := range tc.faults {
					issuer.Fail(f.op, f.fault)
				}

				_, err := execute(acc, c, from, to, amount)
				if got := errCode(err); got != tc.wantErr {
					t.Fatalf("Execute = %v, want %q", err, tc.wantErr)
				}
				rec := lastSwap(t, h, acc)
				if tc.recover {
					if rec.Status != swap.StatusPending {
						t.Fatalf("swap %s after an unanswered void, want pending", rec.Status)
					}
					w := swap.NewResolveWorker(swaps)
					job := &river.Job[swap.ResolveArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 20}, Args: swap.ResolveArgs{SwapID: rec.ID}}
					if tc.stuck != nil {
						for _, f := range tc.stuck {
							issuer.Fail(f.op, f.fault)
						}
						var snooze *rivertype.JobSnoozeError
						if err := w.Work(ctx, job); err == nil || (tc.stuckSnoozes != errors.As(err, &snooze)) {
							t.Fatalf("recovery with the issuer unreachable = %v, want an error (a snooze: %v)", err, tc.stuckSnoozes)
						}
						if got := lastSwap(t, h, acc); got.Status != swap.StatusPending {
							t.Fatalf("swap %s after a failed recovery, want still pending", got.Status)
						}
					}
					for _, f := range tc.final {
						issuer.Fail(f.op, f.fault)
					}
					for range 2 { // the second run finds the swap finished
						if err := w.Work(ctx, job); err != nil {
							t.Fatalf("recovery: %v", err)
						}
					}
				}

				rec = lastSwap(t, h, acc)
				if rec.Status != tc.want {
					t.Fatalf("swap %s, want %s (issuer calls %v)", rec.Status, tc.want, issuer.Calls())
				}
				wallet, cardBal := balances(acc, c)
				wantWallet, wantCard := walletBefore, cardBefore
				if tc.want == swap.StatusCompleted {
					if tc.direction == swap.Recharge {
						wantWallet, wantCard = walletBefore-rec.FromAmount, cardBefore+rec.NetAmount
					} else {
						wantWallet, wantCard = walletBefore+rec.NetAmount, cardBefore-rec.FromAmount
					}
				}
				if wallet != wantWallet || cardBal != wantCard {
					t.Fatalf("wallet %d, card %d; want %d, %d", wallet, cardBal, wantWallet, wantCard)
				}
				if got := issuer.Balance(c.PublicToken); got != cardBal {
					t.Fatalf("issuer holds %d, our books %d (calls %v)", got, cardBal, issuer.Calls())
				}
				for _, cur := range []string{"USDT-TRC20", "HKD"} {
					if held, _ := h.App.Ledger.Balance(ctx, h.App.DB.SQL, ledger.HouseAccount(ledger.SwapClearing, cur)); held != 0 {
						t.Fatalf("swap clearing %s holds %d", cur, held)
					}
				}
				report, err := h.App.Ledger.VerifySnapshot(ctx)
				if err != nil || !report.OK() {
					t.Fatalf("ledger verify: %v\n%s", err, report)
				}
			})
		}
	})
}

// lastSwap is the account's newest swap.
func lastSwap(t *testing.T, h *apptest.Harness, acc apptest.Account) swap.Record {
	t.Helper()
	var id int64
	if err := h.App.DB.SQL.QueryRow(`SELECT MAX(id) FROM swaps WHERE user_id = $1`, acc.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	rec, err := h.App.Swaps.Get(context.Background(), acc.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func errCode(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
