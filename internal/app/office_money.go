package app

import "github.com/comecomepay/comecomepay/internal/backoffice"

func (w wiring) officeMoney() backoffice.MoneyDeps {
	return backoffice.MoneyDeps{}
}
