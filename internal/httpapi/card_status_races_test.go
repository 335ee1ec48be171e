package httpapi_test

import (
	"context"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

// TestCardStatusGuards: one change of a card at a time, and no
// cancellation while a swap of the card is unsettled.
func TestCardStatusGuards(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "status-guards@example.com")
		db := h.App.DB.SQL
		if _, err := db.Exec(`UPDATE cards SET pending_status = 'frozen', pending_at = $1 WHERE id = $2`, h.Clock.Now().UnixMicro(), c.ID); err != nil {
			t.Fatal(err)
		}
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "99"), 400, "INVALID_STATE")
		swapBodyCard := swapBody("USDT-TRC20", "HKD", 10, "card_id", c.ID)
		postSwap(h, acc, swapBodyCard).Expect(t, 400, "CARD_NOT_ACTIVE")
		// A claim older than two minutes was abandoned by a dead process.
		h.Clock.Advance(3 * time.Minute)
		cmPutStatus(r, acc, c.PublicToken, "G1").Expect(t, 200, "")
		cmPutStatus(r, acc, c.PublicToken, "00").Expect(t, 200, "")

		if _, err := db.Exec(`UPDATE swaps SET status = 'pending' WHERE card_id = $1`, c.ID); err != nil {
			t.Fatal(err)
		}
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "99"), 400, "INVALID_STATE")
		if _, err := db.Exec(`UPDATE swaps SET status = 'completed' WHERE card_id = $1`, c.ID); err != nil {
			t.Fatal(err)
		}
		cmPutStatus(r, acc, c.PublicToken, "99").Expect(t, 200, "")
		verifyLedger(t, h)
	})
}

// TestCardStatusRecovery: a cancellation whose process died after the
// issuer acted is finished by the recovery job — balance withdrawn once at
// the issuer, card cancelled, wallet refunded.
func TestCardStatusRecovery(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "status-recover@example.com")
		ctx := context.Background()
		before, _ := new(big.Rat).SetString(balanceOf(t, h, acc, "USDT-TRC20"))
		// The dead process had claimed the cancellation and emptied the card.
		if _, err := h.App.DB.SQL.Exec(`UPDATE cards SET pending_status = 'cancelled', pending_ref = 'cancel-dead', pending_amount = 38142,
			pending_actor = $1, pending_at = $2 WHERE id = $3`, acc.ID, h.Clock.Now().UnixMicro(), c.ID); err != nil {
			t.Fatal(err)
		}
		if err := h.App.IssuerSim.Withdraw(ctx, c.PublicToken, 38142, "cancel-dead"); err != nil {
			t.Fatal(err)
		}
		h.Clock.Advance(3 * time.Minute)
		job := &river.Job[card.StatusRecoverArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 20}, Args: card.StatusRecoverArgs{CardID: c.ID}}
		for range 2 {
			if err := card.NewStatusRecoverWorker(h.App.Cards).Work(ctx, job); err != nil {
				t.Fatal(err)
			}
		}
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["card_status_code"] != "99" {
			t.Fatalf("status after recovery %v", g)
		}
		after, _ := new(big.Rat).SetString(balanceOf(t, h, acc, "USDT-TRC20"))
		if diff := new(big.Rat).Sub(after, before); diff.Cmp(big.NewRat(489, 10)) != 0 {
			t.Fatalf("refund %s, want 48.9", diff.FloatString(6))
		}
		if got := cmIssuerBalance(t, h, c.PublicToken); got != 0 {
			t.Fatalf("issuer balance %d", got)
		}
		verifyLedger(t, h)
	})
}

// TestCardClosedByIssuer: a card the issuer closes (or money that reaches
// a cancelled card later) goes back to the wallet; a status event older
// than our last change is ignored.
func TestCardClosedByIssuer(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "issuer-close@example.com")
		deliver := func(id, typ string, at time.Time, data map[string]any) {
			body := cmEvent(id, typ, c.PublicToken, at, data)
			cmExpectAck(t, cmPostEvent(r, body, webhooksig.SignIssuerEvent(cmIssuerKey, time.Now(), body)))
			cmSettled(t, h)
		}
		auth := cmData(t, cmSim(r, c.PublicToken, map[string]any{"type": "authorization", "amount": "100"}).Expect(t, 200, ""))
		cmSim(r, c.PublicToken, map[string]any{"type": "clearing", "trade_id": auth["trade_id"]}).Expect(t, 200, "")
		cmPutStatus(r, acc, c.PublicToken, "G1").Expect(t, 200, "")
		// An unfreeze the issuer reports from before our freeze is stale.
		deliver("stale-unfreeze", "card.status.changed", h.Clock.Now().Add(-time.Hour), map[string]any{"card_status_code": "00"})
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["card_status_code"] != "G1" {
			t.Fatalf("a stale event changed the status: %v", g)
		}
		before, _ := new(big.Rat).SetString(balanceOf(t, h, acc, "USDT-TRC20"))
		deliver("issuer-close", "card.status.changed", h.Clock.Now().Add(time.Second), map[string]any{"card_status_code": "99", "reason": "fraud"})
		after, _ := new(big.Rat).SetString(balanceOf(t, h, acc, "USDT-TRC20"))
		// 281.42 HKD / 7.80 = 36.079487 (rounded down).
		if diff := new(big.Rat).Sub(after, before); diff.FloatString(6) != "36.079487" {
			t.Fatalf("refund of the issuer-closed card %s", diff.FloatString(6))
		}
		// A merchant refund reaching the cancelled card goes to the wallet too.
		deliver("late-refund", "card.transaction.refunded", h.Clock.Now().Add(2*time.Second),
			map[string]any{"trade_id": 991, "original_trade_id": auth["trade_id"], "amount": "7.80"})
		final, _ := new(big.Rat).SetString(balanceOf(t, h, acc, "USDT-TRC20"))
		if diff := new(big.Rat).Sub(final, after); diff.Cmp(big.NewRat(1, 1)) != 0 {
			t.Fatalf("late refund credited %s, want 1", diff.FloatString(6))
		}
		if l := cmListed(t, r, acc, c.ID, true); l == nil || !cmEq(l["balance"], "0") {
			t.Fatalf("cancelled card entry %v", l)
		}
		verifyLedger(t, h)
		_ = http.MethodGet
	})
}

// TestCardCancelIssuerAmbiguity: a cancellation whose balance withdrawal
// has no clear answer is never released blindly — applied withdrawals are
// followed through, refused ones leave everything as it was, and an
// unfinished one is finished by the recovery job (and blocks other changes
// meanwhile).
func TestCardCancelIssuerAmbiguity(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		ctx := context.Background()
		wallet := func(acc apptest.Account) *big.Rat {
			v, _ := new(big.Rat).SetString(balanceOf(t, h, acc, "USDT-TRC20"))
			return v
		}
		// The withdrawal happened but its reply was lost: the cancellation
		// completes.
		acc, c := cmToppedCard(t, r, "cancel-lost@example.com")
		before := wallet(acc)
		h.App.IssuerSim.FailNext("withdraw_lost_reply", 1)
		cmPutStatus(r, acc, c.PublicToken, "99").Expect(t, 200, "")
		if diff := new(big.Rat).Sub(wallet(acc), before); diff.Cmp(big.NewRat(489, 10)) != 0 || cmIssuerBalance(t, h, c.PublicToken) != 0 {
			t.Fatalf("lost reply: refund %s, issuer %d", diff.FloatString(6), cmIssuerBalance(t, h, c.PublicToken))
		}

		// A refused withdrawal leaves the card and the money as they were.
		acc, c = cmToppedCard(t, r, "cancel-refused@example.com")
		h.App.IssuerSim.FailNext("withdraw", 1)
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "99"), 502, "ISSUER_UNAVAILABLE")
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["card_status_code"] != "00" || cmIssuerBalance(t, h, c.PublicToken) != 38142 {
			t.Fatalf("refused withdrawal: %v, issuer %d", g, cmIssuerBalance(t, h, c.PublicToken))
		}
		cmPutStatus(r, acc, c.PublicToken, "G1").Expect(t, 200, "") // nothing left claimed

		// The close is refused and the balance cannot be put back: the claim
		// stays, other changes wait, the recovery job completes the cancel.
		acc, c = cmToppedCard(t, r, "cancel-stuck@example.com")
		before = wallet(acc)
		h.App.IssuerSim.FailNext("set_status", 1)
		h.App.IssuerSim.FailNext("recharge", 1)
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "99"), 502, "ISSUER_UNAVAILABLE")
		h.Clock.Advance(3 * time.Minute)
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "G1"), 400, "INVALID_STATE")
		job := &river.Job[card.StatusRecoverArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 20}, Args: card.StatusRecoverArgs{CardID: c.ID}}
		if err := card.NewStatusRecoverWorker(h.App.Cards).Work(ctx, job); err != nil {
			t.Fatal(err)
		}
		acc = h.Login(t, acc.Email, apptest.Password)
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["card_status_code"] != "99" {
			t.Fatalf("after recovery %v", g)
		}
		if diff := new(big.Rat).Sub(wallet(acc), before); diff.Cmp(big.NewRat(489, 10)) != 0 {
			t.Fatalf("recovered refund %s", diff.FloatString(6))
		}
		verifyLedger(t, h)
	})
}
