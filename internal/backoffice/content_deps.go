package backoffice

import (
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
)

// ContentDeps serve announcements, app versions, site content, the partner link, coupons, notifications and the webhook inbox.
type ContentDeps struct{}

func (d ContentDeps) wired() deps.Wired { return deps.Wired{} }

// contentExecutors are the four-eyes actions of this group.
func (s *Service) contentExecutors() map[approval.Kind]approval.Executor {
	return map[approval.Kind]approval.Executor{}
}
