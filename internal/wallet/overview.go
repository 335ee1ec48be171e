package wallet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/chain"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// addressTimeout bounds how long GET /wallet/ waits for the custody provider
// to create a missing address (API.md §2.3: "bounded, ~2 s").
const addressTimeout = 2 * time.Second

// Balance is one entry of the wallet's balances.
type Balance struct {
	AccountID int64
	Currency  Currency
	Available money.Amount
	Address   string
}

// Overview is the wallet as GET /wallet/ shows it.
type Overview struct {
	UserID    int64
	WalletID  string
	Status    string
	CreatedAt time.Time
	Balances  []Balance
	TotalUSDT money.Amount // 6 decimals
	TotalHKD  money.Amount // 2 decimals
	// The withdrawal limits in force, USD-equivalent in cents.
	DailyLimit, MonthlyLimit money.Amount
	UpdatedAt                time.Time
}

// Overview returns the wallet of userID with a balance for every enabled
// currency and the deposit addresses, asking the custody provider for any
// address still missing.
func (s *Service) Overview(ctx context.Context, userID int64) (Overview, error) {
	w, err := s.wallet(ctx, s.DB.SQL, userID)
	if errors.Is(err, store.ErrNotFound) {
		return Overview{}, ErrWalletNotFound
	}
	if err != nil {
		return Overview{}, fmt.Errorf("wallet: overview of user %d: %w", userID, err)
	}
	addrs, err := s.ensureAddresses(ctx, userID)
	if err != nil {
		return Overview{}, fmt.Errorf("wallet: overview of user %d: %w", userID, err)
	}
	available, ids, err := s.available(ctx, s.DB.SQL, userID)
	if err != nil {
		return Overview{}, fmt.Errorf("wallet: overview of user %d: %w", userID, err)
	}
	v, err := s.valuesFor(ctx, s.DB.SQL, userID)
	if err != nil {
		return Overview{}, fmt.Errorf("wallet: overview of user %d: %w", userID, err)
	}
	o := Overview{UserID: w.UserID, WalletID: w.WalletID, Status: w.Status, CreatedAt: w.CreatedAt,
		DailyLimit: v.WithdrawalDailyLimitUSD, MonthlyLimit: v.WithdrawalMonthlyLimitUSD, UpdatedAt: w.CreatedAt}
	var stable money.Amount // 6 decimals
	var hkd money.Amount
	for _, c := range s.Currencies.All() {
		b := Balance{Currency: c, Available: available[c.Name], AccountID: ids[c.Name]}
		if c.Crypto() {
			b.Address = addrs[c.Network]
			stable += rescale(b.Available, c.Decimals, 6)
		} else if c.Name == HKD {
			b.AccountID = 0
			if b.Available, err = s.Cards.TotalBalance(ctx, s.DB.SQL, userID); err != nil {
				return Overview{}, fmt.Errorf("wallet: overview of user %d: card balances: %w", userID, err)
			}
			hkd = b.Available
		}
		o.Balances = append(o.Balances, b)
	}
	rate, err := s.Rates.USDTHKD(ctx)
	if err != nil || rate <= 0 {
		rate = 0
	}
	o.TotalUSDT = stable
	if rate > 0 {
		// HKD → USDT at the inverse rate, rounded down (a display total).
		o.TotalUSDT += money.Convert(hkd, 2, Inverse(rate), 6, false)
		o.TotalHKD = money.Convert(o.TotalUSDT, 6, rate, 2, false)
	}
	return o, nil
}

// available returns the user's available balances and account ids by currency.
func (s *Service) available(ctx context.Context, q store.Querier, userID int64) (map[string]money.Amount, map[string]int64, error) {
	accounts, err := s.Ledger.BalancesNamed(ctx, q, userID, ledger.Available)
	if err != nil {
		return nil, nil, fmt.Errorf("balances: %w", err)
	}
	bal, ids := map[string]money.Amount{}, map[string]int64{}
	for _, a := range accounts {
		bal[a.Currency], ids[a.Currency] = a.Balance, a.ID
	}
	return bal, ids, nil
}

// ensureAddresses returns the user's deposit address per network, creating
// missing ones at the custody provider, each under a claim (deposit_claims.go)
// so that one address per user and chain is ever asked for at a time. A
// provider failure, or a claim held elsewhere, leaves the address empty; a
// later call tries again.
func (s *Service) ensureAddresses(ctx context.Context, userID int64) (map[chain.Network]string, error) {
	addrs, err := s.addresses(ctx, s.DB.SQL, userID)
	if err != nil {
		return nil, err
	}
	for _, c := range s.Currencies.All() {
		if !c.Crypto() || addrs[c.Network] != "" {
			continue
		}
		claimed, err := s.claimAddress(ctx, userID, c.Network)
		if err != nil {
			return nil, err
		}
		if !claimed {
			continue
		}
		// Another replica may have finished between our read and the claim.
		if addrs, err = s.addresses(ctx, s.DB.SQL, userID); err != nil {
			return nil, err
		}
		if addrs[c.Network] != "" {
			continue
		}
		callCtx, cancel := context.WithTimeout(ctx, addressTimeout)
		addr, err := s.Custody.DepositAddress(callCtx, userID, c)
		cancel()
		if err == nil && !chain.Valid(c.Network, addr) {
			err = fmt.Errorf("custody answered a malformed %s address", c.Network)
		}
		if err != nil {
			s.Log.WarnContext(ctx, "deposit address not available yet", "user_id", userID, "network", c.Network, "error", err)
			if err := s.releaseClaim(ctx, userID, c.Network, err); err != nil {
				return nil, err
			}
			continue
		}
		if err := s.storeClaimedAddress(ctx, userID, c.Network, addr); err != nil {
			return nil, err
		}
		if addrs, err = s.addresses(ctx, s.DB.SQL, userID); err != nil {
			return nil, err
		}
	}
	return addrs, nil
}

func (s *Service) addresses(ctx context.Context, q store.Querier, userID int64) (map[chain.Network]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT network, address FROM deposit_addresses WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("deposit addresses: %w", err)
	}
	defer rows.Close()
	out := map[chain.Network]string{}
	for rows.Next() {
		var n, a string
		if err := rows.Scan(&n, &a); err != nil {
			return nil, fmt.Errorf("deposit addresses: %w", err)
		}
		out[chain.Network(n)] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deposit addresses: %w", err)
	}
	return out, nil
}

// rescale converts minor units between scales, truncating extra precision.
func rescale(a money.Amount, from, to int) money.Amount {
	for ; from < to; from++ {
		a *= 10
	}
	for ; from > to; from-- {
		a /= 10
	}
	return a
}

// DepositAddress returns the user's deposit address on a network, creating
// it at the custody provider when needed.
func (s *Service) DepositAddress(ctx context.Context, userID int64, network chain.Network) (string, error) {
	if _, err := s.wallet(ctx, s.DB.SQL, userID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", ErrRecipientNotFound.WithDetails("No user has this id")
		}
		return "", fmt.Errorf("wallet: %s deposit address of user %d: %w", network, userID, err)
	}
	addrs, err := s.ensureAddresses(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("wallet: %s deposit address of user %d: %w", network, userID, err)
	}
	if addrs[network] == "" {
		return "", fmt.Errorf("wallet: %s deposit address of user %d: custody provider has no address for this network yet", network, userID)
	}
	return addrs[network], nil
}
