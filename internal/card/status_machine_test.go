package card_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// statusFixture is the card service of a running app with its issuer
// swapped for a fake, and a swap service on the same fake to put money on
// cards.
type statusFixture struct {
	h      *apptest.Harness
	issuer *apptest.FakeIssuer
	cards  *card.Service
	swaps  *swap.Service
}

func newStatusFixture(t *testing.T, h *apptest.Harness) *statusFixture {
	issuer := apptest.NewFakeIssuer()
	cd := h.App.Cards.Deps
	cd.StatusIssuer, cd.Balances = issuer, issuer
	cards := card.NewService(cd)
	sd := h.App.Swaps.Deps
	sd.Issuer, sd.Cards = issuer, cards
	return &statusFixture{h: h, issuer: issuer, cards: cards, swaps: swap.NewService(sd)}
}

// holder is a new cardholder; topped puts 50 USDT of HKD on the card.
func (f *statusFixture) holder(t *testing.T, email string, topped bool) (apptest.Account, apptest.Card) {
	t.Helper()
	acc, c := f.h.CardHolder(t, email)
	f.h.Deposit(t, acc, "USDT-TRC20", "100")
	if topped {
		pair, err := f.swaps.ParsePair("USDT-TRC20", "HKD")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.swaps.Execute(context.Background(), swap.Input{UserID: acc.ID, Pair: pair, Amount: 50_000_000, CardID: c.ID}); err != nil {
			t.Fatalf("top up: %v", err)
		}
	}
	return acc, c
}

func (f *statusFixture) card(t *testing.T, acc apptest.Account, c apptest.Card) (card.Card, money.Amount) {
	t.Helper()
	ctx := context.Background()
	cur, err := f.cards.Get(ctx, acc.ID, c.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	bal, err := f.cards.Balance(ctx, f.h.App.DB.SQL, cur)
	if err != nil {
		t.Fatal(err)
	}
	return cur, bal
}

func (f *statusFixture) wallet(t *testing.T, acc apptest.Account) money.Amount {
	t.Helper()
	b, err := f.h.App.Ledger.Balance(context.Background(), f.h.App.DB.SQL, ledger.UserAccount(acc.ID, ledger.Available, "USDT-TRC20"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recover runs the recovery job of the card's claim: first while the claim
// is fresh (it waits), then once abandoned (it finishes), then again (it
// finds nothing to do).
func (f *statusFixture) recover(t *testing.T, cardID int64, issuerDown bool) {
	t.Helper()
	ctx := context.Background()
	w := card.NewStatusRecoverWorker(f.cards)
	job := &river.Job[card.StatusRecoverArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 20}, Args: card.StatusRecoverArgs{CardID: cardID}}
	var snooze *rivertype.JobSnoozeError
	if err := w.Work(ctx, job); !errors.As(err, &snooze) {
		t.Fatalf("recovery of a fresh claim = %v, want a snooze", err)
	}
	f.h.Clock.Advance(3 * time.Minute)
	if issuerDown {
		f.issuer.Fail(apptest.OpSetStatus, apptest.Down)
		f.issuer.Fail(apptest.OpWithdraw, apptest.Down)
		if err := w.Work(ctx, job); !errors.As(err, &snooze) {
			t.Fatalf("recovery while the issuer is down = %v, want a snooze (no attempt used)", err)
		}
		f.issuer.ClearFaults() // a change without money makes no withdrawal
	}
	for range 2 {
		if err := w.Work(ctx, job); err != nil {
			t.Fatalf("recovery: %v", err)
		}
	}
}

func code(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestStatusChangeStateMachine drives SetStatus (claim → issuer → finish
// or release) and the recovery job with a fake issuer on each transition,
// including the answers lost on the way: whatever happens, the change ends
// either done at the issuer and here, or undone at both, and the books
// agree with the issuer's balance.
func TestStatusChangeStateMachine(t *testing.T) {
	t.Parallel()
	type fault struct {
		op    string
		fault apptest.Fault
	}
	cases := []struct {
		name   string
		from   card.IssuerCode // the card starts in
		topped bool            // the card holds money
		to     card.IssuerCode
		faults []fault
		// wantErr is SetStatus's error code; wantClaim that the claim is left
		// for the recovery job (run with the issuer down first when
		// recoverDown).
		wantErr     string
		wantClaim   bool
		recoverDown bool
		want        card.Status // at the end
	}{
		{name: "freeze accepted", from: card.CodeActive, to: card.CodeFrozen, want: card.StatusFrozen},
		{name: "unfreeze accepted", from: card.CodeFrozen, to: card.CodeActive, want: card.StatusNormal},
		{name: "freeze refused", from: card.CodeActive, to: card.CodeFrozen, faults: []fault{{apptest.OpSetStatus, apptest.Refuse}},
			wantErr: "ISSUER_UNAVAILABLE", want: card.StatusNormal},
		{name: "freeze while the breaker is open", from: card.CodeActive, to: card.CodeFrozen, faults: []fault{{apptest.OpSetStatus, apptest.Down}},
			wantErr: "ISSUER_TEMPORARILY_UNAVAILABLE", want: card.StatusNormal},
		{name: "freeze applied, answer lost", from: card.CodeActive, to: card.CodeFrozen, faults: []fault{{apptest.OpSetStatus, apptest.LoseAfter}},
			wantErr: "ISSUER_UNAVAILABLE", wantClaim: true, want: card.StatusFrozen},
		{name: "freeze not applied, answer lost, issuer down at recovery", from: card.CodeActive, to: card.CodeFrozen,
			faults:  []fault{{apptest.OpSetStatus, apptest.LoseBefore}},
			wantErr: "ISSUER_UNAVAILABLE", wantClaim: true, recoverDown: true, want: card.StatusFrozen},
		{name: "cancel empty card", from: card.CodeActive, to: card.CodeCancelled, want: card.StatusCancelled},
		{name: "cancel accepted", from: card.CodeActive, topped: true, to: card.CodeCancelled, want: card.StatusCancelled},
		{name: "cancel, withdrawal applied and answer lost", from: card.CodeActive, topped: true, to: card.CodeCancelled,
			faults: []fault{{apptest.OpWithdraw, apptest.LoseAfter}}, want: card.StatusCancelled},
		{name: "cancel, withdrawal lost before applying", from: card.CodeActive, topped: true, to: card.CodeCancelled,
			faults: []fault{{apptest.OpWithdraw, apptest.LoseBefore}}, wantErr: "ISSUER_UNAVAILABLE", want: card.StatusNormal},
		{name: "cancel while the breaker is open", from: card.CodeActive, topped: true, to: card.CodeCancelled,
			faults: []fault{{apptest.OpWithdraw, apptest.Down}}, wantErr: "ISSUER_TEMPORARILY_UNAVAILABLE", want: card.StatusNormal},
		{name: "cancel, close refused, balance restored", from: card.CodeActive, topped: true, to: card.CodeCancelled,
			faults: []fault{{apptest.OpSetStatus, apptest.Refuse}}, wantErr: "ISSUER_UNAVAILABLE", want: card.StatusNormal},
		{name: "cancel, withdrawal and void unanswered", from: card.CodeActive, topped: true, to: card.CodeCancelled,
			faults:  []fault{{apptest.OpWithdraw, apptest.LoseAfter}, {apptest.OpVoid, apptest.LoseBefore}},
			wantErr: "ISSUER_UNAVAILABLE", wantClaim: true, want: card.StatusCancelled},
		{name: "cancel, close unanswered after the withdrawal", from: card.CodeActive, topped: true, to: card.CodeCancelled,
			faults: []fault{{apptest.OpSetStatus, apptest.LoseBefore}}, wantErr: "ISSUER_UNAVAILABLE", wantClaim: true, want: card.StatusCancelled},
		{name: "cancel, close applied and answer lost", from: card.CodeActive, topped: true, to: card.CodeCancelled,
			faults: []fault{{apptest.OpSetStatus, apptest.LoseAfter}}, wantErr: "ISSUER_UNAVAILABLE", wantClaim: true, want: card.StatusCancelled},
		{name: "cancel, close refused and restore unanswered", from: card.CodeActive, topped: true, to: card.CodeCancelled,
			faults:  []fault{{apptest.OpSetStatus, apptest.Refuse}, {apptest.OpRecharge, apptest.LoseBefore}},
			wantErr: "ISSUER_UNAVAILABLE", wantClaim: true, recoverDown: true, want: card.StatusCancelled},
	}
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		f := newStatusFixture(t, h)
		ctx := context.Background()
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				acc, c := f.holder(t, "status-"+string(rune('a'+i))+"@example.com", tc.topped)
				if tc.from != card.CodeActive {
					if _, err := f.cards.SetStatus(ctx, acc.ID, c.PublicToken, tc.from); err != nil {
						t.Fatal(err)
					}
				}
				_, before := f.card(t, acc, c)
				walletBefore := f.wallet(t, acc)
				f.issuer.ClearFaults()
				for _, fl := range tc.faults {
					f.issuer.Fail(fl.op, fl.fault)
				}

				_, err := f.cards.SetStatus(ctx, acc.ID, c.PublicToken, tc.to)
				if code(err) != tc.wantErr {
					t.Fatalf("SetStatus = %v, want %q", err, tc.wantErr)
				}
				cur, _ := f.card(t, acc, c)
				if claimed := cur.PendingStatus != ""; claimed != tc.wantClaim {
					t.Fatalf("claim left = %v (%q), want %v", claimed, cur.PendingStatus, tc.wantClaim)
				}
				if tc.wantClaim {
					// While the claim stands, no other change of the card
					// starts, however long the issuer takes.
					h.Clock.Advance(time.Minute)
					if _, err := f.cards.SetStatus(ctx, acc.ID, c.PublicToken, card.CodeFrozen); code(err) != "INVALID_STATE" &&
						code(err) != "CARD_CANCELLED" {
						t.Fatalf("second change during the claim = %v, want INVALID_STATE", err)
					}
					f.recover(t, c.ID, tc.recoverDown)
				}

				cur, bal := f.card(t, acc, c)
				if cur.Status != tc.want || cur.PendingStatus != "" {
					t.Fatalf("card %s (pending %q), want %s and no claim", cur.Status, cur.PendingStatus, tc.want)
				}
				if got := f.issuer.Status(c.PublicToken); got != card.StatusCode(tc.want) {
					t.Fatalf("issuer status %s, want %s", got, card.StatusCode(tc.want))
				}
				if got := f.issuer.Balance(c.PublicToken); got != bal {
					t.Fatalf("issuer holds %d, our books %d (calls %v)", got, bal, f.issuer.Calls())
				}
				refunded := f.wallet(t, acc) - walletBefore
				switch {
				case tc.want == card.StatusCancelled && (bal != 0 || (before > 0) != (refunded > 0)):
					t.Fatalf("cancelled card holds %d, wallet got %d back of %d", bal, refunded, before)
				case tc.want != card.StatusCancelled && (bal != before || refunded != 0):
					t.Fatalf("card %d (was %d), wallet moved %d", bal, before, refunded)
				}
				report, err := h.App.Ledger.VerifySnapshot(ctx)
				if err != nil || !report.OK() {
					t.Fatalf("ledger verify: %v\n%s", err, report)
				}
			})
		}
	})
}
