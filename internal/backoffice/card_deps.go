package backoffice

import (
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
)

// CardDeps serve cards, card tasks, physical orders, tiers and commissions.
type CardDeps struct{}

func (d CardDeps) wired() deps.Wired { return deps.Wired{} }

// cardExecutors are the four-eyes actions of this group.
func (s *Service) cardExecutors() map[approval.Kind]approval.Executor {
	return map[approval.Kind]approval.Executor{}
}
