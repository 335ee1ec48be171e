package app

import "github.com/comecomepay/comecomepay/internal/backoffice"

func (w wiring) officeContent() backoffice.ContentDeps {
	return backoffice.ContentDeps{}
}
