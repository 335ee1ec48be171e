package backoffice

import (
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/settings"
)

// SettingsDeps serve the card-fee, platform, swap and withdrawal fee settings.
// The settings actions read the card fees as s.SettingsDeps.CardFees (the
// money group has one too).
type SettingsDeps struct {
	Settings *settings.Service
	CardFees *cardfee.Service
}

func (d SettingsDeps) wired() deps.Wired {
	return deps.Wired{"Settings": d.Settings != nil, "Settings.CardFees": d.CardFees != nil}
}

// settingsExecutors are the four-eyes actions of this group: none. A fee or
// limit change moves no money by itself; it is audited, kept in the
// settings history and bounded by each setting's range (the auto-approval
// threshold never above the four-eyes threshold).
func (s *Service) settingsExecutors() map[approval.Kind]approval.Executor {
	return map[approval.Kind]approval.Executor{}
}
