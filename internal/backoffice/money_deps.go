package backoffice

import (
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// MoneyDeps serve withdrawals, deposits, the ledger, reconciliation and card-fee payments.
// The money actions read them as s.MoneyDeps.X, so another group may name a
// collaborator the same without making the promoted field ambiguous.
type MoneyDeps struct {
	Wallets  *wallet.Service
	Ledger   *ledger.Ledger
	CardFees *cardfee.Service
	// Cards keeps the reconciliation runs.
	Cards *card.Service
	// Jobs queues the custody submission of an approved withdrawal and the
	// reconciliation an operator asks for, in the action's transaction.
	Jobs wallet.Inserter
	// Idempotency keeps the answers of adjustments sent with an Idempotency-Key.
	Idempotency *idempotency.Store
}

func (d MoneyDeps) wired() deps.Wired {
	return deps.Wired{"Money.Wallets": d.Wallets != nil, "Money.Ledger": d.Ledger != nil, "Money.CardFees": d.CardFees != nil,
		"Money.Cards": d.Cards != nil, "Money.Jobs": d.Jobs != nil, "Money.Idempotency": d.Idempotency != nil}
}

// The four-eyes actions of this group; each is also the audit action
// written when it executes.
const (
	KindApproveWithdrawal approval.Kind = "withdrawal.approve"
	KindCreditDeposit     approval.Kind = "deposit.credit"
	KindAdjustBalance     approval.Kind = "ledger.adjust"
	KindRefundCardFee     approval.Kind = "card_fee_payment.refund"
)

// moneyExecutors are the four-eyes actions of this group.
func (s *Service) moneyExecutors() map[approval.Kind]approval.Executor {
	return map[approval.Kind]approval.Executor{
		KindApproveWithdrawal: executor(s.approveWithdrawal),
		KindCreditDeposit:     executor(s.creditDeposit),
		KindAdjustBalance:     executor(s.adjustBalance),
		KindRefundCardFee:     executor(s.refundCardFee),
	}
}
