package wallet

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/chain"
	"github.com/comecomepay/comecomepay/internal/store"
)

// The custody provider makes a new address on every create call and offers
// no idempotency key, so the wallet guards the call itself: one claim row
// per (user, chain) in deposit_address_claims, taken with a conditional
// upsert so that across replicas only one request at a time calls the
// provider. Whoever loses the race shows no address yet ("" — the client
// shows "no address" and asks again).
//
// An address the provider made but whose answer was lost (a timeout, a
// crash between the answer and the insert) is never stored, so it is never
// shown to anyone: the next attempt makes another one. Deposits to such an
// orphan arrive as callbacks for an unknown address and are kept as
// `unmatched` deposits for operators, like any unknown address; the claim's
// attempt count (> 1) tells them which users may have one.

const (
	// claimLease keeps other requests away while one calls the provider; it
	// outlasts the call (addressTimeout) and ends early on an answer.
	claimLease = 30 * time.Second
	// claimBackoffMax caps the wait after failed attempts: every attempt
	// may leave an orphan address at the provider, so a provider that
	// keeps timing out is not asked on every page view.
	claimBackoffMax = time.Hour
)

// claimBackoff is the wait after the n-th failed attempt (30 s doubling).
func claimBackoff(attempts int) time.Duration {
	d := claimLease
	for i := 1; i < attempts && d < claimBackoffMax; i++ {
		d *= 2
	}
	return min(d, claimBackoffMax)
}

// claimAddress takes the right to ask the provider for the user's address
// on network, or reports that someone else holds it (or failed recently).
func (s *Service) claimAddress(ctx context.Context, userID int64, network chain.Network) (bool, error) {
	now := s.Now()
	res, err := s.DB.SQL.ExecContext(ctx, `INSERT INTO deposit_address_claims
		(user_id, network, claimed_until, attempts, last_error, created_at, updated_at) VALUES ($1, $2, $3, 1, '', $4, $4)
		ON CONFLICT (user_id, network) DO UPDATE SET claimed_until = excluded.claimed_until,
			attempts = deposit_address_claims.attempts + 1, updated_at = excluded.updated_at
		WHERE deposit_address_claims.claimed_until < $5 AND deposit_address_claims.completed_at IS NULL`,
		userID, string(network), store.At(now.Add(claimLease)), store.At(now), store.At(now))
	if err != nil {
		return false, fmt.Errorf("claim %s deposit address: %w", network, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim %s deposit address: %w", network, err)
	}
	return n == 1, nil
}

// storeClaimedAddress records the provider's answer and closes the claim,
// in one transaction.
func (s *Service) storeClaimedAddress(ctx context.Context, userID int64, network chain.Network, addr string) error {
	now := store.At(s.Now())
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO deposit_addresses (user_id, network, address, canonical, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
			userID, string(network), addr, chain.Canonical(network, addr), now); err != nil {
			return fmt.Errorf("store %s deposit address: %w", network, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deposit_address_claims SET completed_at = $1, updated_at = $1, last_error = ''
			WHERE user_id = $2 AND network = $3`, now, userID, string(network)); err != nil {
			return fmt.Errorf("close %s address claim: %w", network, err)
		}
		return nil
	})
}

// releaseClaim records a failed attempt; the claim stays held for the
// backoff so the next request does not ask again at once.
func (s *Service) releaseClaim(ctx context.Context, userID int64, network chain.Network, cause error) error {
	var attempts int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT attempts FROM deposit_address_claims WHERE user_id = $1 AND network = $2`,
		userID, string(network)).Scan(&attempts); err != nil {
		return fmt.Errorf("read %s address claim: %w", network, err)
	}
	now := s.Now()
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if _, err := s.DB.SQL.ExecContext(ctx, `UPDATE deposit_address_claims SET claimed_until = $1, last_error = $2, updated_at = $3
		WHERE user_id = $4 AND network = $5 AND completed_at IS NULL`,
		store.At(now.Add(claimBackoff(attempts))), msg, store.At(now), userID, string(network)); err != nil {
		return fmt.Errorf("release %s address claim: %w", network, err)
	}
	return nil
}
