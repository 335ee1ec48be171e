package wallet

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Reads for operators: who owns a wallet id, and a user's balances without
// asking the custody provider for anything.

var walletIDFormat = regexp.MustCompile(`^CCP[0-9]{14}$`)

// ParseWalletID reads a public wallet id (API.md §1.9), any letter case.
func ParseWalletID(s string) (string, bool) {
	id := strings.ToUpper(strings.TrimSpace(s))
	return id, walletIDFormat.MatchString(id)
}

// OwnerOf returns the user whose wallet has the public id, or
// store.ErrNotFound.
func (s *Service) OwnerOf(ctx context.Context, q store.Querier, walletID string) (int64, error) {
	var userID int64
	if err := q.QueryRowContext(ctx, `SELECT user_id FROM wallets WHERE wallet_id = $1`, walletID).Scan(&userID); err != nil {
		return 0, fmt.Errorf("wallet: owner of %s: %w", walletID, store.NotFound(err))
	}
	return userID, nil
}

// UserBalance is one currency of a user's wallet as operators see it.
type UserBalance struct {
	Currency Currency
	// Available is spendable; Held is held for withdrawals not final yet.
	// The HKD line is the user's cards (read-only) and holds nothing.
	Available money.Amount
	Held      money.Amount
}

// Balances returns the user's balance in every enabled currency.
func (s *Service) Balances(ctx context.Context, userID int64) ([]UserBalance, error) {
	if _, err := s.wallet(ctx, s.DB.SQL, userID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrWalletNotFound
		}
		return nil, fmt.Errorf("wallet: balances of user %d: %w", userID, err)
	}
	available, _, err := s.available(ctx, s.DB.SQL, userID)
	if err != nil {
		return nil, fmt.Errorf("wallet: balances of user %d: %w", userID, err)
	}
	held, err := s.Ledger.BalancesNamed(ctx, s.DB.SQL, userID, ledger.WithdrawalHold)
	if err != nil {
		return nil, fmt.Errorf("wallet: balances of user %d: %w", userID, err)
	}
	heldBy := map[string]money.Amount{}
	for _, h := range held {
		heldBy[h.Currency] = h.Balance
	}
	var out []UserBalance
	for _, c := range s.Currencies.All() {
		b := UserBalance{Currency: c, Available: available[c.Name], Held: heldBy[c.Name]}
		if c.Name == HKD {
			if b.Available, err = s.Cards.TotalBalance(ctx, s.DB.SQL, userID); err != nil {
				return nil, fmt.Errorf("wallet: balances of user %d: card balances: %w", userID, err)
			}
		}
		out = append(out, b)
	}
	return out, nil
}
