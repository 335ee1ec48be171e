package app

import "github.com/comecomepay/comecomepay/internal/backoffice"

func (w wiring) officeUsers() backoffice.UserDeps {
	return backoffice.UserDeps{Accounts: w.Accounts, KYC: w.KYC, Wallets: w.Wallets, Cards: w.Cards, ThreeDS: w.ThreeDS,
		KYCJobs: w.Jobs}
}
