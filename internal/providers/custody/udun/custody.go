package udun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/wallet"

	"github.com/comecomepay/comecomepay/internal/platform/jsonx"
)

// DepositAddress implements wallet.Custody: a new address on cur's chain.
// The provider makes a new address on every call and has no idempotency
// key; the wallet's claim (one address per user and chain) is the guard.
// The chain number is the provider's, read from support-coins.
func (c *Client) DepositAddress(ctx context.Context, userID int64, cur wallet.Currency) (string, error) {
	coin, err := c.coins.find(ctx, chainOf(cur.MainCoinType))
	if err != nil {
		return "", fmt.Errorf("udun: create %s address for user %d: %w", cur.Network, userID, err)
	}
	item := map[string]any{"merchantId": c.cfg.MerchantID, c.cfg.CoinTypeField: json.Number(coin.MainCoinType),
		"callUrl": c.cfg.CallbackURL}
	var data struct {
		Address jsonx.Text `json:"address"`
	}
	if err := c.call(ctx, "/mch/address/create", []any{item}, &data); err != nil {
		return "", fmt.Errorf("udun: create %s address for user %d: %w", cur.Network, userID, err)
	}
	if data.Address == "" {
		return "", fmt.Errorf("udun: create %s address for user %d: %w: empty address", cur.Network, userID, ErrUnavailable)
	}
	return string(data.Address), nil
}

// withdrawItem is the /mch/withdraw payload, in the documented order.
type withdrawItem struct {
	MerchantID   string `json:"merchantId"`
	MainCoinType string `json:"mainCoinType"`
	CoinType     string `json:"coinType"`
	Address      string `json:"address"`
	Amount       string `json:"amount"`
	CallURL      string `json:"callUrl"`
	BusinessID   string `json:"businessId"`
	Memo         string `json:"memo,omitempty"`
}

// SubmitWithdrawal implements wallet.CustodyWithdrawals. businessId is the
// provider's idempotency key: a resubmission after a timeout carries the
// same one, and the provider's "duplicate businessId" (4288) means it
// holds the order already — success. A refusal for good wraps
// wallet.ErrCustodyRefused; anything else is retried by the caller.
func (c *Client) SubmitWithdrawal(ctx context.Context, o wallet.WithdrawalOrder) error {
	if strings.TrimSpace(o.BusinessID) == "" {
		return fmt.Errorf("udun: withdraw: empty businessId: %w", wallet.ErrCustodyRefused)
	}
	coin, err := c.coins.find(ctx, coinOf(o.Currency.MainCoinType, o.Currency.CoinType))
	if err != nil {
		return fmt.Errorf("udun: withdraw %s: %w", o.BusinessID, err)
	}
	amount, err := humanAmount(o.Amount, o.Currency.Decimals, coin.Decimals)
	if err != nil {
		return fmt.Errorf("udun: withdraw %s: %w: %w", o.BusinessID, wallet.ErrCustodyRefused, err)
	}
	item := withdrawItem{MerchantID: c.cfg.MerchantID, MainCoinType: coin.MainCoinType, CoinType: coin.CoinType, Address: o.Address,
		Amount: amount, CallURL: c.cfg.CallbackURL, BusinessID: o.BusinessID}
	err = c.call(ctx, "/mch/withdraw", []withdrawItem{item}, nil)
	if errors.Is(err, ErrDuplicateBusiness) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("udun: withdraw %s: %w", o.BusinessID, err)
	}
	return nil
}

// CheckAddress implements wallet.AddressChecker with /mch/check/address:
// code 200 is a valid address, 4165 an illegal one; any other answer is no
// verdict.
func (c *Client) CheckAddress(ctx context.Context, cur wallet.Currency, address string) (bool, error) {
	coin, err := c.coins.find(ctx, chainOf(cur.MainCoinType))
	if err != nil {
		return false, fmt.Errorf("udun: check %s address: %w", cur.Network, err)
	}
	item := map[string]any{"merchantId": c.cfg.MerchantID, "mainCoinType": coin.MainCoinType, "address": address}
	err = c.call(ctx, "/mch/check/address", []any{item}, nil)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrIllegalAddress):
		return false, nil
	default:
		return false, fmt.Errorf("udun: check %s address: %w", cur.Network, err)
	}
}

// Balances implements wallet.CustodyBalances with support-coins and
// showBalance. The balance is read as a human decimal in the coin's unit;
// a coin the provider lists without a readable balance is left out
// (reported as unreported by the reconciliation).
func (c *Client) Balances(ctx context.Context, currencies []wallet.Currency) (map[string]money.Amount, error) {
	coins, err := c.fetchCoins(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("udun: balances: %w", err)
	}
	out := make(map[string]money.Amount, len(currencies))
	for _, cur := range currencies {
		match := coinOf(cur.MainCoinType, cur.CoinType)
		for _, coin := range coins {
			if !match(coin) {
				continue
			}
			if amount, ok := parseHuman(coin.Balance, cur.Decimals); ok {
				out[cur.Name] = amount
			}
			break
		}
	}
	return out, nil
}

// Coins returns the provider's support-coins list (cached), for operators
// checking the currency table against the provider.
func (c *Client) Coins(ctx context.Context) ([]Coin, error) {
	coins, err := c.coins.list(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("udun: coins: %w", err)
	}
	return coins, nil
}
