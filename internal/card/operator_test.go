package card_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/card"
)

// TestOperatorStatusAcrossLostAnswers: an operator's lock whose issuer
// answer was lost is finished by the recovery job, which locks the card and
// writes the audit row as the system, naming the operator; a change the
// issuer refuses at recovery is given up (the claim released) instead of
// retried like an outage until the job's attempts run out.
func TestOperatorStatusAcrossLostAnswers(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		f := newStatusFixture(t, h)
		op := h.Operator(t, "lock@ops.example.com", "compliance")
		ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorOperator, ID: op.ID, Label: op.Email, Role: "compliance"})

		acc, c := f.holder(t, "lost-lock@example.com", false)
		f.issuer.Fail(apptest.OpSetStatus, apptest.LoseAfter)
		if _, err := f.cards.OperatorSetStatus(ctx, c.ID, card.OperatorLock, "fraud report"); code(err) != "ISSUER_UNAVAILABLE" {
			t.Fatalf("lock with the answer lost = %v", err)
		}
		cur, _ := f.card(t, acc, c)
		if cur.PendingStatus != card.StatusFrozen || cur.LockedByAdmin {
			t.Fatalf("after the lost answer: pending %q locked %v", cur.PendingStatus, cur.LockedByAdmin)
		}
		f.recover(t, c.ID, false)
		cur, _ = f.card(t, acc, c)
		if cur.Status != card.StatusFrozen || !cur.LockedByAdmin || cur.StatusUpdatedBy != "operator" ||
			f.issuer.Status(c.PublicToken) != card.CodeFrozen {
			t.Fatalf("after recovery: %s locked %v by %q, issuer %s", cur.Status, cur.LockedByAdmin, cur.StatusUpdatedBy,
				f.issuer.Status(c.PublicToken))
		}
		rows, n, err := h.App.Audit.List(context.Background(), audit.Filter{Action: "card.lock", TargetID: strconv.FormatInt(c.ID, 10)}, 5, 0)
		if err != nil || n != 1 || rows[0].Actor.Type != audit.ActorSystem ||
			!strings.Contains(rows[0].Reason, "operator "+strconv.FormatInt(op.ID, 10)) || !strings.Contains(rows[0].After, `"locked_by_admin":true`) {
			t.Fatalf("audit of the recovered lock: %d %+v %v", n, rows, err)
		}
		// The cardholder cannot lift the lock, nor empty the card.
		for _, to := range []card.IssuerCode{card.CodeActive, card.CodeCancelled} {
			if _, err := f.cards.SetStatus(context.Background(), acc.ID, c.PublicToken, to); code(err) != "CARD_LOCKED_BY_ADMIN" {
				t.Fatalf("cardholder %s on a locked card = %v", to, err)
			}
		}

		// A cardholder's freeze whose answer was lost, then refused at
		// recovery: the claim goes, the card stays as it was.
		acc2, c2 := f.holder(t, "refused-at-recovery@example.com", false)
		f.issuer.Fail(apptest.OpSetStatus, apptest.LoseBefore)
		if _, err := f.cards.SetStatus(context.Background(), acc2.ID, c2.PublicToken, card.CodeFrozen); code(err) != "ISSUER_UNAVAILABLE" {
			t.Fatalf("freeze with the answer lost = %v", err)
		}
		f.issuer.Fail(apptest.OpSetStatus, apptest.Refuse)
		f.recover(t, c2.ID, false)
		cur, _ = f.card(t, acc2, c2)
		if cur.Status != card.StatusNormal || cur.PendingStatus != "" || f.issuer.Status(c2.PublicToken) != card.CodeActive {
			t.Fatalf("after a refusal at recovery: %s pending %q issuer %s", cur.Status, cur.PendingStatus, f.issuer.Status(c2.PublicToken))
		}
		h.Clock.Advance(time.Second)
		if _, err := f.cards.SetStatus(context.Background(), acc2.ID, c2.PublicToken, card.CodeFrozen); err != nil {
			t.Fatalf("a new change after the released claim: %v", err)
		}
	})
}
