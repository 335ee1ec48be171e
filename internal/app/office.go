package app

import (
	"time"

	"github.com/comecomepay/comecomepay/internal/backoffice"
)

// backOffice builds the operators' actions on every domain; each group's
// collaborators come from its own file (office_*.go).
func (w wiring) backOffice(now func() time.Time) *backoffice.Service {
	return backoffice.New(backoffice.Deps{DB: w.DB, Audit: w.Audit, Policy: backoffice.DefaultPolicy, Now: now,
		UserDeps: w.officeUsers(), MoneyDeps: w.officeMoney(), CardDeps: w.officeCards(),
		SettingsDeps: w.officeSettings(), ContentDeps: w.officeContent()})
}
