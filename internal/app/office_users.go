package app

import "github.com/comecomepay/comecomepay/internal/backoffice"

func (w wiring) officeUsers() backoffice.UserDeps {
	return backoffice.UserDeps{Accounts: w.Accounts}
}
