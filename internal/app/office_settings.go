package app

import "github.com/comecomepay/comecomepay/internal/backoffice"

func (w wiring) officeSettings() backoffice.SettingsDeps {
	return backoffice.SettingsDeps{Settings: w.Settings, CardFees: w.CardFees}
}
