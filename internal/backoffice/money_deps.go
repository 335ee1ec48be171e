package backoffice

import (
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
)

// MoneyDeps serve withdrawals, deposits, the ledger, reconciliation and card-fee payments.
type MoneyDeps struct{}

func (d MoneyDeps) wired() deps.Wired { return deps.Wired{} }

// moneyExecutors are the four-eyes actions of this group.
func (s *Service) moneyExecutors() map[approval.Kind]approval.Executor {
	return map[approval.Kind]approval.Executor{}
}
