package backoffice

import (
	"maps"

	"github.com/comecomepay/comecomepay/internal/approval"
)

// Executors maps every four-eyes kind to the action an approval executes;
// the approval service is built with it.
func (s *Service) Executors() map[approval.Kind]approval.Executor {
	all := map[approval.Kind]approval.Executor{}
	for _, group := range []map[approval.Kind]approval.Executor{s.moneyExecutors(), s.cardExecutors(),
		s.settingsExecutors(), s.contentExecutors()} {
		maps.Copy(all, group)
	}
	return all
}
