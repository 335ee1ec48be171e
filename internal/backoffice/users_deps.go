package backoffice

import (
	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/threeds"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// UserDeps serve users, KYC review and 3DS records.
type UserDeps struct {
	Accounts *account.Service
	KYC      *kyc.Service
	// Wallets resolve wallet ids and show balances and history.
	Wallets *wallet.Service
	Cards   *card.Service
	ThreeDS *threeds.Service
	// KYCJobs queues the issuer review an operator's KYC approval starts.
	KYCJobs kyc.Inserter
}

func (d UserDeps) wired() deps.Wired {
	return deps.Wired{"Accounts": d.Accounts != nil, "KYC": d.KYC != nil, "Wallets": d.Wallets != nil, "Cards": d.Cards != nil,
		"ThreeDS": d.ThreeDS != nil, "KYCJobs": d.KYCJobs != nil}
}
