package backoffice

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/card"
)

// Cards lists cards of every user (masked numbers only: the platform never
// holds more).
func (s *Service) Cards(ctx context.Context, f card.CardFilter, limit, offset int) ([]card.Card, int, error) {
	return s.CardDeps.Cards.AdminCards(ctx, f, limit, offset)
}

// SetCardStatus locks, unlocks or cancels a card (card.OperatorSetStatus
// has the rules). A lock and a cancellation say why.
//
// Unlike the other actions, the card domain writes the audit row itself:
// the issuer is told first, outside any transaction, and the change is
// recorded afterwards — by this request, or by the recovery job when the
// issuer's answer was lost — so only the card domain is there when it
// commits. The row is the same either way (the job's names the system as
// the actor and the operator in its reason).
//
// A cancellation returns the card's balance to the cardholder's own wallet,
// exactly as the cardholder's cancellation does: it creates no money and
// sends none elsewhere, so it does not wait for a second operator (and
// could not: an approval executes inside a transaction, and the issuer must
// be called outside one).
func (s *Service) SetCardStatus(ctx context.Context, cardID int64, action card.OperatorAction, reason string) (card.Card, error) {
	if reason == "" && action != card.OperatorUnlock {
		return card.Card{}, errReasonRequired
	}
	c, err := s.CardDeps.Cards.OperatorSetStatus(ctx, cardID, action, reason)
	if err != nil {
		return card.Card{}, fmt.Errorf("backoffice: card.%s card %d: %w", action, cardID, err)
	}
	return c, nil
}

// CardTasks lists issuance tasks of every user.
func (s *Service) CardTasks(ctx context.Context, f card.TaskFilter, limit, offset int) ([]card.Task, int, error) {
	return s.CardDeps.Cards.AdminTasks(ctx, f, limit, offset)
}

type taskState struct {
	Status       card.TaskStatus `json:"status"`
	FailReason   string          `json:"fail_reason"`
	KYCID        int64           `json:"kyc_id"`
	FeePaymentID int64           `json:"fee_payment_id"`
	Retries      int             `json:"retries"`
}

func stateOfTask(t card.Task) taskState {
	return taskState{Status: t.Status, FailReason: t.FailReason, KYCID: t.KYCID, FeePaymentID: t.FeePaymentID, Retries: t.Retries}
}

// RetryCardTask puts a failed issuance task back in the queue
// (card.RetryTaskTx has the rules); reason is optional. It moves no money:
// the fee the user paid is consumed again, not charged again.
func (s *Service) RetryCardTask(ctx context.Context, taskID int64, reason string) (card.Task, error) {
	var out card.Task
	err := s.audited(ctx, audit.Entry{Action: "card_task.retry", TargetType: "card_task", TargetID: strconv.FormatInt(taskID, 10),
		Reason: reason}, func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.CardDeps.Cards.RetryTaskTx(ctx, tx, taskID)
		out = after
		return stateOfTask(before), stateOfTask(after), err
	})
	return out, err
}
