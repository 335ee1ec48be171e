// Package wallet owns each user's wallet record. Balances and the ledger
// arrive with the wallet issue; today it opens and names wallets.
package wallet

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Service manages wallet records.
type Service struct{}

// NewService returns a Service.
func NewService() *Service { return &Service{} }

// NewWalletID derives the public wallet id "CCP" + 14 digits: the opening
// date (yyMMdd, UTC) and the user id modulo 10^8. It is unique as long as
// fewer than 10^8 users register on one day, and it never changes.
func NewWalletID(userID int64, opened time.Time) string {
	return fmt.Sprintf("CCP%s%08d", opened.UTC().Format("060102"), userID%100_000_000)
}

// OpenTx creates the wallet of a new user in the caller's transaction.
func (s *Service) OpenTx(ctx context.Context, tx *sql.Tx, userID int64, now time.Time) (string, error) {
	id := NewWalletID(userID, now)
	_, err := tx.ExecContext(ctx, `INSERT INTO wallets (user_id, wallet_id, status, created_at) VALUES ($1, $2, 'active', $3)`,
		userID, id, now.UnixMicro())
	if err != nil {
		return "", fmt.Errorf("open wallet: %w", err)
	}
	return id, nil
}

// WalletID returns the public id of a user's wallet.
func (s *Service) WalletID(ctx context.Context, q store.Querier, userID int64) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT wallet_id FROM wallets WHERE user_id = $1`, userID).Scan(&id)
	return id, store.NotFound(err)
}
