package backoffice

import (
	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
)

// UserDeps serve users, KYC review and 3DS records.
type UserDeps struct {
	Accounts *account.Service
}

func (d UserDeps) wired() deps.Wired {
	return deps.Wired{"Accounts": d.Accounts != nil}
}
