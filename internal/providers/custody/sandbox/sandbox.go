// Package sandbox is the offline custody provider: it derives one stable,
// well-formed deposit address per user and network from a secret key, so the
// same user always gets the same address and no two users share one.
package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/chain"
)

// Custody simulates the custody provider.
type Custody struct{ key []byte }

// New returns a simulator whose addresses derive from key.
func New(key []byte) *Custody { return &Custody{key: key} }

// DepositAddress implements wallet.Custody.
func (c *Custody) DepositAddress(_ context.Context, userID int64, network chain.Network) (string, error) {
	if network != chain.TRC20 && network != chain.ERC20 {
		return "", fmt.Errorf("sandbox custody: unsupported network %q", network)
	}
	m := hmac.New(sha256.New, c.key)
	fmt.Fprintf(m, "deposit-address|%d|%s", userID, network)
	var k [20]byte
	copy(k[:], m.Sum(nil))
	return chain.AddressFromKey(network, k), nil
}
