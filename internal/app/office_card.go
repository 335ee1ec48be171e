package app

import "github.com/comecomepay/comecomepay/internal/backoffice"

func (w wiring) officeCards() backoffice.CardDeps {
	return backoffice.CardDeps{Cards: w.Cards, Physical: w.Physical, Referrals: w.Referrals}
}
