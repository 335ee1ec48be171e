package app

import (
	"context"
	"errors"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/store"
)

// threeDSUsers gives 3DS the account facts it needs, read in the caller's
// transaction.
type threeDSUsers struct{ accounts *account.Service }

// EnsureWritable implements threeds.Users.
func (u threeDSUsers) EnsureWritable(ctx context.Context, q store.Querier, userID int64) error {
	return u.accounts.EnsureWritable(ctx, q, userID)
}

// Email implements threeds.Users: store.ErrNotFound for an unknown user,
// which 3DS treats as "no address to mail".
func (u threeDSUsers) Email(ctx context.Context, q store.Querier, userID int64) (string, error) {
	to, err := u.accounts.ContactEmail(ctx, q, userID)
	if errors.Is(err, account.ErrUserNotFound) {
		return "", store.ErrNotFound
	}
	return to, err
}
