package wallet

import (
	"context"
	"errors"

	"github.com/comecomepay/comecomepay/internal/money"
)

// AddressChecker asks the custody provider whether an address is valid for
// a currency's chain: a second opinion after the wallet's own format check
// (chain.Valid), which stays the first guard.
type AddressChecker interface {
	// CheckAddress reports the provider's verdict. An error means the
	// provider could not be asked (no verdict), not that the address is bad.
	CheckAddress(ctx context.Context, cur Currency, address string) (valid bool, err error)
}

// CustodyBalances reports what the custody provider holds, for the daily
// custody reconciliation (API.md §3.7).
type CustodyBalances interface {
	// Balances returns the provider's balance of each currency it reports,
	// keyed by currency name, in the currency's minor units. A currency
	// missing from the map is one the provider did not report.
	Balances(ctx context.Context, currencies []Currency) (map[string]money.Amount, error)
}

// ErrCustodyRefused marks a provider answer that refuses a withdrawal order
// for good (an illegal address, an unsupported coin, parameters it will
// never accept): resubmitting cannot succeed, so the withdrawal fails and
// is refunded at once. Adapters wrap it; any other error is retried.
var ErrCustodyRefused = errors.New("custody provider refused the order")
