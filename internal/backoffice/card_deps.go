package backoffice

import (
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/referral"
)

// CardDeps serve cards, card tasks, physical orders, tiers and commissions.
// The actions read them as s.CardDeps.X, so another group may name a
// collaborator the same without making the promoted field ambiguous.
type CardDeps struct {
	Cards     *card.Service
	Physical  *physical.Service
	Referrals *referral.Service
}

func (d CardDeps) wired() deps.Wired {
	return deps.Wired{"Card.Cards": d.Cards != nil, "Card.Physical": d.Physical != nil, "Card.Referrals": d.Referrals != nil}
}

// Four-eyes kinds of this group (also their audit actions).
const (
	KindPhysicalOrderFail   approval.Kind = "physical_order.fail"
	KindPhysicalOrderRefund approval.Kind = "physical_order.refund"
	KindCommissionPay       approval.Kind = "commission.pay"
	KindCommissionCancel    approval.Kind = "commission.cancel"
)

// cardExecutors are the four-eyes actions of this group.
func (s *Service) cardExecutors() map[approval.Kind]approval.Executor {
	return map[approval.Kind]approval.Executor{
		KindPhysicalOrderFail:   executor(s.failOrderTx),
		KindPhysicalOrderRefund: executor(s.refundOrderTx),
		KindCommissionPay:       executor(s.payCommissionTx),
		KindCommissionCancel:    executor(s.cancelCommissionTx),
	}
}
