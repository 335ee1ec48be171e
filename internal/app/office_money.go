package app

import "github.com/comecomepay/comecomepay/internal/backoffice"

func (w wiring) officeMoney() backoffice.MoneyDeps {
	return backoffice.MoneyDeps{Wallets: w.Wallets, Ledger: w.Ledger, CardFees: w.CardFees, Cards: w.Cards, Jobs: w.Jobs,
		Idempotency: w.idempotency}
}
