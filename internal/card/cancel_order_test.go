package card_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/providers/issuer/faults"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// sandboxHolder is a card holder of the running app (sandbox issuer behind
// the fault injector and the guard) whose card holds the HKD of 50 USDT.
func sandboxHolder(t *testing.T, h *apptest.Harness, email string) (apptest.Account, apptest.Card) {
	t.Helper()
	acc, c := h.CardHolder(t, email)
	h.Deposit(t, acc, "USDT-TRC20", "100")
	pair, err := h.App.Swaps.ParsePair("USDT-TRC20", "HKD")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.App.Swaps.Execute(context.Background(), swap.Input{UserID: acc.ID, Pair: pair, Amount: 50_000_000, CardID: c.ID}); err != nil {
		t.Fatalf("top up: %v", err)
	}
	return acc, c
}

type sandboxCard struct {
	status            card.Status
	pending           string
	books, atIssuer   money.Amount
	wallet            money.Amount
	withdraws, closes int
}

func readSandboxCard(t *testing.T, h *apptest.Harness, acc apptest.Account, c apptest.Card) sandboxCard {
	t.Helper()
	ctx := context.Background()
	cur, err := h.App.Cards.Get(ctx, acc.ID, c.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var out sandboxCard
	out.status, out.pending = cur.Status, string(cur.PendingStatus)
	if out.books, err = h.App.Cards.Balance(ctx, h.App.DB.SQL, cur); err != nil {
		t.Fatal(err)
	}
	if out.atIssuer, err = h.App.IssuerSim.CardBalance(ctx, c.PublicToken); err != nil {
		t.Fatal(err)
	}
	if out.wallet, err = h.App.Ledger.Balance(ctx, h.App.DB.SQL, ledger.UserAccount(acc.ID, ledger.Available, "USDT-TRC20")); err != nil {
		t.Fatal(err)
	}
	for _, call := range h.App.IssuerFaults.Calls("") {
		switch {
		case call.Operation == faults.OpWithdraw && call.Applied:
			out.withdraws++
		case call.Operation == faults.OpSetStatus && call.Key == c.PublicToken && call.Applied:
			out.closes++
		}
	}
	return out
}

// recoverClaim runs the status recovery job once the claim is abandoned.
func recoverClaim(t *testing.T, h *apptest.Harness, cardID int64) error {
	t.Helper()
	h.Clock.Advance(3 * time.Minute)
	job := &river.Job[card.StatusRecoverArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 20}, Args: card.StatusRecoverArgs{CardID: cardID}}
	return card.NewStatusRecoverWorker(h.App.Cards).Work(context.Background(), job)
}

func verifyBooks(t *testing.T, h *apptest.Harness) {
	t.Helper()
	report, err := h.App.Ledger.VerifySnapshot(context.Background())
	if err != nil || !report.OK() {
		t.Fatalf("ledger verify: %v\n%s", err, report)
	}
}

// TestCancelWithdrawsBeforeClosing runs cancellations against the sandbox
// issuer, which (like the processor) zeroes a card's balance when it is
// closed (99): a close sent before the withdrawal settled would lose the
// money, so every path checks that the balance reaches the wallet or stays
// on the open card, and that the ledger agrees.
func TestCancelWithdrawsBeforeClosing(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()

		t.Run("balance reaches the wallet", func(t *testing.T) {
			acc, c := sandboxHolder(t, h, "cancel-order-a@example.com")
			before := readSandboxCard(t, h, acc, c)
			if before.books == 0 || before.atIssuer != before.books {
				t.Fatalf("card holds %d, issuer %d", before.books, before.atIssuer)
			}
			if _, err := h.App.Cards.SetStatus(ctx, acc.ID, c.PublicToken, card.CodeCancelled); err != nil {
				t.Fatal(err)
			}
			after := readSandboxCard(t, h, acc, c)
			if after.status != card.StatusCancelled || after.books != 0 || after.atIssuer != 0 || after.wallet <= before.wallet {
				t.Fatalf("after cancel: %+v (before %+v)", after, before)
			}
			// The withdrawal was sent, and answered, before the close.
			var order []string
			for _, call := range h.App.IssuerFaults.Calls("") {
				if call.Operation == faults.OpWithdraw || (call.Operation == faults.OpSetStatus && call.Key == c.PublicToken) {
					order = append(order, call.Operation)
				}
			}
			if n := len(order); n < 2 || order[n-2] != faults.OpWithdraw || order[n-1] != faults.OpSetStatus {
				t.Fatalf("issuer calls %v, want the withdrawal then the close", order)
			}
			verifyBooks(t, h)
		})

		t.Run("withdrawal fails: card not cancelled, close never sent", func(t *testing.T) {
			acc, c := sandboxHolder(t, h, "cancel-order-b@example.com")
			before := readSandboxCard(t, h, acc, c)
			h.App.IssuerSim.FailNext("withdraw", 1)
			if _, err := h.App.Cards.SetStatus(ctx, acc.ID, c.PublicToken, card.CodeCancelled); code(err) != "ISSUER_UNAVAILABLE" {
				t.Fatalf("cancel = %v, want ISSUER_UNAVAILABLE", err)
			}
			after := readSandboxCard(t, h, acc, c)
			if after.status != card.StatusNormal || after.pending != "" || after.books != before.books || after.atIssuer != before.atIssuer ||
				after.wallet != before.wallet || after.closes != before.closes {
				t.Fatalf("after a failed withdrawal: %+v (before %+v)", after, before)
			}
			verifyBooks(t, h)
		})

		// The close fails after the withdrawal settled: the claim stays
		// and the recovery job sends the close again, never the withdrawal.
		for _, tc := range []struct {
			name    string
			applied bool // the issuer closed the card, only the answer was lost
		}{{"close not applied", false}, {"close applied, answer lost", true}} {
			t.Run(tc.name, func(t *testing.T) {
				email := "cancel-order-c@example.com"
				if tc.applied {
					email = "cancel-order-d@example.com"
				}
				acc, c := sandboxHolder(t, h, email)
				before := readSandboxCard(t, h, acc, c)
				h.App.IssuerFaults.Inject(faults.OpSetStatus, faults.Fault{Kind: faults.Reset, Applied: tc.applied}, 1)
				if _, err := h.App.Cards.SetStatus(ctx, acc.ID, c.PublicToken, card.CodeCancelled); code(err) != "ISSUER_UNAVAILABLE" {
					t.Fatalf("cancel = %v, want ISSUER_UNAVAILABLE", err)
				}
				mid := readSandboxCard(t, h, acc, c)
				if mid.pending != string(card.StatusCancelled) || mid.atIssuer != 0 || mid.withdraws != before.withdraws+1 {
					t.Fatalf("after the failed close: %+v (before %+v)", mid, before)
				}
				if err := recoverClaim(t, h, c.ID); err != nil {
					t.Fatalf("recovery: %v", err)
				}
				after := readSandboxCard(t, h, acc, c)
				if after.status != card.StatusCancelled || after.pending != "" || after.books != 0 || after.wallet <= before.wallet {
					t.Fatalf("after recovery: %+v (before %+v)", after, before)
				}
				if after.withdraws != mid.withdraws {
					t.Fatalf("recovery withdrew again: %d withdrawals, want %d", after.withdraws, mid.withdraws)
				}
				verifyBooks(t, h)
			})
		}
	})
}

// TestCancelRecoveryNeverGivesUp: a cancellation whose balance left the
// card keeps retrying its close while the issuer does not answer, without
// using up the job's attempts, and finishes when the issuer is back.
func TestCancelRecoveryNeverGivesUp(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		acc, c := sandboxHolder(t, h, "cancel-retry@example.com")
		before := readSandboxCard(t, h, acc, c)
		h.App.IssuerFaults.Inject(faults.OpSetStatus, faults.Fault{Kind: faults.ServerError}, 1)
		if _, err := h.App.Cards.SetStatus(ctx, acc.ID, c.PublicToken, card.CodeCancelled); code(err) != "ISSUER_UNAVAILABLE" {
			t.Fatalf("cancel = %v", err)
		}
		h.App.IssuerFaults.Inject(faults.OpSetStatus, faults.Fault{Kind: faults.ServerError}, 3)
		var snooze *rivertype.JobSnoozeError
		for range 3 {
			job := &river.Job[card.StatusRecoverArgs]{JobRow: &rivertype.JobRow{Attempt: 20, MaxAttempts: 20},
				Args: card.StatusRecoverArgs{CardID: c.ID}}
			h.Clock.Advance(3 * time.Minute)
			if err := card.NewStatusRecoverWorker(h.App.Cards).Work(ctx, job); !errors.As(err, &snooze) {
				t.Fatalf("recovery on its last attempt = %v, want a snooze", err)
			}
		}
		if err := recoverClaim(t, h, c.ID); err != nil {
			t.Fatal(err)
		}
		after := readSandboxCard(t, h, acc, c)
		if after.status != card.StatusCancelled || after.withdraws != before.withdraws+1 || after.wallet <= before.wallet {
			t.Fatalf("after recovery: %+v (before %+v)", after, before)
		}
		if !slices.Contains(h.App.IssuerFaults.Keys(faults.OpSetStatus), c.PublicToken) {
			t.Fatal("close never sent")
		}
		verifyBooks(t, h)
	})
}
