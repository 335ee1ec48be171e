package sandbox

import (
	"context"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Balances is the simulated provider's view of what it holds. The
// simulator moves no real funds, so it holds exactly what the ledger's
// custody omnibus says: the daily reconciliation runs in sandbox mode and
// always matches.
type Balances struct {
	db     *store.DB
	ledger *ledger.Ledger
}

// NewBalances returns the simulated balances read from the ledger.
func NewBalances(db *store.DB, l *ledger.Ledger) *Balances { return &Balances{db: db, ledger: l} }

// Balances implements wallet.CustodyBalances.
func (b *Balances) Balances(ctx context.Context, currencies []wallet.Currency) (map[string]money.Amount, error) {
	out := make(map[string]money.Amount, len(currencies))
	for _, c := range currencies {
		omnibus, err := b.ledger.Balance(ctx, b.db.SQL, ledger.HouseAccount(ledger.Custody, c.Name))
		if err != nil {
			return nil, fmt.Errorf("sandbox custody: %s balance: %w", c.Name, err)
		}
		// The omnibus is an asset booked negative.
		out[c.Name] = -omnibus
	}
	return out, nil
}
