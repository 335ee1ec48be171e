// Package sandbox is the offline custody provider. It derives one stable,
// well-formed deposit address per user and network from a secret key, and it
// "sends" withdrawals by reporting their outcome through the same signed
// callback the real provider uses.
package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/comecomepay/comecomepay/internal/chain"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Custody simulates the custody provider.
type Custody struct {
	key []byte
	// Deliver sends a callback body to the platform's custody webhook path
	// and returns once it has been applied. Set by the composition root.
	Deliver func(ctx context.Context, body []byte) error
	// AutoSettle completes every submitted withdrawal after SettleDelay.
	AutoSettle  bool
	SettleDelay time.Duration

	mu     sync.Mutex
	orders map[string]wallet.WithdrawalOrder
}

// New returns a simulator whose addresses derive from key.
func New(key []byte) *Custody {
	return &Custody{key: key, AutoSettle: true, SettleDelay: 2 * time.Second, orders: map[string]wallet.WithdrawalOrder{}}
}

// DepositAddress implements wallet.Custody.
func (c *Custody) DepositAddress(_ context.Context, userID int64, cur wallet.Currency) (string, error) {
	network := cur.Network
	if network != chain.TRC20 && network != chain.ERC20 {
		return "", fmt.Errorf("sandbox custody: unsupported network %q", network)
	}
	m := hmac.New(sha256.New, c.key)
	fmt.Fprintf(m, "deposit-address|%d|%s", userID, network)
	var k [20]byte
	copy(k[:], m.Sum(nil))
	return chain.AddressFromKey(network, k), nil
}

// CheckAddress implements wallet.AddressChecker with the format check a
// real provider would make.
func (c *Custody) CheckAddress(_ context.Context, cur wallet.Currency, address string) (bool, error) {
	return chain.Valid(cur.Network, address), nil
}

// SubmitWithdrawal implements wallet.CustodyWithdrawals. A resubmission of a
// known order is a no-op, as at the real provider.
func (c *Custody) SubmitWithdrawal(ctx context.Context, o wallet.WithdrawalOrder) error {
	c.mu.Lock()
	_, known := c.orders[o.BusinessID]
	c.orders[o.BusinessID] = o
	c.mu.Unlock()
	if known || !c.AutoSettle {
		return nil
	}
	select {
	case <-time.After(c.SettleDelay):
	case <-ctx.Done():
		return fmt.Errorf("sandbox custody: settle withdrawal %s: %w", o.BusinessID, ctx.Err())
	}
	return c.Settle(ctx, o, 3)
}

// Settle reports the outcome of a withdrawal order with a custody status
// (1 broadcasting, 2 rejected, 3 completed, 4 failed).
func (c *Custody) Settle(ctx context.Context, o wallet.WithdrawalOrder, status int) error {
	businessID := o.BusinessID
	txID := ""
	if status == 3 {
		sum := sha256.Sum256([]byte("tx|" + businessID))
		txID = "0x" + hex.EncodeToString(sum[:])
	}
	body, _ := json.Marshal(map[string]any{
		"tradeId": "sbx_wd_" + businessID, "tradeType": 2, "address": o.Address,
		"mainCoinType": strconv.Itoa(o.Currency.MainCoinType), "coinType": o.Currency.CoinType,
		"amount": strconv.FormatInt(int64(o.Amount), 10), "fee": "0", "decimals": o.Currency.Decimals,
		"status": status, "txId": txID, "blockHigh": "1", "businessId": businessID, "memo": "",
	})
	if c.Deliver == nil {
		return fmt.Errorf("sandbox custody: no callback route wired")
	}
	if err := c.Deliver(ctx, body); err != nil {
		return fmt.Errorf("sandbox custody: report status %d of withdrawal %s: %w", status, businessID, err)
	}
	return nil
}
