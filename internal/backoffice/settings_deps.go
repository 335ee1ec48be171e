package backoffice

import (
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
)

// SettingsDeps serve the card-fee, platform, swap and withdrawal fee settings.
type SettingsDeps struct{}

func (d SettingsDeps) wired() deps.Wired { return deps.Wired{} }

// settingsExecutors are the four-eyes actions of this group.
func (s *Service) settingsExecutors() map[approval.Kind]approval.Executor {
	return map[approval.Kind]approval.Executor{}
}
