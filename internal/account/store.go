package account

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Mailer queues an e-mail in the caller's transaction, so it is sent only if
// the change that needs it commits.
type Mailer interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, m mail.Message) error
}

// Wallets opens the wallet of a new user and names it.
type Wallets interface {
	OpenTx(ctx context.Context, tx *sql.Tx, userID int64, now time.Time) (walletID string, err error)
	WalletID(ctx context.Context, q store.Querier, userID int64) (string, error)
}

// KYCStatuses derives the user-level KYC status (API.md §3.4.1).
type KYCStatuses interface {
	UserKYC(ctx context.Context, q store.Querier, userID int64) (status kyc.UserStatus, level int, err error)
}

// PushDevices forgets a user's push devices (account deactivation).
type PushDevices interface {
	RemoveAll(ctx context.Context, q store.Querier, userID int64) error
}

// DeactivationGuard explains why an account may not be closed yet ("" = ok).
// It runs in the deactivating transaction and may lock what must not change
// until the status flip commits (money arriving).
type DeactivationGuard interface {
	DeactivationBlocker(ctx context.Context, tx *sql.Tx, userID int64) (string, error)
}

// Guards asks each guard in turn; the first objection wins. The wallet's
// comes first: an operation that moves the user's money out of their
// balances (a swap's hold) commits its open record in the same transaction,
// so either the balances or the later check sees it.
type Guards []DeactivationGuard

// DeactivationBlocker implements DeactivationGuard.
func (g Guards) DeactivationBlocker(ctx context.Context, tx *sql.Tx, userID int64) (string, error) {
	for _, guard := range g {
		if why, err := guard.DeactivationBlocker(ctx, tx, userID); err != nil || why != "" {
			if err != nil {
				return why, fmt.Errorf("account: deactivation blocker: %w", err)
			}
			return why, nil
		}
	}
	return "", nil
}
